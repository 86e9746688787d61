//! The record kinds the API serves, each mounted by one `mount_kind` line in `api()`:
//! the endpoints every kind has, and, as the kind's facts (core's kinds table) and its
//! own file say, merge, shares and export.

use utoipa::ToSchema;

use cartera_app::records::Kind;

use super::doc::Api;
use super::records;
use super::shares;

/// A record kind the API serves. Its own file implements it: the schema name, and the
/// routes that need a trait only some kinds have (a test holds them to the facts).
pub trait ApiKind: Kind + ToSchema {
    /// The schema name of its records in the OpenAPI document: `Account`.
    const SCHEMA: &'static str;

    /// `POST /{plural}/{id}/merge`, for a kind whose facts say mergeable:
    /// `records::mount_merge::<Self>(api, Self::SCHEMA)` (merge needs `Merge`).
    fn mount_merge(api: Api) -> Api {
        api
    }

    /// `GET /{plural}/export`, for a kind whose facts say exportable:
    /// `io::mount::<Self>(api)` (an export needs `Default`).
    fn mount_export(api: Api) -> Api {
        api
    }
}

/// Mounts kind `D`: its records' endpoints, merge, shares when its facts say shareable,
/// and export.
pub fn mount_kind<D: ApiKind>(mut api: Api) -> Api {
    api = records::mount::<D>(api, D::SCHEMA);
    api = D::mount_merge(api);
    if D::KIND.facts().shareable {
        api = shares::mount::<D>(api);
    }
    D::mount_export(api)
}
