//! What the modules add to an account's timeline. Each module that hangs records on an
//! account (contacts, deals, quotes and orders, later invoices and cases) contributes the
//! ids whose notes or audit events show there, in its own file; the list in `audit` is the
//! only place that names them. A leaf, so that the contributors need not import `audit`.

use std::future::Future;
use std::pin::Pin;

use cartera_core::Id;
use cartera_store::Conn;

use crate::{Actor, Result};

/// The records besides the account itself whose notes and changes show on its timeline.
#[derive(Debug, Default)]
pub struct Sources {
    /// Records whose notes show (an account's contacts).
    pub notes_of: Vec<Id>,
    /// Records whose audit events show (its deals, quotes and orders).
    pub events_of: Vec<Id>,
}

pub type ContributionFuture<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// A module's part of account `id`'s timeline, as `actor` may see it.
pub type Contribution =
    for<'a> fn(&'a mut Conn, &'a Actor, Id, &'a mut Sources) -> ContributionFuture<'a>;
