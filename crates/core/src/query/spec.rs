//! What a kind's listable fields are: names and value types. No dependencies, so every
//! module (`record` among them) can name them without an import circle.

/// The type of a listable field, which decides how filter values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Enum(&'static [&'static str]),
    Id,
    Bool,
    Date,
    Time,
    Int,
    Tags,
}

/// A field that lists can filter on, and maybe sort by.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: ValueKind,
    pub sortable: bool,
    /// Whether the stored value can be null (sort puts nulls last).
    pub nullable: bool,
}

impl FieldSpec {
    pub const fn new(name: &'static str, kind: ValueKind) -> Self {
        FieldSpec {
            name,
            kind,
            sortable: false,
            nullable: true,
        }
    }

    pub const fn sortable(mut self) -> Self {
        self.sortable = true;
        self
    }

    pub const fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }
}
