//! Creating, changing, listing, trashing and restoring records of any kind, one at a time
//! or in bulk. Every write validates the whole record, checks its links and duplicates,
//! bumps its version and writes its audit event in the same transaction.

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};

use cartera_core::query::{ListQuery, encode_cursor, parse_list};
use cartera_core::record::{KeyKind, Record};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Id, Violation, Violations};
use cartera_store::records::{self as store, Table};
use cartera_store::{Conn, custom_fields as defs_store};

use crate::settings::Settings;
use crate::{Actor, App, AppError, Result};

mod batch;
mod bulk;
mod merge;
mod visibility;
mod writes;

pub(crate) use batch::Batch;
pub(crate) use bulk::rewrite;
pub use bulk::{BulkInput, BulkOutcome, MAX_BULK, bulk};
pub use merge::{Merge, merge};
pub(crate) use visibility::{in_view, require_visible, visible_of};
pub use visibility::{load_live, load_visible};
pub(crate) use writes::{Naming, create_in, write_update};
pub use writes::{create, delete, restore, update};

/// The rules of a record kind beyond its own fields.
pub trait Kind: Table {
    /// Rules on a change from `old` (none for a creation) to `new`.
    fn check_transition(_old: Option<&Self>, _new: &Self, _c: &mut Check) {}

    /// Rules that read the database (e.g. no loops in an org chart).
    fn check_links<'a>(
        _conn: &'a mut Conn,
        _id: Id,
        _new: &'a Self,
        _c: &'a mut Check,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        async { Ok(()) }
    }

    /// Work that follows a stored write inside its transaction (an activity's reminders
    /// and follow-ups): `old` is `None` for a creation, `new` is what was stored (in the
    /// trash after a delete). `prefix` starts the names of fields in errors (`create[2].`).
    fn after_write<'a>(
        _conn: &'a mut Conn,
        _now: DateTime<Utc>,
        _old: Option<&'a Record<Self>>,
        _new: &'a Record<Self>,
        _prefix: &'a str,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        async { Ok(()) }
    }

    /// Whether writes call [`Kind::resolve`].
    const RESOLVES: bool = false;

    /// Fills in and checks what needs the database (a deal's stage and catalogue
    /// prices), after the record is read and checked on its own and before it is
    /// stored; `old` is the stored version of a change. Violations go to `c`.
    fn resolve<'a>(
        _conn: &'a mut Conn,
        _actor: &'a Actor,
        _old: Option<&'a Self>,
        _new: &'a mut Self,
        _now: DateTime<Utc>,
        _c: &'a mut Check,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        async { Ok(()) }
    }

    /// Whether writes need the company settings (to fill in what they decide).
    const USES_SETTINGS: bool = false;

    /// Fills in what the company settings decide (e.g. the mileage rate), after the
    /// input is read and before it is checked; `old` is the stored version of a change.
    fn complete(&mut self, _old: Option<&Self>, _settings: &Settings) {}

    /// The field a duplicate key is reported on.
    fn key_field(kind: KeyKind) -> &'static str {
        match kind {
            KeyKind::Email => "emails",
            KeyKind::TaxId => "tax_id",
            KeyKind::Name => "name",
        }
    }
}

/// What a list returns: a page and the cursor of the next.
pub struct Listed<D> {
    pub rows: Vec<Record<D>>,
    pub next_cursor: Option<String>,
}

/// Options of a write.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions {
    /// Write even when the record looks like an existing one.
    pub allow_duplicate: bool,
}

// The audit-event helpers moved to the leaf `events`; these names stay for the callers
// that still reach them through `records` (`crate::events::{event, changed_fields}` is
// the path that makes no import circle).
pub(crate) use crate::events::{changed_fields, event};

pub(super) fn today(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive()
}

/// Re-roots violations under a bulk item's path (`create[3].`).
pub(super) fn prefixed(v: Violations, prefix: &str) -> Vec<Violation> {
    v.0.into_iter()
        .map(|mut x| {
            x.field = if x.field.is_empty() {
                prefix.trim_end_matches('.').to_owned()
            } else {
                format!("{prefix}{}", x.field)
            };
            x
        })
        .collect()
}

pub async fn get<D: Kind>(app: &App, actor: &Actor, id: Id) -> Result<Record<D>> {
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    load_visible::<D>(&mut conn, actor, id).await
}

pub async fn list<D: Kind>(
    app: &App,
    actor: &Actor,
    params: &[(String, String)],
) -> Result<Listed<D>> {
    actor.permit(Module::of(D::KIND), Action::Read)?;
    let mut conn = app.db.reader().await?;
    // Custom field definitions matter only to filters that name one.
    let defs = if params.iter().any(|(k, _)| k.starts_with("filter[custom.")) {
        defs_store::list(&mut conn, Some(D::KIND)).await?
    } else {
        Vec::new()
    };
    let mut q: ListQuery =
        parse_list(D::KIND.plural(), params, D::fields(), &defs).map_err(AppError::BadQuery)?;
    q.view = actor.view.clone();
    let page = store::list::<D>(&mut conn, &q).await?;
    Ok(Listed {
        next_cursor: page.next.map(|(keys, seq)| encode_cursor(&q, &keys, seq)),
        rows: page.rows,
    })
}
