//! Accounts' table.

use cartera_core::accounts::{AccountData, AccountKind};
use cartera_core::fields::Address;
use cartera_core::text::fold;

use crate::db::{Arg, DbRow, Result};
use crate::error::StoreError;
use crate::records::{Table, TerritoryLink};

impl Table for AccountData {
    const TABLE: &'static str = "accounts";
    const FTS: &'static str = "accounts_fts";
    const TERRITORY: TerritoryLink = TerritoryLink::Own;
    const EMAIL_KEYS: bool = true;
    const COLUMNS: &'static [&'static str] = &[
        "kind",
        "name",
        "name_sort",
        "legal_name",
        "tax_id",
        "industry",
        "category",
        "classification",
        "billing_street",
        "billing_city",
        "billing_province",
        "billing_postal_code",
        "billing_country",
        "shipping_street",
        "shipping_city",
        "shipping_province",
        "shipping_postal_code",
        "shipping_country",
        "email",
        "emails",
        "phones",
        "website",
        "description",
        "owner_id",
        "territory_id",
        "tags",
        "custom",
    ];

    fn bind_data(&self, out: &mut Vec<Arg>) {
        out.push(self.kind.as_str().into());
        out.push((&self.name).into());
        out.push(fold(&self.name).into());
        out.push((&self.legal_name).into());
        out.push((&self.tax_id).into());
        out.push((&self.industry).into());
        out.push((&self.category).into());
        out.push((&self.classification).into());
        push_address(&self.billing_address, out);
        push_address(&self.shipping_address, out);
        out.push(self.emails.first().map(|e| e.address.as_str()).into());
        out.push(Arg::json(&self.emails));
        out.push(Arg::json(&self.phones));
        out.push((&self.website).into());
        out.push((&self.description).into());
        out.push(self.owner_id.into());
        out.push(self.territory_id.into());
        out.push(Arg::json(&self.tags));
        out.push(Arg::json(&self.custom));
    }

    fn read_data(row: &DbRow) -> Result<Self> {
        let kind = row.text("kind")?;
        Ok(AccountData {
            kind: AccountKind::parse(&kind)
                .ok_or_else(|| StoreError::Decode(format!("kind: '{kind}'")))?,
            name: row.text("name")?,
            legal_name: row.opt_text("legal_name")?,
            tax_id: row.opt_text("tax_id")?,
            industry: row.opt_text("industry")?,
            category: row.opt_text("category")?,
            classification: row.opt_text("classification")?,
            billing_address: read_address(row, "billing_")?,
            shipping_address: read_address(row, "shipping_")?,
            phones: row.json("phones")?,
            emails: row.json("emails")?,
            website: row.opt_text("website")?,
            description: row.opt_text("description")?,
            owner_id: row.opt_id("owner_id")?,
            territory_id: row.opt_id("territory_id")?,
            tags: row.json("tags")?,
            custom: row.json("custom")?,
        })
    }

    fn column(field: &str) -> Option<&'static str> {
        Some(match field {
            "territory_id" => "territory_id",
            "kind" => "kind",
            "name" => "name",
            "legal_name" => "legal_name",
            "tax_id" => "tax_id",
            "industry" => "industry",
            "category" => "category",
            "classification" => "classification",
            "email" => "email",
            "billing_address.city" => "billing_city",
            "billing_address.province" => "billing_province",
            "billing_address.postal_code" => "billing_postal_code",
            "billing_address.country" => "billing_country",
            _ => return None,
        })
    }

    fn sort_column(field: &str) -> Option<&'static str> {
        match field {
            "name" => Some("name_sort"),
            f => Self::column(f),
        }
    }
}

/// Street, city, province, postal code and country, in column order.
pub(crate) fn push_address(a: &Address, out: &mut Vec<Arg>) {
    out.push((&a.street).into());
    out.push((&a.city).into());
    out.push((&a.province).into());
    out.push((&a.postal_code).into());
    out.push((&a.country).into());
}

pub(crate) fn read_address(row: &DbRow, prefix: &str) -> Result<Address> {
    Ok(Address {
        street: row.opt_text(&format!("{prefix}street"))?,
        city: row.opt_text(&format!("{prefix}city"))?,
        province: row.opt_text(&format!("{prefix}province"))?,
        postal_code: row.opt_text(&format!("{prefix}postal_code"))?,
        country: row.opt_text(&format!("{prefix}country"))?,
    })
}
