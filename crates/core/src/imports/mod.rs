//! Imports: reading people's files ([`read`]), their values ([`values`]), and the
//! mapping of a file's columns to a record kind's fields, guessed from Spanish and
//! English header names and editable. A mapped row becomes the same JSON input a
//! `POST` would take, so imported records go through the same rules as any other.

pub mod problems;
pub mod read;
pub mod values;

pub use problems::{BadCell, CellProblem, ProblemCode, RowProblem};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::custom_fields::{CustomField, FieldType};
use crate::record::RecordKind;
use crate::text::fold;
use read::Raw;
use values::Locale;

/// The kinds a file can be imported into (their facts say so).
pub fn kinds() -> impl Iterator<Item = RecordKind> {
    RecordKind::all_where(|f| f.importable)
}

/// The target that keeps a source system's id for matching later imports.
pub const EXTERNAL_ID: &str = "external_id";

/// How a cell becomes a value of its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Text,
    /// One or more addresses (`;` or `,` between), appended to `emails`.
    Emails,
    /// One or more numbers (`;` between), appended to `phones`.
    Phones,
    /// `;` or `,` between tags.
    Tags,
    Date,
    Bool,
    /// A custom field of this type.
    Custom(FieldType),
    /// A country by name (`Argentina`, `España`) or ISO code, stored as the code.
    Country,
    /// Not a field: the source's id, for matching (see [`EXTERNAL_ID`]).
    ExternalId,
}

/// A field a column can fill.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Target {
    /// The field's path in the record's JSON (`billing_address.city`, `custom.rubro`).
    pub key: String,
    /// Whether several columns may fill it (emails, phones, tags).
    pub many: bool,
    #[serde(skip)]
    #[schema(ignore)]
    pub shape: Shape,
    #[serde(skip)]
    #[schema(ignore)]
    aliases: Vec<String>,
}

impl Target {
    fn new(key: &str, shape: Shape, aliases: &[&str]) -> Target {
        Target {
            key: key.to_owned(),
            many: matches!(shape, Shape::Emails | Shape::Phones | Shape::Tags),
            shape,
            aliases: aliases.iter().map(|a| squash(a)).collect(),
        }
    }
}

