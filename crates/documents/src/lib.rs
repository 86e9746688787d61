//! Printed documents: a typst template plus data becomes a PDF.
//!
//! typst is a third of the workspace's build, so it lives in this crate alone and the
//! rest of Cartera sees only [`render`]: a template's text, its data as JSON (read by
//! the template as `sys.inputs`), and an optional logo. Nothing is read from disk or the
//! network at run time: the fonts are embedded ([`FONTS`]) and `@preview` packages or
//! file reads resolve to nothing, so an admin's template cannot reach the server's files.

use std::sync::LazyLock;

use serde_json::Value as Json;
use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Array, Bytes, Dict, IntoValue, Str, Value};
use typst::syntax::{DiagSpanKind, Source};
use typst::text::Font;
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::PagedDocument;

/// The default quote template: company data and logo, lines, discounts, taxes by rate,
/// totals and validity, with its labels in Spanish and English (chosen by `lang`).
pub const DEFAULT_QUOTE_TEMPLATE: &str = include_str!("../templates/quote.typ");

/// The default invoice template (invoices, credit and debit notes): the quote's layout
/// with the due date, the fiscal fields, the corrected invoice and what is still owed.
pub const DEFAULT_INVOICE_TEMPLATE: &str = include_str!("../templates/invoice.typ");

/// The statement of account: movements with the running balance, open items, ageing.
pub const STATEMENT_TEMPLATE: &str = include_str!("../templates/statement.typ");

/// Liberation Sans (SIL OFL 1.1, see `fonts/LICENSE-LiberationSans.txt`): typst's own
/// bundled fonts have no sans-serif face, and documents should not depend on the
/// fonts of the machine they are made on.
const SANS_REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
const SANS_BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// The family name templates ask for.
pub const FONT_FAMILY: &str = "Liberation Sans";

/// Every font a template may use, parsed once: Liberation Sans plus typst's bundled
/// faces (serif, mono and math).
static FONTS: LazyLock<Vec<Font>> = LazyLock::new(|| {
    let mut fonts = Vec::new();
    let embedded = [SANS_REGULAR, SANS_BOLD]
        .into_iter()
        .chain(typst_assets::fonts());
    for data in embedded {
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    fonts
});

/// Why a document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The template does not compile with this data; one message per problem, with its
    /// line in the template when known (`line 12: unknown variable: foo`).
    #[error("the template does not compile: {}", .0.join("; "))]
    Template(Vec<String>),
    /// The data is not a JSON object (a template reads `sys.inputs` as a dictionary).
    #[error("the document data must be a JSON object")]
    Data,
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// An image shown by the template as `sys.inputs.logo` (PNG, JPEG or SVG bytes; typst
/// detects which).
pub struct Logo<'a>(pub &'a [u8]);

