//! Contacts' table.

use cartera_core::Id;
use cartera_core::contacts::ContactData;
use cartera_core::text::fold;

use crate::accounts::{push_address, read_address};
use crate::db::{Arg, Conn, DbRow, Result, Sql};
use crate::records::{Table, TerritoryLink};

impl Table for ContactData {
    const TABLE: &'static str = "contacts";
    const FTS: &'static str = "contacts_fts";
    const TERRITORY: TerritoryLink = TerritoryLink::ThroughAccount;
    const EMAIL_KEYS: bool = true;
    const COLUMNS: &'static [&'static str] = &[
        "first_name",
        "last_name",
        "first_name_sort",
        "last_name_sort",
        "email",
        "emails",
        "phones",
        "account_id",
        "job_title",
        "department",
        "reports_to_id",
        "birthday",
        "street",
        "city",
        "province",
        "postal_code",
        "country",
        "marketing_consent",
        "description",
        "owner_id",
        "tags",
        "custom",
    ];

    fn bind_data(&self, out: &mut Vec<Arg>) {
        out.push((&self.first_name).into());
        out.push((&self.last_name).into());
        out.push(fold(&self.first_name).into());
        out.push(fold(&self.last_name).into());
        out.push(self.emails.first().map(|e| e.address.as_str()).into());
        out.push(Arg::json(&self.emails));
        out.push(Arg::json(&self.phones));
        out.push(self.account_id.into());
        out.push((&self.job_title).into());
        out.push((&self.department).into());
        out.push(self.reports_to_id.into());
        out.push(self.birthday.into());
        push_address(&self.address, out);
        out.push(self.marketing_consent.into());
        out.push((&self.description).into());
        out.push(self.owner_id.into());
        out.push(Arg::json(&self.tags));
        out.push(Arg::json(&self.custom));
    }

    fn read_data(row: &DbRow) -> Result<Self> {
        Ok(ContactData {
            first_name: row.text("first_name")?,
            last_name: row.text("last_name")?,
            emails: row.json("emails")?,
            phones: row.json("phones")?,
            account_id: row.opt_id("account_id")?,
            job_title: row.opt_text("job_title")?,
            department: row.opt_text("department")?,
            reports_to_id: row.opt_id("reports_to_id")?,
            birthday: row.opt_date("birthday")?,
            address: read_address(row, "")?,
            marketing_consent: row.bool("marketing_consent")?,
            description: row.opt_text("description")?,
            owner_id: row.opt_id("owner_id")?,
            tags: row.json("tags")?,
            custom: row.json("custom")?,
        })
    }

    fn column(field: &str) -> Option<&'static str> {
        Some(match field {
            "first_name" => "first_name",
            "last_name" => "last_name",
            "email" => "email",
            "account_id" => "account_id",
            "job_title" => "job_title",
            "department" => "department",
            "reports_to_id" => "reports_to_id",
            "birthday" => "birthday",
            "marketing_consent" => "marketing_consent",
            "address.city" => "city",
            "address.province" => "province",
            "address.country" => "country",
            _ => return None,
        })
    }

    fn sort_column(field: &str) -> Option<&'static str> {
        match field {
            "first_name" => Some("first_name_sort"),
            "last_name" => Some("last_name_sort"),
            f => Self::column(f),
        }
    }
}

/// The chain of managers above a contact, nearest first, to refuse a loop in the org
/// chart. Stops at `limit` steps.
pub async fn manager_chain(c: &mut Conn, start: Id, limit: usize) -> Result<Vec<Id>> {
    let mut chain = Vec::new();
    let mut current = start;
    for _ in 0..limit {
        let row = c
            .fetch_optional(
                Sql::new("SELECT reports_to_id FROM contacts WHERE id = $1").arg(current),
            )
            .await?;
        match row
            .map(|r| r.opt_id("reports_to_id"))
            .transpose()?
            .flatten()
        {
            Some(next) => {
                chain.push(next);
                current = next;
            }
            None => break,
        }
    }
    Ok(chain)
}
