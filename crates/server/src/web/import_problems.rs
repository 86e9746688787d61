//! An import row's problems in the reader's language. Each stored problem's code and
//! blanks go through the catalogue (`import-problem-*`); a record's broken rule gets the
//! words a form gives it (`forms::explain`). A problem stored before problems had codes
//! keeps its English message: it is all there is.

use cartera_core::imports::values::Locale as FileLocale;
use cartera_core::imports::{CellProblem, ProblemCode};

use super::forms::explain;
use super::i18n::ArgValue;
use super::render::Page;

/// One problem as a line of the page: the column (the file's own header, shown as the
/// person wrote it) and why.
pub fn line(page: &Page, p: &CellProblem, file: FileLocale) -> String {
    let why = reason(page, p, file).unwrap_or_else(|| p.message.clone());
    if p.column.is_empty() {
        why
    } else {
        format!("{}: {why}", p.column)
    }
}

fn reason(page: &Page, p: &CellProblem, file: FileLocale) -> Option<String> {
    let text = |s: &Option<String>| ArgValue::Text(s.clone().unwrap_or_default());
    #[allow(clippy::cast_precision_loss)] // row and cell counts are far below 2^52
    let number = |n: Option<u64>| ArgValue::Number(n.unwrap_or(0) as f64);
    let value = ("value", text(&p.value));
    let key = ("key", text(&p.field));
    let row = ("row", number(p.row.and_then(|r| u64::try_from(r).ok())));
    let kind = (
        "kind",
        ArgValue::Text(
            p.kind
                .map(|k| page.t(&format!("kind-{}", k.as_str())))
                .unwrap_or_default(),
        ),
    );
    let name = ("name", text(&p.name));
    // Dates and numbers are read in the language the import was told, not the page's.
    let (date, decimal) = match file {
        FileLocale::Es => ("22/11/2026", "1.234,50"),
        FileLocale::En => ("11/22/2026", "1,234.50"),
    };
    let t =
        |key: &str, args: &[(&str, ArgValue)]| page.t_args(&format!("import-problem-{key}"), args);
    Some(match p.code? {
        ProblemCode::NotADate => t(
            "not_a_date",
            &[value, ("example", ArgValue::Text(date.into()))],
        ),
        ProblemCode::NoSuchDay => t("no_such_day", &[value]),
        ProblemCode::NoSuchMonth => t("no_such_month", &[value]),
        ProblemCode::NotANumber => t(
            "not_a_number",
            &[value, ("example", ArgValue::Text(decimal.into()))],
        ),
        ProblemCode::NotYesNo => t("not_yes_no", &[value]),
        ProblemCode::BadEncoding => t("bad_encoding", &[value]),
        ProblemCode::CellCount => t(
            "cell_count",
            &[("cells", number(p.cells)), ("columns", number(p.columns))],
        ),
        ProblemCode::NulCell => t("nul_cell", &[value]),
        ProblemCode::Invalid => explain(page, form_field(p.field.as_deref()?), p.violation?),
        // A record outside the importer's view is never named: its problem has no name.
        ProblemCode::SameKey if p.name.is_some() => t("same_key-named", &[key, kind, name]),
        ProblemCode::SameKey => t("same_key-hidden", &[key]),
        ProblemCode::RepeatsRow => match (p.kind, &p.name) {
            (None, _) => t("repeats_row", &[key, row]),
            (Some(_), Some(_)) => t("repeats_row-named", &[key, row, kind, name]),
            (Some(_), None) => t("repeats_row-hidden", &[key, row]),
        },
        ProblemCode::AlreadyUpdated => t("already_updated", &[row]),
        ProblemCode::NothingNew => t("nothing_new", &[]),
    })
}

/// The form field a record's path is (`emails[0].address` is `email`), for the words
/// forms give a violation (`violation-invalid-email`).
fn form_field(path: &str) -> &str {
    match path.split(['.', '[']).next().unwrap_or(path) {
        "emails" => "email",
        "phones" => "phone",
        "websites" => "website",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::form_field;

    #[test]
    fn a_record_path_names_its_form_field() {
        assert_eq!(form_field("emails[0].address"), "email");
        assert_eq!(form_field("phones[1].number"), "phone");
        assert_eq!(form_field("last_name"), "last_name");
        assert_eq!(form_field("billing_address.country"), "billing_address");
    }
}