/// Compiles `template` with `data` as `sys.inputs` and writes the PDF. With a logo,
/// `sys.inputs.logo` holds its bytes (else `none`), for `image(sys.inputs.logo)`.
pub fn render(
    template: &str,
    data: &Json,
    logo: Option<Logo<'_>>,
) -> Result<Vec<u8>, DocumentError> {
    let Json::Object(map) = data else {
        return Err(DocumentError::Data);
    };
    let mut inputs = Dict::new();
    for (k, v) in map {
        inputs.insert(Str::from(k.as_str()), to_typst(v));
    }
    let logo = match logo {
        Some(Logo(bytes)) => Value::Bytes(Bytes::new(bytes.to_vec())),
        None => Value::None,
    };
    inputs.insert(Str::from("logo"), logo);

    let engine = TypstEngine::builder()
        .main_file(template)
        .fonts(FONTS.iter().cloned())
        .build();
    let compiled = engine.compile_with_input::<_, PagedDocument>(inputs);
    let doc = compiled
        .output
        .map_err(|e| DocumentError::Template(messages(template, e)))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|errs| {
        DocumentError::Pdf(
            errs.iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

/// JSON as typst values: objects become dictionaries, arrays arrays; numbers stay
/// numbers (integers as `int`), though money should arrive as formatted text.
fn to_typst(v: &Json) -> Value {
    match v {
        Json::Null => Value::None,
        Json::Bool(b) => b.into_value(),
        Json::Number(n) => match n.as_i64() {
            Some(i) => i.into_value(),
            None => n.as_f64().unwrap_or_default().into_value(),
        },
        Json::String(s) => s.as_str().into_value(),
        Json::Array(a) => Value::Array(a.iter().map(to_typst).collect::<Array>()),
        Json::Object(o) => {
            let mut d = Dict::new();
            for (k, v) in o {
                d.insert(Str::from(k.as_str()), to_typst(v));
            }
            Value::Dict(d)
        }
    }
}

/// The errors as a person editing the template reads them: the line, the message, hints.
fn messages(template: &str, e: TypstAsLibError) -> Vec<String> {
    match e {
        TypstAsLibError::TypstSource(diags) => {
            let source = Source::detached(template);
            diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| describe(&source, d))
                .collect()
        }
        other => vec![other.to_string()],
    }
}

fn describe(source: &Source, d: &SourceDiagnostic) -> String {
    let mut text = d.message.to_string();
    for hint in &d.hints {
        text.push_str(&format!(" (hint: {})", hint.v));
    }
    // Span numbers depend only on the text, so a detached parse of the same template
    // finds the node the compiler pointed at.
    let start = match d.span.get() {
        DiagSpanKind::Number { num, sub_range, .. } => {
            source.range(num, sub_range).map(|r| r.start)
        }
        DiagSpanKind::Range { range, .. } => Some(range.start),
        DiagSpanKind::Detached => None,
    };
    let line = start.and_then(|b| source.lines().byte_to_line(b));
    match line {
        Some(l) => format!("line {}: {text}", l + 1),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// The text a reader would copy out of the PDF (poppler's `pdftotext`; CI installs it).
    pub(crate) fn pdf_text(pdf: &[u8]) -> String {
        let dir = std::env::temp_dir().join(format!("cartera-doc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "{:x}.pdf",
            pdf.len() ^ pdf.iter().map(|b| *b as usize).sum::<usize>()
        ));
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-layout".as_ref(), path.as_os_str(), "-".as_ref()])
            .output()
            .expect("pdftotext (poppler-utils) is installed");
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn a_template_gets_its_data_and_the_embedded_font() {
        let pdf = render(
            "#set text(font: \"Liberation Sans\")\nHola #sys.inputs.name, total #sys.inputs.items.at(1).amount",
            &serde_json::json!({"name": "Ñandú S.A.", "items": [{"amount": "1,00"}, {"amount": "2.420,50"}]}),
            None,
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let text = pdf_text(&pdf);
        assert!(text.contains("Ñandú S.A."), "{text}");
        assert!(text.contains("2.420,50"), "{text}");
    }

    #[test]
    fn errors_name_the_line() {
        let err = render("ok\n#nope(1)", &serde_json::json!({}), None).unwrap_err();
        let DocumentError::Template(m) = err else {
            panic!("{err:?}")
        };
        assert!(m[0].starts_with("line 2:"), "{m:?}");
    }

    #[test]
    fn files_and_packages_are_out_of_reach() {
        for t in [
            "#read(\"/etc/passwd\")",
            "#import \"@preview/foo:0.1.0\": *",
        ] {
            assert!(render(t, &serde_json::json!({}), None).is_err(), "{t}");
        }
    }
}

#[cfg(test)]
mod quote_template {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Data shaped like the quotes module's (`cartera_app::quotes::print`).
    fn sample(lang: &str) -> Json {
        serde_json::json!({
            "lang": lang,
            "company": {"name": "Ferretería Norte S.A.", "tax_id": "30-71234567-8", "address": "Av. Corrientes 1234, CABA", "phone": "+54 11 4321-0000", "email": "ventas@norte.example"},
            "number": "P-2026-000123", "revision": 2, "status": "draft",
            "issue_date": "2026-11-26", "valid_until": "2026-12-26", "currency": "ARS", "notes": "Entrega en 10 días.",
            "customer": {"name": "Cliente Uno SRL", "tax_id": "", "address": "", "contact": "Ana Pérez", "email": "ana@example.com"},
            "lines": [
                {"description": "Taladro", "sku": "TAL-1", "quantity": "2", "unit": "unit", "unit_price": "1.000,00", "discount": "10", "tax_rate": "21", "net": "1.800,00"},
                {"description": "Libro", "sku": "", "quantity": "1", "unit": "unit", "unit_price": "500,00", "discount": "0", "tax_rate": "10.5", "net": "500,00"}
            ],
            "subtotal": "2.500,00", "line_discounts": "200,00", "document_discount": "0,00", "document_discount_rate": "0",
            "discounts": "200,00", "by_rate": [{"rate": "10.5", "base": "500,00", "tax": "52,50"}, {"rate": "21", "base": "1.800,00", "tax": "378,00"}],
            "taxes": "430,50", "total": "2.730,50"
        })
    }

    #[test]
    fn the_default_template_prints_a_quote_in_either_language() {
        for (lang, title) in [("es", "PRESUPUESTO"), ("en", "QUOTE")] {
            let pdf = render(DEFAULT_QUOTE_TEMPLATE, &sample(lang), None).unwrap();
            if let Ok(dir) = std::env::var("CARTERA_DOC_OUT") {
                std::fs::write(format!("{dir}/quote-{lang}.pdf"), &pdf).unwrap();
            }
            let text = crate::tests::pdf_text(&pdf);
            for want in [
                title,
                "P-2026-000123",
                "Cliente Uno SRL",
                "2.730,50",
                "378,00",
            ] {
                assert!(text.contains(want), "{lang}: {want} not in {text}");
            }
        }
    }

    #[test]
    fn a_logo_is_drawn() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/></svg>"#;
        let pdf = render(DEFAULT_QUOTE_TEMPLATE, &sample("es"), Some(Logo(svg))).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert!(
            render(
                DEFAULT_QUOTE_TEMPLATE,
                &sample("es"),
                Some(Logo(b"not an image"))
            )
            .is_err()
        );
    }
}
