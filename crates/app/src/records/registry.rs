//! The kinds the generic record machinery serves, one line each in [`REGISTRY`]: what
//! generic use cases (notes, the audit trail, link checks, the search box) ask of a kind
//! without naming its type. The kinds table in core (`Facts::generic`) says which kinds
//! must be here, and a test holds the two together.

use std::collections::HashSet;
use std::marker::PhantomData;

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::activities::ActivityData;
use cartera_core::contacts::ContactData;
use cartera_core::deals::DealData;
use cartera_core::leads::LeadData;
use cartera_core::record::RecordKind;
use cartera_store::Conn;
use cartera_store::kinds::Fut;

use crate::{Actor, App, AppError, Result};

use super::kind::Kind;
use super::reads::list;
use super::visibility::{load_visible, visible_ids};

/// A record as a search result names it.
pub struct Found {
    pub id: Id,
    pub title: String,
    pub subtitle: Option<String>,
}

/// A kind of the generic record machinery, its type erased.
pub trait AnyKind: Send + Sync {
    fn kind(&self) -> RecordKind;

    /// Answers 404 unless record `id` is live and in the actor's view.
    fn require_visible<'a>(
        &self,
        conn: &'a mut Conn,
        actor: &'a Actor,
        id: Id,
    ) -> Fut<'a, Result<()>>;

    /// Which of `ids` are live records in the actor's view.
    fn visible_ids<'a>(
        &self,
        conn: &'a mut Conn,
        actor: &'a Actor,
        ids: &'a [Id],
    ) -> Fut<'a, Result<HashSet<Id>>>;

    /// Up to `limit` records in the actor's view that match `q`, as a list searches.
    fn search<'a>(
        &self,
        app: &'a App,
        actor: &'a Actor,
        q: &'a str,
        limit: usize,
    ) -> Fut<'a, Result<Vec<Found>>>;
}

/// The entry of kind `D`.
pub struct Of<D>(PhantomData<fn() -> D>);

impl<D: Kind> AnyKind for Of<D> {
    fn kind(&self) -> RecordKind {
        D::KIND
    }

    fn require_visible<'a>(
        &self,
        conn: &'a mut Conn,
        actor: &'a Actor,
        id: Id,
    ) -> Fut<'a, Result<()>> {
        Box::pin(async move { load_visible::<D>(conn, actor, id).await.map(|_| ()) })
    }

    fn visible_ids<'a>(
        &self,
        conn: &'a mut Conn,
        actor: &'a Actor,
        ids: &'a [Id],
    ) -> Fut<'a, Result<HashSet<Id>>> {
        Box::pin(visible_ids::<D>(conn, actor, ids))
    }

    fn search<'a>(
        &self,
        app: &'a App,
        actor: &'a Actor,
        q: &'a str,
        limit: usize,
    ) -> Fut<'a, Result<Vec<Found>>> {
        Box::pin(async move {
            let params = [
                ("q".to_owned(), q.to_owned()),
                ("limit".to_owned(), limit.to_string()),
            ];
            Ok(list::<D>(app, actor, &params)
                .await?
                .rows
                .into_iter()
                .map(|r| Found {
                    id: r.id,
                    title: r.data.title(),
                    subtitle: r.data.subtitle(),
                })
                .collect())
        })
    }
}

/// Every kind of the generic record machinery, one line each.
pub static REGISTRY: &[&dyn AnyKind] = &[
    &Of::<AccountData>(PhantomData),
    &Of::<ContactData>(PhantomData),
    &Of::<LeadData>(PhantomData),
    &Of::<ActivityData>(PhantomData),
    &Of::<DealData>(PhantomData),
];

/// The entry of `kind`, if the generic record machinery serves it.
pub fn of(kind: RecordKind) -> Option<&'static dyn AnyKind> {
    REGISTRY.iter().copied().find(|k| k.kind() == kind)
}

/// Answers 404 unless record `id` of `kind` is live and in the actor's view (what notes
/// hang on and what the audit trail of a limited viewer may show); a kind the generic
/// machinery does not serve has no such record.
pub(crate) async fn require_visible(
    conn: &mut Conn,
    actor: &Actor,
    kind: RecordKind,
    id: Id,
) -> Result<()> {
    match of(kind) {
        Some(k) => k.require_visible(conn, actor, id).await,
        None => Err(AppError::NotFound),
    }
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
        // The store keeps the same kinds.
        let mut stored: Vec<RecordKind> = cartera_store::kinds::REGISTRY
            .iter()
            .map(|k| k.kind())
            .collect();
        stored.sort();
        assert_eq!(registered, stored);
        // The search box and the audit trail of a limited viewer ask these entries.
        for k in RecordKind::all_where(|f| f.searchable || f.open_trail) {
            assert!(of(k).is_some(), "{} is not registered", k.as_str());
        }
    }
}
