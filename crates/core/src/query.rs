//! The list grammar of the API: `q`, `filter[field][op]=value`, `sort`, `limit`, `cursor`.
//! Parsed here into typed values against each kind's field list, so that the store only
//! ever sees fields that exist and values of the right type.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::custom_fields::{CustomField, FieldType};
use crate::ids::Id;
use crate::validate::{Check, Code, Violations};

// The field list is a leaf of its own so that `record` can name it without depending on
// the grammar (which reads custom fields and views, and those read `record`).
pub(crate) mod spec;
pub use spec::{FieldSpec, ValueKind};

/// Fields every record kind lists by.
pub const COMMON_FIELDS: &[FieldSpec] = &[
    FieldSpec::new("id", ValueKind::Id).not_null(),
    FieldSpec::new("created_at", ValueKind::Time)
        .sortable()
        .not_null(),
    FieldSpec::new("updated_at", ValueKind::Time)
        .sortable()
        .not_null(),
    FieldSpec::new("created_by", ValueKind::Id),
    FieldSpec::new("owner_id", ValueKind::Id),
    FieldSpec::new("tags", ValueKind::Tags),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    Nin,
    Contains,
    Null,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "in" => Op::In,
            "nin" => Op::Nin,
            "contains" => Op::Contains,
            "null" => Op::Null,
            _ => return None,
        })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::In => "in",
            Op::Nin => "nin",
            Op::Contains => "contains",
            Op::Null => "null",
        }
    }

    fn is_range(&self) -> bool {
        matches!(self, Op::Gt | Op::Gte | Op::Lt | Op::Lte)
    }
}

/// A typed filter or cursor value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

impl Scalar {
    fn to_json(&self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Text(s) => Value::String(s.clone()),
            Scalar::Int(i) => Value::from(*i),
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
            Scalar::Time(t) => {
                Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
            }
        }
    }
}

/// Which field a filter reads.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldRef {
    Std(&'static FieldSpec),
    Custom { key: String, ty: FieldType },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub field: FieldRef,
    pub op: Op,
    /// One value, several for `in`/`nin`, a `Bool` for `null`.
    pub values: Vec<Scalar>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SortKey {
    pub field: &'static FieldSpec,
    pub desc: bool,
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq)]
pub struct After {
    /// Values of the sort keys on the last row, in order.
    pub keys: Vec<Scalar>,
    /// The last row's insertion sequence: the tie-breaker of every order.
    pub seq: i64,
}

/// Which records a list shows with respect to the trash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trash {
    /// Live records only (the default).
    Exclude,
    /// Only records in the trash.
    Only,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub q: Option<String>,
    pub filters: Vec<Filter>,
    /// Empty means newest first.
    pub sort: Vec<SortKey>,
    pub limit: usize,
    pub after: Option<After>,
    pub trash: Trash,
    /// Identifies the query (not the page) so that a cursor is only used with its own.
    pub fingerprint: String,
    /// Only the records in the caller's view; `None`: all.
    /// Set by the application, never parsed from the request.
    pub view: Option<std::sync::Arc<crate::roles::View>>,
}

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;
pub const MAX_SORT_KEYS: usize = 3;
pub const MAX_IN_VALUES: usize = 100;
/// The most `filter[...]` parameters one list request may carry. Each becomes a condition
/// of one SQL statement; a URL of thousands would make a statement the database refuses
/// (SQLite nests at most 1,000 expressions) or a slow one. A person's view has a handful.
pub const MAX_FILTERS: usize = 30;

#[derive(Serialize, Deserialize)]
struct CursorWire {
    /// Query fingerprint.
    f: String,
    /// Sort key values.
    k: Vec<Value>,
    /// Sequence of the last row.
    s: i64,
}

/// The opaque `next_cursor` for a page whose last row had these sort values.
pub fn encode_cursor(q: &ListQuery, keys: &[Scalar], seq: i64) -> String {
    let wire = CursorWire {
        f: q.fingerprint.clone(),
        k: keys.iter().map(Scalar::to_json).collect(),
        s: seq,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).unwrap_or_default())
}

