//! Exports: records turned into rows of cells, and the writers that turn rows into a
//! file. The cells know nothing of the file format, so CSV today and XLSX later share
//! the same rows; each writer neutralises formulas in the cells it writes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::record::{Meta, Record, RecordData};

/// The most rows an export reads at a time (the list's largest page).
pub const PAGE: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("a record could not be read as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the CSV writer failed: {0}")]
    Csv(String),
    #[error("the XLSX writer failed: {0}")]
    Xlsx(String),
    #[error("a spreadsheet holds at most {XLSX_MAX_ROWS} rows; narrow the list with filters")]
    TooManyRows,
}

/// A file format an export can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["csv", "xlsx"];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        [Format::Csv, Format::Xlsx]
            .into_iter()
            .find(|f| f.as_str() == s)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => XLSX_TYPE,
        }
    }

    /// A writer for a file with these columns.
    pub fn writer(self, columns: &Columns) -> Box<dyn Sheet + Send> {
        match self {
            Format::Csv => Box::new(CsvSheet::new(columns.names())),
            Format::Xlsx => Box::new(XlsxSheet::new(columns.names())),
        }
    }
}

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The rows of an XLSX worksheet, header included.
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// An XLSX workbook with one worksheet: a bold, frozen header row, then the rows. The
/// ZIP can only be written whole, so the bytes come at [`Sheet::finish`]; rows are kept
/// in the writer's compact form until then. Every cell is typed: text (money included)
/// is a string cell, which a spreadsheet shows and never runs, so it is written as it
/// is, with no quote in front (`+54 11 5555-0000` stays a phone); numbers and yes/no
/// are number and boolean cells.
pub struct XlsxSheet {
    book: rust_xlsxwriter::Workbook,
    next_row: u32,
}

impl XlsxSheet {
    pub fn new(columns: &[String]) -> XlsxSheet {
        let mut book = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let sheet = book.add_worksheet();
        for (i, name) in columns.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            // Column names are ours, never formulas; a failure here is a too-wide sheet,
            // reported when the rows are written.
            let _ = sheet.write_string_with_format(0, col, name, &bold);
        }
        let _ = sheet.set_freeze_panes(1, 0);
        XlsxSheet { book, next_row: 1 }
    }

    /// Adds rows of cells (the rejected rows of an import use this too).
    pub fn push(&mut self, rows: &[Vec<Cell>]) -> Result<(), SheetError> {
        let fail = |e: rust_xlsxwriter::XlsxError| SheetError::Xlsx(e.to_string());
        let sheet = self.book.worksheet_from_index(0).map_err(fail)?;
        for row in rows {
            if self.next_row >= XLSX_MAX_ROWS {
                return Err(SheetError::TooManyRows);
            }
            for (i, c) in row.iter().enumerate() {
                let col =
                    u16::try_from(i).map_err(|_| SheetError::Xlsx("too many columns".into()))?;
                let r = self.next_row;
                match c {
                    Cell::Empty => {}
                    Cell::Bool(b) => {
                        sheet.write_boolean(r, col, *b).map_err(fail)?;
                    }
                    Cell::Number(n) => match n.as_f64() {
                        Some(f) => {
                            sheet.write_number(r, col, f).map_err(fail)?;
                        }
                        None => {
                            sheet.write_string(r, col, n.to_string()).map_err(fail)?;
                        }
                    },
                    other => {
                        sheet.write_string(r, col, other.text()).map_err(fail)?;
                    }
                }
            }
            self.next_row += 1;
        }
        Ok(())
    }
}

impl Sheet for XlsxSheet {
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<Vec<u8>, SheetError> {
        self.push(rows)?;
        Ok(Vec::new())
    }

    fn finish(&mut self) -> Result<Vec<u8>, SheetError> {
        self.book
            .save_to_buffer()
            .map_err(|e| SheetError::Xlsx(e.to_string()))
    }
}

