//! The kinds kept by the generic record storage (`records::Table`), one line each in
//! [`REGISTRY`]: what generic code (backup's reindex, the app's link checks) asks of a
//! kind without naming its type. The kinds table in core (`Facts::generic`) says which
//! kinds must be here, and a test holds the two together.

use std::collections::HashSet;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::activities::ActivityData;
use cartera_core::contacts::ContactData;
use cartera_core::deals::DealData;
use cartera_core::leads::LeadData;
use cartera_core::record::RecordKind;

use crate::db::{Conn, Result};
use crate::records::{self, Table};

/// A boxed future, so that a kind's entry can be a trait object.
pub type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A kind of the generic record storage, its type erased.
pub trait AnyTable: Send + Sync {
    fn kind(&self) -> RecordKind;

    /// The table its records are kept in.
    fn table(&self) -> &'static str;

    /// Rebuilds its full-text index from its records; returns how many were indexed.
    fn reindex<'a>(&self, c: &'a mut Conn) -> Fut<'a, Result<u64>>;
}

/// The entry of kind `D`.
pub struct Of<D>(PhantomData<fn() -> D>);

impl<D: Table> AnyTable for Of<D> {
    fn kind(&self) -> RecordKind {
        D::KIND
    }

    fn table(&self) -> &'static str {
        D::TABLE
    }

    fn reindex<'a>(&self, c: &'a mut Conn) -> Fut<'a, Result<u64>> {
        Box::pin(records::reindex::<D>(c))
    }
}

/// Every kind of the generic record storage, one line each.
pub static REGISTRY: &[&dyn AnyTable] = &[
    &Of::<AccountData>(PhantomData),
    &Of::<ContactData>(PhantomData),
    &Of::<LeadData>(PhantomData),
    &Of::<ActivityData>(PhantomData),
    &Of::<DealData>(PhantomData),
];

/// The entry of `kind`, if the generic record storage keeps it.
pub fn of(kind: RecordKind) -> Option<&'static dyn AnyTable> {
    REGISTRY.iter().copied().find(|k| k.kind() == kind)
}

/// Which of `ids` are live records of `kind` (none for a kind the generic storage does
/// not keep).
pub async fn live_ids(c: &mut Conn, kind: RecordKind, ids: &[Id]) -> Result<HashSet<Id>> {
    match of(kind) {
        Some(k) => records::live_ids(c, k.table(), ids).await,
        None => Ok(HashSet::new()),
    }
}

/// Rebuilds the full-text index of every kind (a backup carries no index); returns how
/// many records were indexed.
pub async fn reindex_all(c: &mut Conn) -> Result<u64> {
    let mut indexed = 0;
    for k in REGISTRY {
        indexed += k.reindex(c).await?;
    }
    Ok(indexed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_holds_exactly_the_generic_kinds() {
        let mut registered: Vec<RecordKind> = REGISTRY.iter().map(|k| k.kind()).collect();
        registered.sort();
        let before = registered.len();
        registered.dedup();
        assert_eq!(before, registered.len(), "a kind registered twice");
        let mut generic: Vec<RecordKind> = RecordKind::all_where(|f| f.generic).collect();
        generic.sort();
        assert_eq!(registered, generic);
        // So every kind in the search box has its index rebuilt after a restore.
        for k in RecordKind::all_where(|f| f.searchable) {
            assert!(of(k).is_some(), "{} has no reindexer", k.as_str());
        }
    }

    #[test]
    fn a_kind_is_kept_in_the_table_its_plural_names() {
        for k in REGISTRY {
            assert_eq!(k.table(), k.kind().plural());
        }
    }
}
