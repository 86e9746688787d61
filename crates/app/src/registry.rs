//! The job registry: which handler runs each kind of job Cartera enqueues. It sits at the
//! composition root (only `lib.rs` names it) because it names the modules whose jobs it
//! runs, and those modules enqueue through `jobs`: kept in `jobs`, the queue and its
//! callers imported each other.

use crate::jobs::Worker;
use crate::{App, Result, billing, followups, imports, reminders};

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
            .handle(billing::dunning::JOB_KIND, billing::dunning::run_job)
            .handle(billing::statements::JOB_KIND, billing::statements::run_job)
    }

    /// Queues the next occurrence of every recurring job unless it is queued already.
    /// Every server calls it at start and hourly; each occurrence's dedupe key (its day)
    /// makes the calls of two servers queue one job.
    pub async fn schedule(app: &App) -> Result<()> {
        followups::ensure_scheduled(app).await?;
        billing::dunning::ensure_scheduled(app).await?;
        billing::statements::ensure_scheduled(app).await
    }
}