/// The date in a user's time zone (an IANA name; UTC when it is not one), so a file
/// made late in the evening in Buenos Aires is not dated tomorrow.
pub fn local_day(now: DateTime<Utc>, time_zone: &str) -> NaiveDate {
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

/// `accounts-2026-11-25.csv`.
pub fn file_name(plural: &str, day: NaiveDate, format: Format) -> String {
    format!("{plural}-{}.{}", day.format("%Y-%m-%d"), format.as_str())
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A JSON number (a custom number field): written as a number, minus sign and all.
    Number(serde_json::Number),
    Bool(bool),
    Money(Money),
}

impl Cell {
    /// The value as a person reads it; money as `1234.50 ARS`.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Number(n) => Cow::Owned(n.to_string()),
            Cell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Cell::Money(m) => Cow::Owned(format!("{} {}", m.amount, m.currency)),
        }
    }

    /// The value as a text file may hold it. Numbers stay as they are: a spreadsheet
    /// reads `-12.5` as a number, and a JSON number cannot carry a formula. Everything
    /// else, money included (`-5.00 ARS` is text to a spreadsheet), goes through
    /// [`guard`].
    pub fn safe_text(&self) -> Cow<'_, str> {
        match self {
            Cell::Number(_) | Cell::Empty => self.text(),
            _ => match self.text() {
                Cow::Borrowed(s) => guard(s),
                Cow::Owned(s) => Cow::Owned(guard(&s).into_owned()),
            },
        }
    }
}

/// What a spreadsheet would read as the start of a formula (OWASP, CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Neutralises text a spreadsheet would run as a formula (`=HYPERLINK(...)`) by putting
/// a single quote in front of it; other text is left alone. An international phone
/// number (`+54 11 5555-0000`, or several joined with `; `) is left alone too: digits
/// and punctuation call no function and reach no other cell, and a quote in front of
/// every phone was noise in every export.
///
/// Text whose leading quotes are followed by a formula start also gets one more quote,
/// so that [`unguard`] gives back exactly what was written.
pub fn guard(text: &str) -> Cow<'_, str> {
    let bare = text.trim_start_matches('\'');
    let quoted = bare.len() != text.len();
    if bare.starts_with(FORMULA_STARTS) && (quoted || !is_plain_phone(text)) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text of a CSV cell as it was before [`guard`]: one leading quote less when it
/// guards a formula start. Cartera's importer reads its own CSV exports through it.
pub fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

/// `+54 11 5555-0000`, `+34 (91) 123.45.67`, or several such joined with `;`: a `+`,
/// then only digits and phone punctuation, at least six digits in all.
pub fn is_plain_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    text.split(';').all(|one| {
        let one = one.trim();
        one.strip_prefix('+').is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_digit())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.' | '/'))
        })
    }) && digits >= 6
}

/// The cells of a record, named by column: `id`, the bookkeeping fields, the data fields
/// in their declared order (nested objects as `billing_address.city`), then custom
/// fields as `custom.<key>`. Lists (emails, phones, tags, multi-selects) are one cell
/// joined with `; `; emails and phones show their address or number.
pub fn record_cells<D: RecordData>(r: &Record<D>) -> Result<Vec<(String, Cell)>, SheetError> {
    let mut out = vec![("id".to_owned(), Cell::Text(r.id.to_string()))];
    flatten("", ordered(&r.meta)?, &mut out);
    let mut custom = Vec::new();
    if let Node::Object(fields) = ordered(&r.data)? {
        for (k, v) in fields {
            if k == "custom" {
                if let Node::Object(values) = v {
                    custom.extend(
                        values
                            .into_iter()
                            .map(|(k, v)| (format!("custom.{k}"), cell(v))),
                    );
                }
            } else {
                flatten(&k, v, &mut out);
            }
        }
    }
    out.extend(custom);
    Ok(out)
}

