//! Contacts: org-chart rules and merging duplicates.

use chrono::{DateTime, Utc};

use cartera_core::contacts::ContactData;
use cartera_core::leads::LeadData;
use cartera_core::record::KeyKind;
use cartera_core::{Check, Code, Id};
use cartera_store::Conn;
use cartera_store::contacts::manager_chain;
use cartera_store::records as store;

use crate::records::{Kind, Merge, rewrite};
use crate::{Actor, Result};

/// Deeper than any real org chart; a longer chain is treated as a loop.
const MAX_CHAIN: usize = 100;

impl Kind for ContactData {
    fn key_field(kind: KeyKind) -> &'static str {
        match kind {
            KeyKind::Email => "emails",
            KeyKind::TaxId => "tax_id",
            KeyKind::Name => "last_name",
        }
    }

    async fn check_links(conn: &mut Conn, id: Id, new: &ContactData, c: &mut Check) -> Result<()> {
        if let Some(manager) = new.reports_to_id {
            if manager == id {
                c.add(
                    "reports_to_id",
                    Code::Invalid,
                    "a contact cannot report to themselves",
                );
            } else {
                let chain = manager_chain(conn, manager, MAX_CHAIN).await?;
                if chain.contains(&id) || chain.len() >= MAX_CHAIN {
                    c.add(
                        "reports_to_id",
                        Code::Invalid,
                        "this would make a loop in the org chart",
                    );
                }
            }
        }
        Ok(())
    }
}

impl Merge for ContactData {
    fn absorb(&mut self, gone: &Self, source: Id) {
        ContactData::absorb(self, gone);
        // The survivor cannot report to the person it absorbed.
        if self.reports_to_id == Some(source) {
            self.reports_to_id = None;
        }
    }

    async fn relink(
        conn: &mut Conn,
        actor: &Actor,
        now: DateTime<Utc>,
        from: Id,
        to: Id,
    ) -> Result<()> {
        let reports = store::referring::<ContactData>(conn, "reports_to_id", from).await?;
        let reports: Vec<Id> = reports.into_iter().filter(|id| *id != to).collect();
        rewrite::<ContactData>(conn, actor, now, &reports, |c| c.reports_to_id = Some(to)).await?;
        let leads = store::referring::<LeadData>(conn, "converted_contact_id", from).await?;
        rewrite::<LeadData>(conn, actor, now, &leads, |l| {
            l.converted_contact_id = Some(to)
        })
        .await
    }
}

/// An account's timeline shows the notes on its contacts.
pub(crate) fn account_timeline<'a>(
    conn: &'a mut Conn,
    _actor: &'a Actor,
    account: Id,
    sources: &'a mut crate::timeline::Sources,
) -> crate::timeline::ContributionFuture<'a> {
    Box::pin(async move {
        sources.notes_of.extend(
            cartera_store::records::referring::<ContactData>(conn, "account_id", account).await?,
        );
        Ok(())
    })
}
