//! CalDAV/CardDAV sync state: each user's collections with their change counter, the
//! resources in them (tombstones included), and the secrets of the iCalendar feeds.

use chrono::{DateTime, Utc};

use cartera_core::contacts::ContactData;
use cartera_core::dav::{Collection, CollectionKind, Item};
use cartera_core::roles::View;
use cartera_core::{Id, Record};

use crate::db::{Conn, DbRow, Result, Sql};
use crate::records::{push_view, read_record, select_columns};

fn collection_row(r: &DbRow, kind: CollectionKind) -> Result<Collection> {
    Ok(Collection {
        id: r.id("id")?,
        user_id: r.id("user_id")?,
        kind,
        revision: r.int("revision")?,
    })
}

/// The user's collection of `kind`, if it was made already.
pub async fn find_collection(
    c: &mut Conn,
    user: Id,
    kind: CollectionKind,
) -> Result<Option<Collection>> {
    c.fetch_optional(
        Sql::new(
            "SELECT id, user_id, revision FROM dav_collections WHERE user_id = $1 AND kind = $2",
        )
        .arg(user)
        .arg(kind.as_str()),
    )
    .await?
    .as_ref()
    .map(|r| collection_row(r, kind))
    .transpose()
}

/// The user's collection of `kind`, made on first use.
pub async fn collection(c: &mut Conn, user: Id, kind: CollectionKind) -> Result<Collection> {
    let find = || {
        Sql::new(
            "SELECT id, user_id, revision FROM dav_collections WHERE user_id = $1 AND kind = $2",
        )
        .arg(user)
        .arg(kind.as_str())
    };
    if let Some(r) = c.fetch_optional(find()).await? {
        return collection_row(&r, kind);
    }
    c.execute(
        Sql::new(
            "INSERT INTO dav_collections (id, user_id, kind, revision) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (user_id, kind) DO NOTHING",
        )
        .arg(Id::new())
        .arg(user)
        .arg(kind.as_str()),
    )
    .await?;
    collection_row(&c.fetch_one(find()).await?, kind)
}

/// Takes the next revision of a collection (and, on PostgreSQL, its row lock, so two
/// servers refreshing the same collection take turns).
pub async fn bump(c: &mut Conn, collection: Id) -> Result<i64> {
    let r = c
        .fetch_one(
            Sql::new(
                "UPDATE dav_collections SET revision = revision + 1 WHERE id = $1 RETURNING revision",
            )
            .arg(collection),
        )
        .await?;
    r.int("revision")
}

fn item_row(r: &DbRow) -> Result<Item> {
    Ok(Item {
        href: r.text("href")?,
        record_id: r.id("record_id")?,
        uid: r.text("uid")?,
        etag: r.text("etag")?,
        revision: r.int("revision")?,
        deleted: r.bool("deleted")?,
    })
}

const ITEM_COLUMNS: &str = "href, record_id, uid, etag, revision, deleted";

/// Every resource of a collection, tombstones included.
pub async fn items(c: &mut Conn, collection: Id) -> Result<Vec<Item>> {
    c.fetch_all(
        Sql::new(format!(
            "SELECT {ITEM_COLUMNS} FROM dav_items WHERE collection_id = $1 ORDER BY href"
        ))
        .arg(collection),
    )
    .await?
    .iter()
    .map(item_row)
    .collect()
}

/// The resources changed (or removed) after `revision`.
pub async fn changed_since(c: &mut Conn, collection: Id, revision: i64) -> Result<Vec<Item>> {
    c.fetch_all(
        Sql::new(format!(
            "SELECT {ITEM_COLUMNS} FROM dav_items WHERE collection_id = $1 AND revision > $2 \
             ORDER BY href"
        ))
        .arg(collection)
        .arg(revision),
    )
    .await?
    .iter()
    .map(item_row)
    .collect()
}

/// The resource at `href`, or a tombstone there.
pub async fn item(c: &mut Conn, collection: Id, href: &str) -> Result<Option<Item>> {
    c.fetch_optional(
        Sql::new(format!(
            "SELECT {ITEM_COLUMNS} FROM dav_items WHERE collection_id = $1 AND href = $2"
        ))
        .arg(collection)
        .arg(href),
    )
    .await?
    .as_ref()
    .map(item_row)
    .transpose()
}

/// Writes a resource (by href); any other href of the same record becomes a tombstone,
/// so that a record has one live resource.
pub async fn put_item(c: &mut Conn, collection: Id, item: &Item) -> Result<()> {
    c.execute(
        Sql::new(
            "UPDATE dav_items SET deleted = $1, revision = $2 \
             WHERE collection_id = $3 AND record_id = $4 AND href <> $5 AND deleted = $6",
        )
        .arg(true)
        .arg(item.revision)
        .arg(collection)
        .arg(item.record_id)
        .arg(&item.href)
        .arg(false),
    )
    .await?;
    c.execute(
        Sql::new(
            "INSERT INTO dav_items (collection_id, href, record_id, uid, etag, revision, deleted) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (collection_id, href) DO UPDATE SET record_id = excluded.record_id, \
             uid = excluded.uid, etag = excluded.etag, revision = excluded.revision, \
             deleted = excluded.deleted",
        )
        .arg(collection)
        .arg(&item.href)
        .arg(item.record_id)
        .arg(&item.uid)
        .arg(&item.etag)
        .arg(item.revision)
        .arg(item.deleted),
    )
    .await?;
    Ok(())
}

/// Every live contact in `view` (all of them for `None`), newest first.
pub async fn visible_contacts(
    c: &mut Conn,
    view: Option<&View>,
) -> Result<Vec<Record<ContactData>>> {
    let mut sql = Sql::new(format!(
        "SELECT {} FROM contacts t WHERE t.deleted_at IS NULL",
        select_columns::<ContactData>()
    ));
    if let Some(v) = view {
        sql.push(" AND ");
        push_view::<ContactData>(&mut sql, v);
    }
    sql.push(" ORDER BY t.seq DESC");
    c.fetch_all(sql).await?.iter().map(read_record).collect()
}

/// The user whose feed secret hashes to `hash`.
pub async fn feed_user(c: &mut Conn, hash: &str) -> Result<Option<Id>> {
    c.fetch_optional(Sql::new("SELECT user_id FROM dav_feeds WHERE token_hash = $1").arg(hash))
        .await?
        .map(|r| r.id("user_id"))
        .transpose()
}

/// When the user's feed secret was made, if they have one.
pub async fn feed_created(c: &mut Conn, user: Id) -> Result<Option<DateTime<Utc>>> {
    c.fetch_optional(Sql::new("SELECT created_at FROM dav_feeds WHERE user_id = $1").arg(user))
        .await?
        .map(|r| r.time("created_at"))
        .transpose()
}

/// Replaces the user's feed secret (the old link stops working).
pub async fn set_feed(c: &mut Conn, user: Id, hash: &str, now: DateTime<Utc>) -> Result<()> {
    c.execute(Sql::new("DELETE FROM dav_feeds WHERE user_id = $1").arg(user))
        .await?;
    c.execute(
        Sql::new("INSERT INTO dav_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)")
            .arg(user)
            .arg(hash)
            .arg(now),
    )
    .await?;
    Ok(())
}