/// The header of a file: column names in a stable order, each once.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Columns {
    /// The columns every record of kind `D` has (read from a record with every optional
    /// bookkeeping field set), then one per custom field key, in the order given. Known
    /// before the first row, so a file can be streamed.
    pub fn of<D: RecordData + Default>(custom_keys: &[&str]) -> Result<Columns, SheetError> {
        let mut meta = Meta::new(DateTime::UNIX_EPOCH, Some(crate::Id::new()));
        meta.deleted_at = Some(meta.created_at);
        meta.merged_into_id = Some(crate::Id::new());
        let sample = Record {
            id: crate::Id::new(),
            data: D::default(),
            meta,
        };
        let mut c = Columns::default();
        for (name, _) in record_cells(&sample)? {
            c.add(&name);
        }
        for key in custom_keys {
            c.add(&format!("custom.{key}"));
        }
        Ok(c)
    }

    /// Adds a column at the end unless it is there already (a union keeps first places).
    pub fn add(&mut self, name: &str) {
        if !self.index.contains_key(name) {
            self.index.insert(name.to_owned(), self.names.len());
            self.names.push(name.to_owned());
        }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// A record's cells in column order; a column the record lacks is empty, and a cell
    /// without a column (a value under a custom field since deleted) is left out.
    pub fn arrange(&self, cells: Vec<(String, Cell)>) -> Vec<Cell> {
        let mut row = vec![Cell::Empty; self.names.len()];
        for (name, c) in cells {
            if let Some(&i) = self.index.get(&name) {
                row[i] = c;
            }
        }
        row
    }
}

/// Writes rows into a file format, a part at a time, so a long export never holds the
/// whole file.
pub trait Sheet {
    /// The bytes that `rows` add to the file, ready to send.
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<Vec<u8>, SheetError>;
    /// The bytes that end the file.
    fn finish(&mut self) -> Result<Vec<u8>, SheetError>;
}

/// The UTF-8 byte order mark: without it, Excel reads a CSV file in the computer's
/// legacy code page and garbles accents.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// RFC 4180 CSV in UTF-8 with a byte order mark, a header row first, CRLF line ends.
pub struct CsvSheet {
    header: Option<Vec<String>>,
}

impl CsvSheet {
    pub fn new(columns: &[String]) -> CsvSheet {
        CsvSheet {
            header: Some(columns.to_vec()),
        }
    }
}

impl Sheet for CsvSheet {
    fn write(&mut self, rows: &[Vec<Cell>]) -> Result<Vec<u8>, SheetError> {
        let mut out = Vec::with_capacity(rows.len() * 256);
        let header = self.header.take();
        if header.is_some() {
            out.extend_from_slice(BOM);
        }
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        let fail = |e: csv::Error| SheetError::Csv(e.to_string());
        if let Some(h) = header {
            // Column names are ours (field names and custom field keys), never formulas.
            w.write_record(&h).map_err(fail)?;
        }
        for row in rows {
            w.write_record(row.iter().map(|c| c.safe_text().into_owned()))
                .map_err(fail)?;
        }
        w.into_inner()
            .map_err(|e| SheetError::Csv(e.error().to_string()))
    }

    fn finish(&mut self) -> Result<Vec<u8>, SheetError> {
        // An export with no rows still has its header.
        if self.header.is_some() {
            self.write(&[])
        } else {
            Ok(Vec::new())
        }
    }
}

/// A list query as text for the audit trail: `q=garcía+pérez&filter[tags]=VIP`. Only
/// what would make it ambiguous or unprintable is percent-encoded, so people can read
/// it and a form decoder reads it back exactly.
pub fn query_text(pairs: &[(String, String)]) -> String {
    fn enc(s: &str, out: &mut String) {
        for ch in s.chars() {
            match ch {
                ' ' => out.push('+'),
                '%' | '&' | '=' | '+' | '#' => out.push_str(&format!("%{:02X}", ch as u32)),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
                c => out.push(c),
            }
        }
    }
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        enc(k, &mut out);
        out.push('=');
        enc(v, &mut out);
    }
    out
}

/// JSON read back with its fields in the order they were written (`serde_json::Value`
/// sorts them), so columns follow the order fields are declared in.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

fn ordered<T: Serialize>(value: &T) -> Result<Node, SheetError> {
    Ok(serde_json::from_slice(&serde_json::to_vec(value)?)?)
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<De: Deserializer<'de>>(d: De) -> Result<Node, De::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Text(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<De: Deserializer<'de>>(self, d: De) -> Result<Node, De::Error> {
        Node::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            fields.push((k, v));
        }
        Ok(Node::Object(fields))
    }
}

