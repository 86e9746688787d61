//! Creating, changing, listing, trashing and restoring records of any kind, one at a time
//! or in bulk. Every write validates the whole record, checks its links and duplicates,
//! bumps its version and writes its audit event in the same transaction.
//!
//! This file only declares the folder and says what it offers; its files import one
//! another (`kind.rs` and `visibility.rs` are the leaves), never this one.

mod batch;
mod bulk;
mod kind;
mod merge;
mod reads;
mod registry;
mod visibility;
mod writes;

pub(crate) use batch::Batch;
pub(crate) use bulk::rewrite;
pub use bulk::{BulkInput, BulkOutcome, MAX_BULK, bulk};
pub use kind::Kind;
pub use merge::{Merge, merge};
pub use reads::{Listed, get, list};
pub(crate) use registry::{of as registered, require_visible};
pub(crate) use visibility::visible_of;
pub use visibility::{load_live, load_visible};
pub(crate) use writes::{Naming, create_in, write_update};
pub use writes::{WriteOptions, create, delete, restore, update};

// The audit-event helpers moved to the leaf `events`; these names stay for the callers
// that still reach them through `records` (`crate::events::{event, changed_fields}` is
// the path that makes no import circle).
pub(crate) use crate::events::{changed_fields, event};