/// Reads `GET /api/v1/{kind}` parameters. `kind` seeds the fingerprint; `fields` are the
/// kind's own, `custom` its custom field definitions.
pub fn parse_list(
    kind: &str,
    params: &[(String, String)],
    fields: &'static [FieldSpec],
    custom: &[CustomField],
) -> Result<ListQuery, Violations> {
    let mut c = Check::new();
    let mut q = None;
    let mut filters = Vec::new();
    let mut sort = Vec::new();
    let mut limit = DEFAULT_LIMIT;
    let mut cursor = None;
    let mut trash = Trash::Exclude;
    let mut canon: Vec<String> = Vec::new();
    let mut filter_params = 0usize;
    let lookup = |name: &str| fields.iter().chain(COMMON_FIELDS).find(|f| f.name == name);

    for (key, value) in params {
        match key.as_str() {
            "q" => {
                let v = value.trim();
                if v.chars().count() > 200 {
                    c.add("q", Code::TooLong, "must be at most 200 characters");
                } else if !v.is_empty() {
                    q = Some(v.to_owned());
                    canon.push(format!("q={v}"));
                }
            }
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => limit = n,
                _ => c.add(
                    "limit",
                    Code::OutOfRange,
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                ),
            },
            // Empty, as a form's blank field sends it: the first page.
            "cursor" => cursor = (!value.is_empty()).then(|| value.clone()),
            "trashed" => match value.as_str() {
                "true" | "1" => {
                    trash = Trash::Only;
                    canon.push("trashed".into());
                }
                "false" | "0" => {}
                _ => c.add("trashed", Code::Invalid, "must be true or false"),
            },
            "sort" => {
                canon.push(format!("sort={value}"));
                // One part past the most keeps a long list from naming each one wrong.
                let parts = value.split(',').map(str::trim).filter(|p| !p.is_empty());
                for part in parts.take(MAX_SORT_KEYS + 1) {
                    let (desc, name) = match part.strip_prefix('-') {
                        Some(n) => (true, n),
                        None => (false, part.strip_prefix('+').unwrap_or(part)),
                    };
                    match lookup(name) {
                        Some(f) if f.sortable => {
                            if sort.iter().any(|s: &SortKey| s.field.name == name) {
                                c.add("sort", Code::Invalid, format!("'{name}' is named twice"));
                            } else {
                                sort.push(SortKey { field: f, desc });
                            }
                        }
                        _ => {
                            let names: Vec<&str> = fields
                                .iter()
                                .chain(COMMON_FIELDS)
                                .filter(|f| f.sortable)
                                .map(|f| f.name)
                                .collect();
                            c.add(
                                "sort",
                                Code::Invalid,
                                format!("cannot sort by '{name}'; sortable: {}", names.join(", ")),
                            );
                        }
                    }
                }
                if sort.len() > MAX_SORT_KEYS {
                    c.add("sort", Code::TooMany, format!("at most {MAX_SORT_KEYS} sort fields"));
                }
            }
            k if k.starts_with("filter[") => {
                filter_params += 1;
                if filter_params > MAX_FILTERS {
                    if filter_params == MAX_FILTERS + 1 {
                        c.add(
                            "filter",
                            Code::TooMany,
                            format!("at most {MAX_FILTERS} filters"),
                        );
                    }
                    continue;
                }
                match parse_filter_key(k) {
                    Some((name, op)) => {
                        let param = k.to_owned();
                        let op = match op {
                            None => None,
                            Some(o) => match Op::parse(o) {
                                Some(op) => Some(op),
                                None => {
                                    c.add(
                                        &param,
                                        Code::Invalid,
                                        format!("unknown operator '{o}'; use eq, ne, gt, gte, lt, lte, in, nin, contains or null"),
                                    );
                                    continue;
                                }
                            },
                        };
                        let field = if let Some(ck) = name.strip_prefix("custom.") {
                            match custom.iter().find(|d| d.data.key == ck) {
                                Some(d) => FieldRef::Custom {
                                    key: ck.to_owned(),
                                    ty: d.data.field_type,
                                },
                                None => {
                                    c.add(
                                        &param,
                                        Code::UnknownField,
                                        format!("there is no custom field '{ck}'"),
                                    );
                                    continue;
                                }
                            }
                        } else {
                            match lookup(name) {
                                Some(f) => FieldRef::Std(f),
                                None => {
                                    c.add(
                                        &param,
                                        Code::UnknownField,
                                        format!("cannot filter by '{name}'"),
                                    );
                                    continue;
                                }
                            }
                        };
                        let op = op.unwrap_or(Op::Eq);
                        match parse_filter(&field, op, value) {
                            Ok(f) => {
                                canon.push(format!("{k}={value}"));
                                filters.push(f);
                            }
                            Err(msg) => c.add(&param, Code::Invalid, msg),
                        }
                    }
                    None => c.add(
                        k,
                        Code::Invalid,
                        "write filters as filter[field]=value or filter[field][op]=value",
                    ),
                }
            }
            other => c.add(
                other,
                Code::UnknownField,
                format!("unknown parameter '{other}'; use q, filter[...], sort, limit, cursor or trashed"),
            ),
        }
    }

    canon.sort();
    let fingerprint = {
        let mut h = Sha256::new();
        h.update(kind.as_bytes());
        for part in &canon {
            h.update([0u8]);
            h.update(part.as_bytes());
        }
        hex::encode(&h.finalize()[..8])
    };

    let after = match cursor {
        None => None,
        Some(cur) => match decode_cursor(&cur, &fingerprint, &sort) {
            Ok(a) => Some(a),
            Err(msg) => {
                c.add("cursor", Code::Invalid, msg);
                None
            }
        },
    };
    c.finish()?;
    Ok(ListQuery {
        q,
        filters,
        sort,
        limit,
        after,
        trash,
        fingerprint,
        view: None,
    })
}