/// `{"amount": "1234.50", "currency": "ARS"}`, wherever it appears.
fn as_money(fields: &[(String, Node)]) -> Option<Money> {
    let [(a, Node::Text(amount)), (c, Node::Text(currency))] = fields else {
        return None;
    };
    if a != "amount" || c != "currency" {
        return None;
    }
    Some(Money {
        amount: Money::parse_amount(amount).ok()?,
        currency: currency.parse::<Currency>().ok()?,
    })
}

/// Scalars, lists and money become cells; other objects open into `path.field` columns.
fn flatten(path: &str, node: Node, out: &mut Vec<(String, Cell)>) {
    match node {
        Node::Object(fields) if as_money(&fields).is_none() => {
            for (k, v) in fields {
                let name = if path.is_empty() {
                    k
                } else {
                    format!("{path}.{k}")
                };
                flatten(&name, v, out);
            }
        }
        other => out.push((path.to_owned(), cell(other))),
    }
}

/// One node as one cell.
fn cell(node: Node) -> Cell {
    match node {
        Node::Null => Cell::Empty,
        Node::Bool(b) => Cell::Bool(b),
        Node::Number(n) => Cell::Number(n),
        Node::Text(s) => Cell::Text(s),
        Node::List(items) if items.is_empty() => Cell::Empty,
        Node::List(items) => Cell::Text(
            items
                .into_iter()
                .map(item_text)
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Node::Object(fields) => match as_money(&fields) {
            Some(m) => Cell::Money(m),
            // No object value other than money exists today; keep it readable.
            None => Cell::Text(
                fields
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {}", item_text(v)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        },
    }
}

/// An item of a list as text: an email by its address, a phone by its number (the
/// first field of each), labels left out.
fn item_text(node: Node) -> String {
    match node {
        Node::Object(fields) => match as_money(&fields) {
            Some(m) => Cell::Money(m).text().into_owned(),
            None => fields
                .into_iter()
                .next()
                .map(|(_, v)| item_text(v))
                .unwrap_or_default(),
        },
        other => cell(other).text().into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::AccountData;
    use crate::contacts::ContactData;
    use crate::leads::LeadData;
    use crate::record::from_input;
    use proptest::prelude::*;
    use serde_json::json;

    fn record<D: RecordData>(data: serde_json::Value) -> Record<D> {
        let now = chrono::DateTime::UNIX_EPOCH;
        Record {
            id: crate::Id::new(),
            data: from_input(data).unwrap(),
            meta: Meta::new(now, None),
        }
    }

    fn get<'a>(cells: &'a [(String, Cell)], name: &str) -> &'a Cell {
        &cells.iter().find(|(n, _)| n == name).unwrap().1
    }

    #[test]
    fn guard_quotes_what_a_spreadsheet_would_run() {
        for bad in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(guard(bad), format!("'{bad}"));
        }
        for ok in [
            "García",
            "",
            "1-2",
            " =1",
            "a=b",
            "'abc",
            "+54 11 5555-0000",
            "+34 (91) 123.45.67; +54 351 123-4567",
        ] {
            assert_eq!(guard(ok), ok);
        }
        // Not phones: letters, a formula, too few digits, a second `+` mid-number.
        for bad in [
            "+54 11 HOLA",
            "+1+cmd|'/C calc'!A0",
            "+1",
            "+54 11 5555=0",
            "'=1",
            "'+54 11 5555-0000",
        ] {
            assert_eq!(guard(bad), format!("'{bad}"));
        }
        assert_eq!(Cell::Text("-3".into()).safe_text(), "'-3");
        assert_eq!(Cell::Number((-3).into()).safe_text(), "-3");
        let debt = Money {
            amount: "-5.00".parse().unwrap(),
            currency: "ARS".parse().unwrap(),
        };
        assert_eq!(Cell::Money(debt).safe_text(), "'-5.00 ARS");
    }

    proptest! {
        #[test]
        fn guarded_text_never_starts_a_formula(s in any::<String>()) {
            let g = Cell::Text(s.clone()).safe_text().into_owned();
            prop_assert!(!g.starts_with(FORMULA_STARTS) || is_plain_phone(&g));
            // Nothing is lost: the quote is the only change, and the importer takes it off.
            prop_assert!(g == s || g.strip_prefix('\'') == Some(s.as_str()));
            prop_assert_eq!(unguard(&g), s.as_str());
        }

        #[test]
        fn phones_pass_unquoted_and_read_back(n in "\\+[0-9]{2} [0-9]{2,4} [0-9]{4}-[0-9]{4}") {
            prop_assert_eq!(guard(&n), n.as_str());
            prop_assert_eq!(unguard(&n), n.as_str());
        }

        #[test]
        fn guarded_text_survives_csv(s in any::<String>()) {
            let cols = Columns::of::<AccountData>(&[]).unwrap();
            let mut row = vec![Cell::Empty; cols.names().len()];
            row[1] = Cell::Text(s.clone());
            let mut sheet = CsvSheet::new(cols.names());
            let bytes = sheet.write(&[row]).unwrap();
            let mut r = csv::ReaderBuilder::new().from_reader(&bytes[BOM.len()..]);
            let rec = r.records().next().unwrap().unwrap();
            let want = guard(&s).into_owned();
            prop_assert_eq!(rec.get(1).unwrap(), want.as_str());
        }
    }

    #[test]
    fn an_account_becomes_named_cells_in_a_stable_order() {
        let mut r = record::<AccountData>(json!({
            "name": "Ferretería Ñandú", "kind": "prospect",
            "billing_address": {"city": "Córdoba", "country": "AR"},
            "emails": [{"address": "ventas@nandu.com.ar", "label": "work"}, {"address": "b@nandu.com.ar"}],
            "phones": [{"number": "+54 351 123-4567"}],
            "tags": ["VIP", "Zona Norte"],
            "custom": {"limite": {"amount": "1500.50", "currency": "ARS"}, "empleados": -40, "zonas": ["Norte", "Sur"], "activo": true}
        }));
        r.meta.version = 3;
        let cells = record_cells(&r).unwrap();
        let names: Vec<&str> = cells.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            &names[..8],
            [
                "id",
                "created_at",
                "updated_at",
                "created_by",
                "version",
                "deleted_at",
                "kind",
                "name"
            ]
        );
        assert_eq!(
            &names[names.len() - 4..],
            [
                "custom.activo",
                "custom.empleados",
                "custom.limite",
                "custom.zonas"
            ]
        );
        assert_eq!(get(&cells, "name").text(), "Ferretería Ñandú");
        assert_eq!(get(&cells, "version").text(), "3");
        assert_eq!(get(&cells, "created_at").text(), "1970-01-01T00:00:00Z");
        assert_eq!(get(&cells, "created_by"), &Cell::Empty);
        assert_eq!(get(&cells, "billing_address.city").text(), "Córdoba");
        assert_eq!(get(&cells, "shipping_address.city"), &Cell::Empty);
        assert_eq!(
            get(&cells, "emails").text(),
            "ventas@nandu.com.ar; b@nandu.com.ar"
        );
        assert_eq!(get(&cells, "phones").text(), "+54 351 123-4567");
        assert_eq!(get(&cells, "tags").text(), "VIP; Zona Norte");
        assert_eq!(get(&cells, "custom.limite").text(), "1500.50 ARS");
        assert_eq!(get(&cells, "custom.empleados").safe_text(), "-40");
        assert_eq!(get(&cells, "custom.zonas").text(), "Norte; Sur");
        assert_eq!(get(&cells, "custom.activo").text(), "true");
    }

    #[test]
    fn columns_cover_every_field_of_every_kind() {
        fn check<D: RecordData + Default>(full: serde_json::Value) {
            let cols = Columns::of::<D>(&["rubro"]).unwrap();
            let names = cols.names();
            assert_eq!(names[0], "id");
            assert_eq!(names.last().unwrap(), "custom.rubro");
            let mut r = record::<D>(full);
            r.meta.deleted_at = Some(r.meta.created_at);
            r.meta.merged_into_id = Some(crate::Id::new());
            for (name, _) in record_cells(&r).unwrap() {
                assert!(
                    names.contains(&name),
                    "{name} is not a column of {}",
                    D::KIND.plural()
                );
            }
            let distinct: std::collections::HashSet<_> = names.iter().collect();
            assert_eq!(distinct.len(), names.len());
        }
        check::<AccountData>(
            json!({"name": "A", "legal_name": "A S.A.", "tax_id": "30-71234567-1",
            "industry": "x", "category": "x", "classification": "x", "website": "https://a.com",
            "description": "x", "owner_id": crate::Id::new(), "custom": {"rubro": "agro"}}),
        );
        check::<ContactData>(
            json!({"first_name": "A", "last_name": "B", "birthday": "1980-01-02",
            "job_title": "x", "department": "x", "marketing_consent": true, "custom": {"rubro": "agro"}}),
        );
        check::<LeadData>(
            json!({"first_name": "A", "company_name": "B", "email": "a@b.com",
            "source": "web", "utm_source": "g", "custom": {"rubro": "agro"}}),
        );
        let leads = Columns::of::<LeadData>(&[]).unwrap();
        for c in [
            "status",
            "converted_at",
            "converted_account_id",
            "address.city",
            "merged_into_id",
        ] {
            assert!(leads.names().iter().any(|n| n == c), "{c}");
        }
    }

    #[test]
    fn rows_follow_the_header_and_drop_unknown_cells() {
        let mut cols = Columns::default();
        cols.add("id");
        cols.add("name");
        cols.add("id");
        assert_eq!(cols.names(), ["id", "name"]);
        let row = cols.arrange(vec![
            ("custom.gone".into(), Cell::Text("x".into())),
            ("name".into(), Cell::Text("N".into())),
        ]);
        assert_eq!(row, [Cell::Empty, Cell::Text("N".into())]);
    }

    #[test]
    fn csv_has_a_bom_a_header_quotes_and_crlf() {
        let mut cols = Columns::default();
        cols.add("name");
        cols.add("note");
        let mut sheet = CsvSheet::new(cols.names());
        let first = sheet
            .write(&[vec![
                Cell::Text("Ñandú, S.A.".into()),
                Cell::Text("=HYPERLINK(\"http://evil\",\"x\")".into()),
            ]])
            .unwrap();
        let second = sheet
            .write(&[vec![Cell::Text("dice \"hola\"".into()), Cell::Empty]])
            .unwrap();
        assert!(first.starts_with(BOM));
        assert!(!second.starts_with(BOM));
        assert!(sheet.finish().unwrap().is_empty());
        let text = String::from_utf8([first, second].concat()[BOM.len()..].to_vec()).unwrap();
        assert_eq!(
            text,
            "name,note\r\n\"Ñandú, S.A.\",\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"\r\n\"dice \"\"hola\"\"\",\r\n"
        );
        // No rows at all: still a file with its header.
        let mut empty = CsvSheet::new(cols.names());
        assert_eq!(empty.finish().unwrap(), [BOM, b"name,note\r\n"].concat());
    }

    #[test]
    fn queries_read_back_exactly() {
        let pairs = vec![
            ("q".to_owned(), "garcía pérez".to_owned()),
            ("filter[tags]".to_owned(), "A&B=C+D%".to_owned()),
            ("sort".to_owned(), "-updated_at".to_owned()),
        ];
        assert_eq!(
            query_text(&pairs),
            "q=garcía+pérez&filter[tags]=A%26B%3DC%2BD%25&sort=-updated_at"
        );
        assert_eq!(query_text(&[]), "");
    }

    #[test]
    fn formats_and_file_names() {
        assert_eq!(Format::parse("csv"), Some(Format::Csv));
        assert_eq!(Format::parse("xls"), None);
        assert_eq!(Format::parse("xlsx"), Some(Format::Xlsx));
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            file_name("accounts", day, Format::Csv),
            "accounts-2026-11-25.csv"
        );
        let late = "2026-11-26T01:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(local_day(late, "America/Argentina/Buenos_Aires"), day);
        assert_eq!(local_day(late, "Europe/Madrid"), day.succ_opt().unwrap());
        assert_eq!(local_day(late, "Mars/Olympus"), day.succ_opt().unwrap());
    }
}