/// Folded, with only letters and digits: `E-mail` and `Correo electrónico` become
/// `email` and `correoelectronico`.
fn squash(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

const STREET: &[&str] = &[
    "direccion",
    "domicilio",
    "calle",
    "address",
    "street",
    "calleynumero",
];
const CITY: &[&str] = &["ciudad", "localidad", "city", "town", "municipio"];
const PROVINCE: &[&str] = &[
    "provincia",
    "estado",
    "state",
    "province",
    "region",
    "departamentoprovincia",
];
const POSTAL: &[&str] = &[
    "cp",
    "codigopostal",
    "postalcode",
    "zip",
    "zipcode",
    "codpostal",
];
const COUNTRY: &[&str] = &["pais", "country"];
const EMAILS: &[&str] = &[
    "email",
    "emails",
    "mail",
    "correo",
    "correoelectronico",
    "emailaddress",
    "email1",
    "email2",
    "mail2",
    "correo2",
];
const PHONES: &[&str] = &[
    "telefono",
    "telefonos",
    "tel",
    "phone",
    "phones",
    "celular",
    "movil",
    "mobile",
    "whatsapp",
    "telefono2",
    "phone2",
    "telefonofijo",
    "fax",
];
const TAGS: &[&str] = &["etiquetas", "tags", "etiqueta", "tag"];
const NOTES: &[&str] = &[
    "notas",
    "observaciones",
    "descripcion",
    "description",
    "notes",
    "comentarios",
    "comments",
];
const EXTERNAL: &[&str] = &[
    "idexterno",
    "externalid",
    "codigo",
    "code",
    "codigocliente",
    "idcliente",
    "customerid",
    "legajo",
    "id",
];

/// The fields of `kind` a column can fill, custom fields included.
pub fn targets(kind: RecordKind, defs: &[CustomField]) -> Vec<Target> {
    use Shape::*;
    let t = Target::new;
    let mut out = match kind {
        RecordKind::Account => vec![
            t(
                "name",
                Text,
                &[
                    "nombre",
                    "razonsocial",
                    "empresa",
                    "cliente",
                    "name",
                    "company",
                    "accountname",
                    "account",
                    "companyname",
                    "nombredelaempresa",
                ],
            ),
            t(
                "legal_name",
                Text,
                &["nombrelegal", "legalname", "denominacion"],
            ),
            t(
                "tax_id",
                Text,
                &[
                    "cuit",
                    "cuil",
                    "nif",
                    "cif",
                    "rfc",
                    "taxid",
                    "vat",
                    "vatnumber",
                    "nit",
                    "rut",
                    "ruc",
                    "dni",
                    "documento",
                ],
            ),
            t(
                "industry",
                Text,
                &["rubro", "industria", "industry", "sector", "actividad"],
            ),
            t("category", Text, &["categoria", "category"]),
            t(
                "classification",
                Text,
                &["clasificacion", "classification", "segmento"],
            ),
            t("emails", Emails, EMAILS),
            t("phones", Phones, PHONES),
            t(
                "website",
                Text,
                &["web", "sitioweb", "website", "url", "paginaweb", "sitio"],
            ),
            t("billing_address.street", Text, STREET),
            t("billing_address.city", Text, CITY),
            t("billing_address.province", Text, PROVINCE),
            t("billing_address.postal_code", Text, POSTAL),
            t("billing_address.country", Country, COUNTRY),
            t("description", Text, NOTES),
            t("tags", Tags, TAGS),
        ],
        RecordKind::Contact => vec![
            t(
                "first_name",
                Text,
                &[
                    "nombre",
                    "nombres",
                    "firstname",
                    "first",
                    "givenname",
                    "name",
                ],
            ),
            t(
                "last_name",
                Text,
                &[
                    "apellido",
                    "apellidos",
                    "lastname",
                    "last",
                    "surname",
                    "familyname",
                ],
            ),
            t("emails", Emails, EMAILS),
            t("phones", Phones, PHONES),
            t(
                "job_title",
                Text,
                &["cargo", "puesto", "jobtitle", "title", "position", "rol"],
            ),
            t(
                "department",
                Text,
                &["departamento", "area", "department", "sector"],
            ),
            t(
                "birthday",
                Date,
                &[
                    "cumpleanos",
                    "fechadenacimiento",
                    "nacimiento",
                    "birthday",
                    "birthdate",
                    "dateofbirth",
                    "fechanacimiento",
                ],
            ),
            t("address.street", Text, STREET),
            t("address.city", Text, CITY),
            t("address.province", Text, PROVINCE),
            t("address.postal_code", Text, POSTAL),
            t("address.country", Country, COUNTRY),
            t(
                "marketing_consent",
                Bool,
                &[
                    "consentimiento",
                    "aceptamarketing",
                    "marketingconsent",
                    "optin",
                    "aceptacomunicaciones",
                ],
            ),
            t("description", Text, NOTES),
            t("tags", Tags, TAGS),
        ],
        RecordKind::Lead => vec![
            t(
                "first_name",
                Text,
                &["nombre", "nombres", "firstname", "first", "name"],
            ),
            t(
                "last_name",
                Text,
                &["apellido", "apellidos", "lastname", "last", "surname"],
            ),
            t(
                "company_name",
                Text,
                &[
                    "empresa",
                    "compania",
                    "company",
                    "razonsocial",
                    "organizacion",
                    "organization",
                    "companyname",
                ],
            ),
            t(
                "job_title",
                Text,
                &["cargo", "puesto", "jobtitle", "title", "position"],
            ),
            t("email", Text, EMAILS),
            t("phone", Text, PHONES),
            t("website", Text, &["web", "sitioweb", "website", "url"]),
            t("address.street", Text, STREET),
            t("address.city", Text, CITY),
            t("address.province", Text, PROVINCE),
            t("address.postal_code", Text, POSTAL),
            t("address.country", Country, COUNTRY),
            t(
                "source",
                Text,
                &["origen", "fuente", "source", "leadsource", "canal"],
            ),
            t("campaign", Text, &["campana", "campaign"]),
            t("utm_source", Text, &["utmsource"]),
            t("utm_medium", Text, &["utmmedium"]),
            t("utm_campaign", Text, &["utmcampaign"]),
            t("description", Text, NOTES),
            t("tags", Tags, TAGS),
        ],
        _ => Vec::new(),
    };
    for d in defs.iter().filter(|d| d.data.record_kind == kind) {
        let key = format!("custom.{}", d.data.key);
        out.push(Target {
            aliases: vec![squash(&d.data.key), squash(&d.data.label)],
            many: false,
            shape: Shape::Custom(d.data.field_type),
            key,
        });
    }
    out.push(Target::new(EXTERNAL_ID, Shape::ExternalId, EXTERNAL));
    out
}

/// Which field each column fills (`None`: the column is not imported), in the
/// header's order.
pub type Mapping = Vec<Option<String>>;

/// A fingerprint of a header: the same columns, in any case or accents, give the same
/// source, whose mapping is remembered.
pub fn source_key(header: &[String]) -> String {
    let mut h = Sha256::new();
    for c in header {
        h.update(squash(c).as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// The mapping guessed from the header's names. A column whose name matches no field,
/// or a field another column already fills (unless it takes several), stays unmapped.
pub fn guess(header: &[String], targets: &[Target]) -> Mapping {
    let mut taken: Vec<&str> = Vec::new();
    header
        .iter()
        .map(|name| {
            let s = squash(name);
            // `Email 2`, `Teléfono (móvil)`: try the name without trailing digits too.
            let bare: String = s.trim_end_matches(|c: char| c.is_ascii_digit()).to_owned();
            let found = targets.iter().find(|t| {
                (t.aliases.contains(&s) || (!bare.is_empty() && t.aliases.contains(&bare)))
                    && (t.many || !taken.contains(&t.key.as_str()))
            })?;
            taken.push(&found.key);
            Some(found.key.clone())
        })
        .collect()
}

/// What is wrong with a mapping as a whole (by column), e.g. a field mapped twice.
pub fn check_mapping(
    header: &[String],
    mapping: &Mapping,
    targets: &[Target],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if mapping.len() != header.len() {
        out.push((
            "mapping".to_owned(),
            format!(
                "has {} entries; the file has {} columns",
                mapping.len(),
                header.len()
            ),
        ));
        return out;
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, m) in mapping.iter().enumerate() {
        let Some(key) = m else { continue };
        match targets.iter().find(|t| &t.key == key) {
            None => out.push((
                format!("mapping[{i}]"),
                format!("'{key}' is not a field that can be imported"),
            )),
            Some(t) if !t.many && seen.contains(&key.as_str()) => out.push((
                format!("mapping[{i}]"),
                format!("'{key}' is already filled by another column"),
            )),
            Some(_) => seen.push(key),
        }
    }
    out
}

/// A row turned into a record's JSON input, and its external id.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub input: Value,
    pub external_id: Option<String>,
}

/// Builds a record's input from a row through a checked mapping. Empty cells leave
/// their field out, so an update only changes what the file says.
pub fn build(
    header: &[String],
    mapping: &Mapping,
    targets: &[Target],
    cells: &[Raw],
    locale: Locale,
    currency: &str,
) -> Result<Mapped, Vec<CellProblem>> {
    let (mapped, problems) = build_all(header, mapping, targets, cells, locale, currency);
    if problems.is_empty() {
        Ok(mapped)
    } else {
        Err(problems)
    }
}

/// [`build`] that also gives the input of the cells that could be read when others
/// could not, so that the record's own checks can still name every other problem of
/// the row (a bad date and a bad email are both reported, not only the date).
pub fn build_all(
    header: &[String],
    mapping: &Mapping,
    targets: &[Target],
    cells: &[Raw],
    locale: Locale,
    currency: &str,
) -> (Mapped, Vec<CellProblem>) {
    let mut root = Map::new();
    let mut problems = Vec::new();
    let mut external_id = None;
    for (i, key) in mapping.iter().enumerate() {
        let (Some(key), Some(cell)) = (key, cells.get(i)) else {
            continue;
        };
        if cell.is_empty() {
            continue;
        }
        let Some(t) = targets.iter().find(|t| &t.key == key) else {
            continue;
        };
        let column = header.get(i).cloned().unwrap_or_default();
        let text = || cell.text().trim().to_owned();
        let value = match t.shape {
            Shape::Text => Ok(Value::String(text())),
            Shape::Emails => Ok(list(
                &text(),
                &[';', ','],
                |s| serde_json::json!({"address": s}),
            )),
            // A spreadsheet's formula guard (`'+54 11 5555-0000`) is no part of a number:
            // files written by older Cartera versions, or by hand, import back.
            Shape::Phones => Ok(list(
                &text(),
                &[';'],
                |s| serde_json::json!({"number": crate::io::unguard(s)}),
            )),
            Shape::Tags => Ok(list(&text(), &[';', ','], |s| Value::String(s.to_owned()))),
            Shape::Date => values::date(cell, locale).map(|d| Value::String(d.to_string())),
            Shape::Country => Ok(Value::String(country_code(&text()))),
            Shape::Bool => values::boolean(cell).map(Value::Bool),
            Shape::ExternalId => {
                external_id = Some(text());
                continue;
            }
            Shape::Custom(ft) => custom_value(ft, cell, locale, currency),
        };
        match value {
            Ok(v) => put(&mut root, key, v),
            Err(bad) => problems.push(bad.problem(column)),
        }
    }
    (
        Mapped {
            input: Value::Object(root),
            external_id,
        },
        problems,
    )
}

fn custom_value(
    ft: FieldType,
    cell: &Raw,
    locale: Locale,
    currency: &str,
) -> Result<Value, BadCell> {
    match ft {
        FieldType::Number => {
            let d = values::decimal(cell, locale)?;
            d.to_string()
                .parse::<serde_json::Number>()
                .map(Value::Number)
                .map_err(|_| {
                    BadCell::new(
                        ProblemCode::NotANumber,
                        cell.text(),
                        format!("'{}' is not a number", cell.text()),
                    )
                })
        }
        FieldType::Money => {
            let text = cell.text();
            // `1.234,50 ARS` or `USD 99.90`: a three-letter code anywhere; else the company's.
            let code = text
                .split_whitespace()
                .find(|w| w.len() == 3 && w.chars().all(|c| c.is_ascii_alphabetic()))
                .map(str::to_ascii_uppercase);
            let amount_text: String = match &code {
                Some(c) => text
                    .replace(c.as_str(), "")
                    .replace(&c.to_ascii_lowercase(), ""),
                None => text.clone(),
            };
            let amount = match cell {
                Raw::Number(_) => values::decimal(cell, locale)?,
                _ => values::decimal(&Raw::Text(amount_text), locale)?,
            };
            Ok(serde_json::json!({
                "amount": amount.to_string(),
                "currency": code.unwrap_or_else(|| currency.to_owned()),
            }))
        }
        FieldType::Date => values::date(cell, locale).map(|d| Value::String(d.to_string())),
        FieldType::Boolean => values::boolean(cell).map(Value::Bool),
        FieldType::MultiSelect => Ok(list(&cell.text(), &[';', ','], |s| {
            Value::String(s.to_owned())
        })),
        FieldType::Text | FieldType::Select => Ok(Value::String(cell.text().trim().to_owned())),
    }
}

/// The ISO code of a country people name in Spanish or English; other text is left for
/// the record's own check to refuse.
fn country_code(name: &str) -> String {
    const NAMES: &[(&str, &[&str])] = &[
        ("AR", &["argentina"]),
        ("BO", &["bolivia"]),
        ("BR", &["brasil", "brazil"]),
        ("CL", &["chile"]),
        ("CO", &["colombia"]),
        ("CR", &["costa rica"]),
        ("EC", &["ecuador"]),
        ("ES", &["espana", "spain"]),
        ("MX", &["mexico"]),
        ("PE", &["peru"]),
        ("PY", &["paraguay"]),
        ("US", &["estados unidos", "united states", "usa", "eeuu"]),
        ("UY", &["uruguay"]),
        ("VE", &["venezuela"]),
    ];
    let folded = fold(name.trim());
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&folded.as_str()))
        .map_or_else(|| name.trim().to_owned(), |(code, _)| (*code).to_owned())
}

fn list(text: &str, seps: &[char], item: impl Fn(&str) -> Value) -> Value {
    Value::Array(
        text.split(seps)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(item)
            .collect(),
    )
}

/// Sets `a.b.c` in a JSON object; lists from several columns are joined.
fn put(root: &mut Map<String, Value>, path: &str, v: Value) {
    let mut parts = path.split('.').peekable();
    let mut here = root;
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            match (here.get_mut(p), v) {
                (Some(Value::Array(have)), Value::Array(more)) => have.extend(more),
                (_, v) => {
                    here.insert(p.to_owned(), v);
                }
            }
            return;
        }
        let next = here
            .entry(p.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        let Value::Object(m) = next else { return };
        here = m;
    }
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Uploaded and read: the header, a mapping and a sample are known; nothing ran.
    Draft,
    /// Started; waiting for a job worker.
    Queued,
    Running,
    /// A dry run finished: every row's outcome is known, nothing was written. It can be
    /// started again for real.
    Checked,
    /// Written (with skip_bad_rows, rejected rows are left out).
    Done,
    /// Nothing was written: the file could not be read, or (all_or_nothing) a row was bad.
    Failed,
    /// Being undone by a job (a large import): `undone_rows` is the progress.
    Undoing,
    /// Undone after it was done.
    Undone,
    /// Never imported, and its file was dropped after the days uploads are kept.
    Expired,
}

