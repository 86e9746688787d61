//! Housekeeping `cartera serve` runs on its own: emptying the trash past its retention,
//! forgetting old idempotency keys, expired sessions and old password reset links, jobs
//! finished a month ago, the files of imports never started, and rate-limit counts whose
//! minute is over. Safe to run from several servers at once.

use chrono::Duration;
use serde::Serialize;

use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::contacts::ContactData;
use cartera_core::leads::LeadData;
use cartera_store::records::{self as store, Table};
use cartera_store::{Conn, idempotency};

use crate::records::event;
use crate::{App, Result};

#[derive(Debug, Default, Serialize)]
pub struct PurgeReport {
    pub accounts: u64,
    pub contacts: u64,
    pub leads: u64,
    pub idempotency_keys: u64,
    pub sessions: u64,
    pub password_resets: u64,
    pub login_failures: u64,
    pub done_jobs: u64,
    pub expired_imports: u64,
    pub rate_limits: u64,
}

/// Purges in slices so that one run never holds the write lock for long.
const SLICE: i64 = 500;

async fn purge_kind<D: Table>(app: &App, days: i64) -> Result<u64> {
    let mut total = 0;
    loop {
        let now = app.now();
        let mut conn: Conn = app.db.begin().await?;
        let ids = store::trashed_before::<D>(&mut conn, now - Duration::days(days), SLICE).await?;
        if ids.is_empty() {
            return Ok(total);
        }
        total += store::purge::<D>(&mut conn, &ids).await?;
        let events: Vec<_> = ids
            .iter()
            .map(|id| event(None, now, AuditAction::Purged, D::KIND, *id, Vec::new()))
            .collect();
        cartera_store::audit::insert(&mut conn, &events).await?;
        conn.commit().await?;
    }
}

pub async fn run(app: &App) -> Result<PurgeReport> {
    let (days, import_days) = {
        let mut conn = app.db.reader().await?;
        let s = crate::settings::load(&mut conn).await?;
        (s.trash_retention_days, s.import_file_retention_days)
    };
    let mut report = PurgeReport {
        contacts: purge_kind::<ContactData>(app, days).await?,
        leads: purge_kind::<LeadData>(app, days).await?,
        accounts: purge_kind::<AccountData>(app, days).await?,
        ..PurgeReport::default()
    };
    let mut conn = app.db.begin().await?;
    report.idempotency_keys =
        idempotency::purge_before(&mut conn, app.now() - Duration::hours(24)).await?;
    conn.commit().await?;
    report.sessions = crate::auth::purge_expired_sessions(app).await?;
    report.password_resets = crate::auth::purge_expired_resets(app).await?;
    report.login_failures = crate::auth::purge_stale_login_failures(app).await?;
    report.done_jobs = crate::jobs::purge_done(app).await?;
    report.expired_imports = crate::imports::expire_stale(app, import_days).await?;
    report.rate_limits = crate::limits::purge_finished(app).await?;
    Ok(report)
}

/// Keeps the database's planner statistics fresh after large writes (see
/// `Db::refresh_statistics`); returns the tables it analysed.
pub async fn refresh_statistics(app: &App) -> Result<Vec<String>> {
    Ok(app.db.refresh_statistics().await?)
}
