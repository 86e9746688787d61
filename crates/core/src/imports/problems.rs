//! Why a row of an import was rejected or skipped, said twice: in English words for the
//! API (`message`, as it always was) and as a code with its blanks, so that a page can
//! say the same in its reader's language. A leaf: the readers, the mapping and the app's
//! runs all make problems, and none of them needs the others for it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::record::RecordKind;
use crate::validate::{Code, Violation};

/// What kind of problem a [`CellProblem`] is; each names the fields that fill its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// `value` is no date.
    NotADate,
    /// `value` names a day its month does not have (`31/02/2026`).
    NoSuchDay,
    /// `value` names a month past 12.
    NoSuchMonth,
    /// `value` is no number.
    NotANumber,
    /// `value` is neither yes nor no.
    NotYesNo,
    /// The row has bytes the file's encoding (`value`) cannot decode.
    BadEncoding,
    /// The row has `cells` cells where the header has `columns`.
    CellCount,
    /// A cell of the column named `value` holds a NUL character.
    NulCell,
    /// The record's field breaks a rule: `violation` is the rule, `field` the path.
    Invalid,
    /// An existing record of `kind` has the same key (`field`: email, tax_id,
    /// external_id); `name` is the record's, absent when it is outside the view.
    SameKey,
    /// An earlier `row` of the file has the same key (`field`); with `kind`, that row's
    /// record (`name` absent when it is outside the view).
    RepeatsRow,
    /// An earlier `row` of the file already updates the same record, of `kind`.
    AlreadyUpdated,
    /// The row matched a record and would change nothing in it.
    NothingNew,
}

/// One problem of a row: the column's header name (empty for the row as a whole), the
/// reason in English, and the same reason as a code and its blanks. Rows stored before
/// the code existed have only the message; the blanks a code does not use are left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CellProblem {
    pub column: String,
    /// The reason in English.
    pub message: String,
    /// The reason for a reader in any language (see `ProblemCode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ProblemCode>,
    /// With `invalid`: the rule broken, as in any write's violations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation: Option<Code>,
    /// The record's field (`emails[0].address`), or the key two records share (`email`,
    /// `tax_id`, `external_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The cell's text; for a row's problem, the encoding or the column's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The earlier row of the file this one repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<i64>,
    /// The kind of the other record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RecordKind>,
    /// The other record's name; never given for a record outside the importer's view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// With `cell_count`: the row's cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cells: Option<u64>,
    /// With `cell_count`: the header's columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<u64>,
}

impl CellProblem {
    /// A problem with `code` and its English `message`; the blanks are set after.
    pub fn new(code: ProblemCode, message: impl Into<String>) -> CellProblem {
        CellProblem {
            message: message.into(),
            code: Some(code),
            ..CellProblem::default()
        }
    }

    /// A record's violation, its field's column still to be found.
    pub fn violation(v: Violation) -> CellProblem {
        CellProblem {
            message: v.message,
            code: Some(ProblemCode::Invalid),
            violation: Some(v.code),
            field: Some(v.field),
            ..CellProblem::default()
        }
    }

    pub fn in_column(mut self, column: impl Into<String>) -> CellProblem {
        self.column = column.into();
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> CellProblem {
        self.field = Some(field.into());
        self
    }

    pub fn row(mut self, row: i64) -> CellProblem {
        self.row = Some(row);
        self
    }

    /// The other record: its kind, and its name only when the importer may see it.
    pub fn other(mut self, kind: RecordKind, name: Option<String>) -> CellProblem {
        self.kind = Some(kind);
        self.name = name;
        self
    }
}

/// A cell that could not be read as its field's value: which problem, the cell's text,
/// and the English sentence (the [`CellProblem`]'s message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BadCell {
    pub code: ProblemCode,
    pub value: String,
    pub message: String,
}

impl BadCell {
    pub fn new(code: ProblemCode, value: impl Into<String>, message: String) -> BadCell {
        BadCell {
            code,
            value: value.into(),
            message,
        }
    }

    /// This cell's problem, under `column`.
    pub fn problem(self, column: String) -> CellProblem {
        CellProblem {
            column,
            message: self.message,
            code: Some(self.code),
            value: Some(self.value),
            ..CellProblem::default()
        }
    }
}

/// What is wrong with a row as a row, before its cells are read as values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    /// Bytes the encoding (its name) cannot decode.
    Encoding(String),
    /// Cells the row has, and the header's columns.
    Cells { cells: usize, columns: usize },
    /// A cell of this column holds a NUL.
    Nul(String),
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowProblem::Encoding(enc) => {
                write!(
                    f,
                    "has bytes that are not {enc}; choose the file's encoding"
                )
            }
            RowProblem::Cells { cells, columns } => {
                write!(f, "has {cells} cells; the header has {columns} columns")
            }
            RowProblem::Nul(column) => write!(
                f,
                "has a cell in column '{column}' that {}",
                crate::text::NUL_REFUSED
            ),
        }
    }
}

impl RowProblem {
    /// The row's problem as stored with it: the English sentence starts "the row".
    pub fn problem(&self) -> CellProblem {
        let message = format!("the row {self}");
        match self {
            RowProblem::Encoding(enc) => CellProblem {
                value: Some(enc.clone()),
                ..CellProblem::new(ProblemCode::BadEncoding, message)
            },
            RowProblem::Cells { cells, columns } => CellProblem {
                cells: u64::try_from(*cells).ok(),
                columns: u64::try_from(*columns).ok(),
                ..CellProblem::new(ProblemCode::CellCount, message)
            },
            RowProblem::Nul(column) => CellProblem {
                value: Some(column.clone()),
                ..CellProblem::new(ProblemCode::NulCell, message)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_rows_without_a_code_still_read_and_new_ones_leave_out_empty_blanks() {
        let old: CellProblem =
            serde_json::from_str(r#"{"column":"Email","message":"is not valid"}"#).unwrap();
        assert_eq!(old.code, None);
        assert_eq!(old.message, "is not valid");
        let p = CellProblem::new(ProblemCode::RepeatsRow, "repeats the email of row 3")
            .field("email")
            .row(3);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"column": "", "message": "repeats the email of row 3",
                "code": "repeats_row", "field": "email", "row": 3})
        );
        assert_eq!(serde_json::from_value::<CellProblem>(json).unwrap(), p);
    }

    #[test]
    fn row_problems_keep_their_english_sentence() {
        let p = RowProblem::Cells {
            cells: 6,
            columns: 5,
        }
        .problem();
        assert_eq!(p.message, "the row has 6 cells; the header has 5 columns");
        assert_eq!((p.cells, p.columns), (Some(6), Some(5)));
    }
}