impl ImportStatus {
    pub const ALL: [ImportStatus; 9] = [
        ImportStatus::Draft,
        ImportStatus::Queued,
        ImportStatus::Running,
        ImportStatus::Checked,
        ImportStatus::Done,
        ImportStatus::Failed,
        ImportStatus::Undoing,
        ImportStatus::Undone,
        ImportStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Draft => "draft",
            ImportStatus::Queued => "queued",
            ImportStatus::Running => "running",
            ImportStatus::Checked => "checked",
            ImportStatus::Done => "done",
            ImportStatus::Failed => "failed",
            ImportStatus::Undoing => "undoing",
            ImportStatus::Undone => "undone",
            ImportStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<ImportStatus> {
        ImportStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the import may be started (again).
    pub fn startable(self) -> bool {
        matches!(
            self,
            ImportStatus::Draft | ImportStatus::Checked | ImportStatus::Failed
        )
    }
}

/// How an import treats bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Only say what would happen to each row.
    DryRun,
    /// Write the good rows; list the bad ones.
    SkipBadRows,
    /// Write every row or none: one bad row and nothing is written.
    AllOrNothing,
}

impl ImportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::DryRun => "dry_run",
            ImportMode::SkipBadRows => "skip_bad_rows",
            ImportMode::AllOrNothing => "all_or_nothing",
        }
    }

    pub fn parse(s: &str) -> Option<ImportMode> {
        [
            ImportMode::DryRun,
            ImportMode::SkipBadRows,
            ImportMode::AllOrNothing,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// What a row is matched on to find the record it already is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchOn {
    Email,
    TaxId,
    /// The column mapped to `external_id`: a source system's id, remembered from
    /// earlier imports.
    ExternalId,
}

/// What to do with a row that matches an existing record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnMatch {
    /// Leave the record alone.
    #[default]
    Skip,
    /// Change the record with the row's non-empty cells.
    Update,
    /// Create a new record anyway.
    Create,
}