/// `filter[name]` or `filter[name][op]`.
fn parse_filter_key(k: &str) -> Option<(&str, Option<&str>)> {
    let rest = k.strip_prefix("filter[")?;
    let (name, rest) = rest.split_once(']')?;
    if name.is_empty() {
        return None;
    }
    if rest.is_empty() {
        return Some((name, None));
    }
    let op = rest.strip_prefix('[')?.strip_suffix(']')?;
    Some((name, Some(op)))
}

fn parse_filter(field: &FieldRef, op: Op, raw: &str) -> Result<Filter, String> {
    if op == Op::Null {
        let b = parse_bool(raw).ok_or("null takes true or false")?;
        return Ok(Filter {
            field: field.clone(),
            op,
            values: vec![Scalar::Bool(b)],
        });
    }
    let allowed: &[Op] = match field {
        FieldRef::Std(f) => match f.kind {
            ValueKind::Text => &[
                Op::Eq,
                Op::Ne,
                Op::In,
                Op::Nin,
                Op::Contains,
                Op::Gt,
                Op::Gte,
                Op::Lt,
                Op::Lte,
            ],
            ValueKind::Enum(_) | ValueKind::Id => &[Op::Eq, Op::Ne, Op::In, Op::Nin],
            ValueKind::Bool => &[Op::Eq, Op::Ne],
            ValueKind::Date | ValueKind::Time | ValueKind::Int => &[
                Op::Eq,
                Op::Ne,
                Op::In,
                Op::Nin,
                Op::Gt,
                Op::Gte,
                Op::Lt,
                Op::Lte,
            ],
            ValueKind::Tags => &[Op::Eq, Op::In, Op::Nin],
        },
        FieldRef::Custom { ty, .. } => match ty {
            FieldType::Text | FieldType::Select => &[Op::Eq, Op::Ne, Op::In, Op::Nin],
            FieldType::Boolean => &[Op::Eq, Op::Ne],
            FieldType::Date | FieldType::Number => &[
                Op::Eq,
                Op::Ne,
                Op::In,
                Op::Nin,
                Op::Gt,
                Op::Gte,
                Op::Lt,
                Op::Lte,
            ],
            FieldType::MultiSelect => &[Op::Eq],
            FieldType::Money => &[],
        },
    };
    if !allowed.contains(&op) {
        let names: Vec<&str> = allowed.iter().map(Op::as_str).chain(["null"]).collect();
        return Err(format!(
            "operator '{}' does not apply here; use {}",
            op.as_str(),
            names.join(", ")
        ));
    }
    let raws: Vec<&str> = if matches!(op, Op::In | Op::Nin) {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        vec![raw.trim()]
    };
    if raws.is_empty() {
        return Err("needs at least one value".into());
    }
    if raws.len() > MAX_IN_VALUES {
        return Err(format!("at most {MAX_IN_VALUES} values"));
    }
    let values = raws
        .into_iter()
        .map(|r| parse_value(field, r, op))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Filter {
        field: field.clone(),
        op,
        values,
    })
}

