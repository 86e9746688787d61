//! Accounts: merging duplicates.

use chrono::{DateTime, Utc};

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::leads::LeadData;
use cartera_store::Conn;
use cartera_store::records as store;

use crate::records::{Kind, Merge, rewrite};
use crate::{Actor, Result};

impl Kind for AccountData {}

impl Merge for AccountData {
    fn absorb(&mut self, gone: &Self, _source: Id) {
        AccountData::absorb(self, gone);
    }

    async fn relink(
        conn: &mut Conn,
        actor: &Actor,
        now: DateTime<Utc>,
        from: Id,
        to: Id,
    ) -> Result<()> {
        let contacts = store::referring::<ContactData>(conn, "account_id", from).await?;
        rewrite::<ContactData>(conn, actor, now, &contacts, |c| c.account_id = Some(to)).await?;
        let leads = store::referring::<LeadData>(conn, "converted_account_id", from).await?;
        rewrite::<LeadData>(conn, actor, now, &leads, |l| {
            l.converted_account_id = Some(to)
        })
        .await
    }
}
