//! The contract between a record kind and the generic machinery of `records`: the rules
//! a kind has beyond its own fields. A leaf of the folder: the other files name it.

use std::future::Future;

use chrono::{DateTime, Utc};

use cartera_core::Check;
use cartera_core::Id;
use cartera_core::record::{KeyKind, Record};
use cartera_store::Conn;
use cartera_store::records::Table;

use crate::settings::Settings;
use crate::{Actor, Result};

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
