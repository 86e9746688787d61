//! The job registry: which handler runs each kind of job Cartera enqueues. It sits at the
//! composition root (only `lib.rs` names it) because it names the modules whose jobs it
//! runs, and those modules enqueue through `jobs`: kept in `jobs`, the queue and its
//! callers imported each other.

use crate::jobs::Worker;
use crate::{followups, imports, reminders};

impl Worker {
    /// A worker with the handlers of every kind Cartera itself enqueues.
    pub fn standard(id: &str) -> Worker {
        Worker::new(id)
            .handle(reminders::JOB_KIND, reminders::run)
            .handle(followups::QUOTE_SENT_JOB, followups::run_quote_sent)
            .handle(followups::VISIT_REPORT_JOB, followups::run_visit_report)
            .handle(followups::NO_CONTACT_JOB, followups::run_no_contact)
            .handle(imports::JOB_KIND, imports::run_job)
            .handle(imports::UNDO_JOB_KIND, imports::run_undo_job)
    }
}
