//! The trait every numbered commercial document implements; a leaf, so that the seam's
//! parts (numbering, printing, assets) can name it without importing one another.

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};

use cartera_core::Id;
use cartera_core::quotes::{DocCursor, number_year};
use cartera_core::record::{FieldChange, RecordKind};
use cartera_core::roles::Module;
use cartera_store::Conn;

use crate::Result;
use crate::versioned::Conflict;

/// [`Document::set_number`], [`Document::owner_id`], [`Document::account_id`] and
/// [`Document::cursor`] for a document whose `number`, `owner_id`, `account_id` and
/// `created_at` are its own fields (quotes, orders); its place in a list is its creation
/// and number.
macro_rules! numbered {
    () => {
        fn set_number(&mut self, number: String) {
            self.number = number;
        }

        fn owner_id(&self) -> Option<::cartera_core::Id> {
            self.owner_id
        }

        fn account_id(&self) -> ::cartera_core::Id {
            self.account_id
        }

        fn cursor(&self) -> ::cartera_core::quotes::DocCursor {
            ::cartera_core::quotes::DocCursor {
                created_at: self.created_at,
                number: self.number.clone(),
            }
        }
    };
}
pub(crate) use numbered;

/// A kind of numbered commercial document.
pub(crate) trait Document: Send + Sync + Sized {
    /// Its numbering series (`quote`, `order`): one counter per series and year.
    const SERIES: &'static str;
    /// The module whose permissions read and write it.
    const MODULE: Module;
    /// The kind its audit events name.
    const KIND: RecordKind;
    /// What it answers when another writer changed it during this one.
    const CONFLICT: Conflict;

    fn id(&self) -> Id;
    fn version(&self) -> i64;
    /// Marks a changed document as `version`, changed at `now`.
    fn stamp(&mut self, version: i64, now: DateTime<Utc>);

    /// The number people quote, from the year and the sequence in its series
    /// (`P-2026-000123`).
    fn format_number(year: i32, seq: i64) -> String;
    /// The date whose year numbers it.
    fn numbered_on(&self) -> NaiveDate;
    fn set_number(&mut self, number: String);

    /// The counter it takes its number from and the year that counter counts in: its
    /// series and the year of [`Document::numbered_on`], unless a kind numbers
    /// otherwise (invoices: per series and point of sale, never restarting).
    fn counter(&self) -> (String, i32) {
        (Self::SERIES.to_owned(), number_year(self.numbered_on()))
    }

    /// Takes the `seq`-th number of its counter in `year`.
    fn take_number(&mut self, year: i32, seq: i64) {
        self.set_number(Self::format_number(year, seq));
    }

    fn owner_id(&self) -> Option<Id>;
    fn account_id(&self) -> Id;
    /// Where it stands in a list: newest first, by creation and number.
    fn cursor(&self) -> DocCursor;

    /// The document as stored.
    fn load(conn: &mut Conn, id: Id) -> impl Future<Output = Result<Option<Self>>> + Send;

    /// Documents after `after` (of `account`, owned by `owners` when given), newest
    /// first, at most `limit`.
    fn list_after(
        conn: &mut Conn,
        account: Option<Id>,
        owners: Option<&[Id]>,
        after: Option<&DocCursor>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send;

    /// Stores a new document, made at `now`.
    fn insert(
        conn: &mut Conn,
        doc: &Self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Stores new documents made at `now`; one at a time unless a kind writes many
    /// rows at once.
    fn insert_all(
        conn: &mut Conn,
        docs: &[Self],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send {
        async move {
            for d in docs {
                Self::insert(conn, d, now).await?;
            }
            Ok(())
        }
    }

    /// Writes `doc` over the stored document if it is still at `expected`; false when
    /// another writer got there first.
    fn update(
        conn: &mut Conn,
        doc: &Self,
        expected: i64,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// What its audit event records: the fields that differ (all of them on creation).
    fn changes(old: Option<&Self>, new: &Self) -> Vec<FieldChange>;

    /// The document as read on `today` (a quote past its validity reads as expired).
    fn read_on(self, _today: NaiveDate) -> Self {
        self
    }
}
