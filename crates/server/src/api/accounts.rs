//! Accounts: the generic record endpoints, merge, shares and export (no endpoints of
//! their own yet).

use cartera_core::accounts::AccountData;

use super::doc::Api;
use super::kinds::ApiKind;
use super::{io, records};

impl ApiKind for AccountData {
    const SCHEMA: &'static str = "Account";

    fn mount_merge(api: Api) -> Api {
        records::mount_merge::<Self>(api, Self::SCHEMA)
    }

    fn mount_export(api: Api) -> Api {
        io::mount::<Self>(api)
    }
}
