//! Taking a whole payment back, in the caller's transaction: what a clerk does by hand
//! (`payments::reverse`) and what a bounced cheque does (`cheques`). A leaf, so that
//! payments (which put cheques in the wallet) and cheques need not import each other.

use cartera_core::billing::payments::Payment;
use cartera_store::Conn;
use cartera_store::billing::payments as store;

use crate::documents;
use crate::{Actor, App, Result};

/// Takes back `old` in the caller's transaction (a bounced cheque does it with its own
/// writes).
pub(crate) async fn reverse_in(
    conn: &mut Conn,
    app: &App,
    actor: &Actor,
    old: &Payment,
    reason: String,
) -> Result<Payment> {
    let now = app.now();
    let mut p = old.clone();
    let on = now.date_naive().max(p.received_on);
    for a in p.allocations.iter_mut().filter(|a| a.active()) {
        a.reversed_on = Some(on.max(a.applied_on));
        a.reversal_reason = Some(reason.clone());
    }
    store::reverse_applications(conn, p.id, None, on, &reason).await?;
    p.reversed_on = Some(on);
    p.reversal_reason = Some(reason);
    p.settle();
    documents::save(conn, actor, now, old, &mut p).await?;
    Ok(p)
}