/// The choices of an import, besides its mapping.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportOptions {
    #[serde(default)]
    pub read: read::ReadOptions,
    #[serde(default)]
    pub locale: Locale,
    /// Defaults to email (tax id for accounts without an email column).
    pub match_on: Option<MatchOn>,
    #[serde(default)]
    pub on_match: OnMatch,
}

/// How many rows went which way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Counts {
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub rejected: i64,
}

/// An import as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Import {
    pub id: crate::Id,
    /// `account`, `contact` or `lead`.
    pub record_kind: RecordKind,
    pub status: ImportStatus,
    /// The mode of the last start.
    pub mode: Option<ImportMode>,
    pub file_name: String,
    pub file_size: i64,
    pub format: read::FileFormat,
    pub options: ImportOptions,
    /// The file's column names.
    pub header: Vec<String>,
    /// The field each column fills (`null`: not imported), in the header's order.
    pub mapping: Mapping,
    /// The header's fingerprint; the mapping is remembered under it.
    pub source_key: String,
    /// Data rows in the file, once a run has read it whole.
    pub total_rows: Option<i64>,
    /// Rows read so far by the running job (the progress).
    pub processed_rows: i64,
    pub counts: Counts,
    /// Why the file could not be read, or why an all-or-nothing import wrote nothing.
    pub error: Option<String>,
    pub created_by: crate::Id,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub undone_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Rows of the last undo handled so far (created records trashed, updated ones put
    /// back), of `counts.created + counts.updated`: the progress while `undoing`.
    #[serde(default)]
    pub undone_rows: i64,
    /// While queued, running or undoing with no progress for a while: when the lease of
    /// the worker holding its job ends. If that worker stopped (a crash, a restart), the
    /// import waits until then and another worker goes on from its last committed chunk.
    /// Absent while it moves, and once it ends. Not stored: read from the job queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stalled_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Skipped,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Skipped => "skipped",
            Outcome::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Created,
            Outcome::Updated,
            Outcome::Skipped,
            Outcome::Rejected,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One row of a run: in a dry run, what would happen to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportRow {
    /// The row's line in a CSV file (the header is 1) or its row in a spreadsheet.
    pub row_number: i64,
    pub outcome: Outcome,
    /// The record created, updated or matched.
    pub record_id: Option<crate::Id>,
    /// Why the row was rejected or skipped: the column (or field) and the reason.
    pub problems: Vec<CellProblem>,
    /// The row's cells as text, in the header's order. A created row past the file's
    /// first 100 has none (its record holds the values), except in a dry run.
    pub cells: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn spanish_and_english_headers_are_recognised() {
        let t = targets(RecordKind::Account, &[]);
        let header = h(&[
            "Razón social",
            "CUIT",
            "Teléfono",
            "E-mail",
            "Email 2",
            "Localidad",
            "Código",
            "Otra cosa",
        ]);
        let m = guess(&header, &t);
        assert_eq!(
            m,
            vec![
                Some("name".into()),
                Some("tax_id".into()),
                Some("phones".into()),
                Some("emails".into()),
                Some("emails".into()),
                Some("billing_address.city".into()),
                Some("external_id".into()),
                None
            ]
        );
        let c = targets(RecordKind::Contact, &[]);
        let m = guess(&h(&["First name", "Last Name", "Email", "Nombre"]), &c);
        assert_eq!(m[0].as_deref(), Some("first_name"));
        assert_eq!(m[1].as_deref(), Some("last_name"));
        assert_eq!(m[2].as_deref(), Some("emails"));
        // A second "name" column does not fill first_name twice.
        assert_eq!(m[3], None);
        assert!(
            check_mapping(
                &h(&["a", "b"]),
                &vec![Some("first_name".into()), Some("first_name".into())],
                &c
            )
            .len()
                == 1
        );
        assert_eq!(source_key(&h(&["Teléfono"])), source_key(&h(&["telefono"])));
    }

    #[test]
    fn a_row_becomes_an_input() {
        let t = targets(RecordKind::Contact, &[]);
        let header = h(&[
            "Nombre",
            "Apellido",
            "Email",
            "Cumpleaños",
            "Ciudad",
            "Tags",
        ]);
        let m = guess(&header, &t);
        let cells = vec![
            Raw::Text("Ana".into()),
            Raw::Text("Pérez".into()),
            Raw::Text("ana@x.com; ana2@x.com".into()),
            Raw::Text("22/11/1990".into()),
            Raw::Text("Rosario".into()),
            Raw::Empty,
        ];
        let got = build(&header, &m, &t, &cells, Locale::Es, "ARS").unwrap();
        assert_eq!(
            got.input,
            json!({"first_name": "Ana", "last_name": "Pérez",
                "emails": [{"address": "ana@x.com"}, {"address": "ana2@x.com"}],
                "birthday": "1990-11-22", "address": {"city": "Rosario"}})
        );
        let mut bad = cells.clone();
        bad[3] = Raw::Text("31/02/2026".into());
        let e = build(&header, &m, &t, &bad, Locale::Es, "ARS").unwrap_err();
        assert_eq!(e[0].column, "Cumpleaños");
    }
}
