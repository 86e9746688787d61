//! Contacts: the generic record endpoints, merge, shares and export (no endpoints of
//! their own yet).

use cartera_core::contacts::ContactData;

use super::doc::Api;
use super::kinds::ApiKind;
use super::{io, records};

impl ApiKind for ContactData {
    const SCHEMA: &'static str = "Contact";

    fn mount_merge(api: Api) -> Api {
        records::mount_merge::<Self>(api, Self::SCHEMA)
    }

    fn mount_export(api: Api) -> Api {
        io::mount::<Self>(api)
    }
}