fn parse_value(field: &FieldRef, raw: &str, op: Op) -> Result<Scalar, String> {
    if raw.chars().count() > 500 {
        return Err("value too long".into());
    }
    match field {
        FieldRef::Std(f) => parse_std(f.kind, raw, op),
        FieldRef::Custom { ty, .. } => match ty {
            FieldType::Boolean => parse_bool(raw)
                .map(Scalar::Bool)
                .ok_or_else(|| "must be true or false".into()),
            FieldType::Date => parse_date(raw).map(Scalar::Date),
            FieldType::Number => raw
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|_| Scalar::Text(raw.to_owned()))
                .ok_or_else(|| "must be a number".into()),
            _ => Ok(Scalar::Text(raw.to_owned())),
        },
    }
}

fn parse_std(kind: ValueKind, raw: &str, op: Op) -> Result<Scalar, String> {
    match kind {
        ValueKind::Text | ValueKind::Tags => {
            if raw.is_empty() && !op.is_range() {
                Err("needs a value (use [null]=true for empty)".into())
            } else {
                Ok(Scalar::Text(raw.to_owned()))
            }
        }
        ValueKind::Enum(allowed) => {
            if allowed.contains(&raw) {
                Ok(Scalar::Text(raw.to_owned()))
            } else {
                Err(format!("'{raw}' is not one of: {}", allowed.join(", ")))
            }
        }
        ValueKind::Id => raw
            .parse::<Id>()
            .map(|id| Scalar::Text(id.to_string()))
            .map_err(|_| format!("'{raw}' is not an id")),
        ValueKind::Bool => parse_bool(raw)
            .map(Scalar::Bool)
            .ok_or_else(|| "must be true or false".into()),
        ValueKind::Int => raw
            .parse::<i64>()
            .map(Scalar::Int)
            .map_err(|_| "must be a whole number".into()),
        ValueKind::Date => parse_date(raw).map(Scalar::Date),
        ValueKind::Time => parse_time(raw).map(Scalar::Time),
    }
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| format!("'{raw}' is not a date (YYYY-MM-DD)"))
}

/// RFC 3339, or a bare date meaning its midnight UTC.
fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    parse_date(raw)
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc())
        .ok_or_else(|| {
            format!("'{raw}' is not a time (RFC 3339, e.g. 2026-11-22T14:03:00Z) or a date")
        })
}

