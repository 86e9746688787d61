//! Notes: free text attached to any record.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::record::{Meta, RecordKind};
use crate::validate::{Check, clean};

pub const MAX_NOTE_CHARS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteData {
    /// The text of the note; plain text, line breaks kept.
    #[schema(example = "Llamó por la demora del envío; prometimos respuesta el lunes.")]
    pub body: String,
}

impl NoteData {
    pub fn normalize(&mut self) {
        clean(&mut self.body);
    }

    pub fn validate(&self, c: &mut Check) {
        c.required("body", &self.body);
        c.max_chars("body", &self.body, MAX_NOTE_CHARS);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Note {
    pub id: Id,
    /// The kind of record the note is on.
    pub record_kind: RecordKind,
    pub record_id: Id,
    #[serde(flatten)]
    pub data: NoteData,
    #[serde(flatten)]
    pub meta: Meta,
}
