//! What of each billing document is applied today (`applied`: its applications not
//! taken back) and the day it stops moving its customer's open balance for good
//! (`closed_on`, '9999-12-31' while it still moves it): a charge fully settled, a
//! payment or credit note fully applied, or a payment reversed with all it settled.
//! On any day from then on the document's open part is zero whatever the day, so the
//! ageing as of a day reads only the documents not closed by then. Kept here each time
//! an application or a payment's reversal is written; the rule is the ledger's, so a
//! wrong `closed_on` would show as the ageing disagreeing with the statement, which
//! the billing property test compares.

use cartera_core::Id;

use crate::db::{Conn, Result, Sql};

/// Still moving the balance.
pub const OPEN: &str = "9999-12-31";

/// The latest day of the row's own (`firsts`) and of every application to or from it
/// (by `column`), made or taken back.
fn latest(table: &str, column: &str, firsts: &[&str]) -> String {
    let own: Vec<String> = firsts
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i == 0 {
                format!("SELECT {f} AS d")
            } else {
                format!("SELECT {f}")
            }
        })
        .collect();
    let apps =
        |c: &str| format!("SELECT a.{c} FROM billing_applications a WHERE a.{column} = {table}.id");
    format!(
        "(SELECT MAX(d) FROM ({} UNION ALL {} UNION ALL {}) t)",
        own.join(" UNION ALL "),
        apps("applied_on"),
        apps("reversed_on")
    )
}

/// What of the row is applied today, by `column`.
fn applied(column: &str, table: &str) -> String {
    format!(
        "COALESCE((SELECT SUM(a.amount) FROM billing_applications a \
         WHERE a.{column} = {table}.id AND a.reversed_on IS NULL), 0)"
    )
}

/// The statement that sets `applied` and `closed_on` of one kind of document: what is
/// applied to or from it (by `column`) today, and closed from its latest day once that
/// makes `whole`, else open. Followed by `AND id IN (...)` or nothing.
fn update(table: &str, whole: &str, firsts: &[&str], column: &str, kind: &str) -> String {
    let latest = latest(table, column, firsts);
    let applied = applied(column, table);
    format!(
        "UPDATE {table} SET applied = {applied}, closed_on = CASE WHEN {whole} = {applied} \
         THEN {latest} ELSE '{OPEN}' END WHERE {kind}"
    )
}

/// Charges (invoices and debit notes): closed once what is applied to them makes their
/// total.
fn charges() -> String {
    update(
        "invoices",
        "total",
        &["invoices.issue_date"],
        "debit_id",
        "kind <> 'credit_note'",
    )
}

/// Credit notes: closed once wholly applied.
fn credit_notes() -> String {
    update(
        "invoices",
        "total",
        &["invoices.issue_date"],
        "credit_id",
        "kind = 'credit_note'",
    )
}

/// Payments: closed once wholly applied, or once reversed with every application taken
/// back.
fn payments() -> String {
    let firsts = ["payments.received_on", "payments.reversed_on"];
    update(
        "payments",
        "(CASE WHEN reversed_on IS NULL THEN amount ELSE 0 END)",
        &firsts,
        "credit_id",
        "1 = 1",
    )
}

async fn refresh(c: &mut Conn, update: String, ids: &[Id]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(update);
    sql.push(" AND id IN (").push_args(ids).push(")");
    c.execute(sql).await?;
    Ok(())
}

/// After applications of `credit` to `debits` were written or taken back.
pub async fn after_applications(c: &mut Conn, credit: Id, debits: &[Id]) -> Result<()> {
    refresh(c, charges(), debits).await?;
    refresh(c, credit_notes(), &[credit]).await?;
    refresh(c, payments(), &[credit]).await
}

/// After a payment was reversed (or its reversal written).
pub async fn after_payment(c: &mut Conn, payment: Id) -> Result<()> {
    refresh(c, payments(), &[payment]).await
}

/// Every document at once: for rows written around the write path (the benchmark's
/// bulk load).
pub async fn refresh_all(c: &mut Conn) -> Result<()> {
    for update in [charges(), credit_notes(), payments()] {
        c.execute(Sql::new(update)).await?;
    }
    Ok(())
}