fn decode_cursor(raw: &str, fingerprint: &str, sort: &[SortKey]) -> Result<After, String> {
    let bad = || "this cursor is damaged; start again without one".to_owned();
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| bad())?;
    let wire: CursorWire = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if wire.f != fingerprint {
        return Err(
            "this cursor belongs to another query (q, filters, sort or trashed differ)".into(),
        );
    }
    if wire.k.len() != sort.len() {
        return Err(bad());
    }
    let keys = sort
        .iter()
        .zip(wire.k)
        .map(|(s, v)| match v {
            Value::Null => Ok(Scalar::Null),
            Value::String(raw) => parse_std(s.field.kind, &raw, Op::Gt).map_err(|_| bad()),
            Value::Number(n) => n.as_i64().map(Scalar::Int).ok_or_else(bad),
            Value::Bool(b) => Ok(Scalar::Bool(b)),
            _ => Err(bad()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(After { keys, seq: wire.s })
}

#[cfg(test)]
mod tests {
    use super::*;

    static FIELDS: &[FieldSpec] = &[
        FieldSpec::new("last_name", ValueKind::Text)
            .sortable()
            .not_null(),
        FieldSpec::new("birthday", ValueKind::Date).sortable(),
        FieldSpec::new("kind", ValueKind::Enum(&["customer", "prospect"])).not_null(),
    ];

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn fields_of(e: Violations) -> Vec<String> {
        e.0.into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn parses_filters_sort_and_limit() {
        let q = parse_list(
            "contacts",
            &p(&[
                ("q", " garcía "),
                ("filter[kind]", "customer"),
                ("filter[birthday][gte]", "1980-01-01"),
                ("filter[tags][in]", "vip,gold"),
                ("sort", "-updated_at,last_name"),
                ("limit", "10"),
            ]),
            FIELDS,
            &[],
        )
        .unwrap();
        assert_eq!(q.q.as_deref(), Some("garcía"));
        assert_eq!(q.filters.len(), 3);
        assert_eq!(q.filters[1].op, Op::Gte);
        assert_eq!(q.filters[2].values.len(), 2);
        assert_eq!(q.sort.len(), 2);
        assert!(q.sort[0].desc);
        assert_eq!(q.limit, 10);
    }

    #[test]
    fn more_filters_than_the_most_are_one_error() {
        let at_most: Vec<(String, String)> = (0..MAX_FILTERS)
            .map(|i| ("filter[last_name][ne]".to_owned(), format!("x{i}")))
            .collect();
        assert_eq!(
            parse_list("contacts", &at_most, FIELDS, &[])
                .unwrap()
                .filters
                .len(),
            MAX_FILTERS
        );
        let many: Vec<(String, String)> = (0..5_000)
            .map(|i| ("filter[last_name][ne]".to_owned(), format!("x{i}")))
            .collect();
        let e = parse_list("contacts", &many, FIELDS, &[]).unwrap_err();
        assert_eq!(fields_of(e), ["filter"]);
        // Brackets nested deep are one unknown operator, not a deeper parse.
        let deep = format!("filter[last_name]{}", "[x]".repeat(50_000));
        let e = parse_list("contacts", &p(&[(&deep, "a")]), FIELDS, &[]).unwrap_err();
        assert_eq!(e.0.len(), 1);
        // A sort of thousands of unknown names is named a handful of times, not each.
        let sort = vec!["nope"; 10_000].join(",");
        let e = parse_list("contacts", &p(&[("sort", &sort)]), FIELDS, &[]).unwrap_err();
        assert!(e.0.len() <= MAX_SORT_KEYS + 1, "{}", e.0.len());
    }

    #[test]
    fn names_every_bad_parameter() {
        let e = parse_list(
            "contacts",
            &p(&[
                ("filter[colour]", "x"),
                ("filter[kind]", "martian"),
                ("filter[birthday][near]", "x"),
                ("sort", "colour"),
                ("limit", "0"),
                ("page", "2"),
            ]),
            FIELDS,
            &[],
        )
        .unwrap_err();
        assert_eq!(
            fields_of(e),
            vec![
                "filter[colour]",
                "filter[kind]",
                "filter[birthday][near]",
                "sort",
                "limit",
                "page"
            ]
        );
    }

    #[test]
    fn cursor_only_fits_its_own_query() {
        let q = parse_list("contacts", &p(&[("sort", "last_name")]), FIELDS, &[]).unwrap();
        let cur = encode_cursor(&q, &[Scalar::Text("Gómez".into())], 42);
        let again = parse_list(
            "contacts",
            &p(&[("sort", "last_name"), ("cursor", &cur), ("limit", "5")]),
            FIELDS,
            &[],
        )
        .unwrap();
        assert_eq!(
            again.after,
            Some(After {
                keys: vec![Scalar::Text("Gómez".into())],
                seq: 42
            })
        );
        let other = parse_list(
            "contacts",
            &p(&[("sort", "-last_name"), ("cursor", &cur)]),
            FIELDS,
            &[],
        )
        .unwrap_err();
        assert_eq!(fields_of(other), vec!["cursor"]);
        let damaged = parse_list("contacts", &p(&[("cursor", "%%%")]), FIELDS, &[]).unwrap_err();
        assert_eq!(fields_of(damaged), vec!["cursor"]);
    }

    #[test]
    fn fingerprint_ignores_parameter_order_and_limit() {
        let a = parse_list(
            "c",
            &p(&[("q", "x"), ("filter[kind]", "customer")]),
            FIELDS,
            &[],
        )
        .unwrap();
        let b = parse_list(
            "c",
            &p(&[("filter[kind]", "customer"), ("limit", "3"), ("q", "x")]),
            FIELDS,
            &[],
        )
        .unwrap();
        assert_eq!(a.fingerprint, b.fingerprint);
    }
}
