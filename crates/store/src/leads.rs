//! Leads' table.

use cartera_core::leads::{LeadData, LeadStatus};
use cartera_core::text::fold;

use crate::accounts::{push_address, read_address};
use crate::db::{Arg, DbRow, Result};
use crate::error::StoreError;
use crate::records::{Table, TerritoryLink};

impl Table for LeadData {
    const TABLE: &'static str = "leads";
    const FTS: &'static str = "leads_fts";
    const TERRITORY: TerritoryLink = TerritoryLink::Own;
    const EMAIL_KEYS: bool = false;
    const COLUMNS: &'static [&'static str] = &[
        "first_name",
        "last_name",
        "last_name_sort",
        "company_name",
        "company_name_sort",
        "job_title",
        "email",
        "phone",
        "website",
        "street",
        "city",
        "province",
        "postal_code",
        "country",
        "source",
        "campaign",
        "ad_keyword",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "status",
        "description",
        "owner_id",
        "territory_id",
        "tags",
        "custom",
        "converted_at",
        "converted_account_id",
        "converted_contact_id",
    ];

    fn bind_data(&self, out: &mut Vec<Arg>) {
        out.push((&self.first_name).into());
        out.push((&self.last_name).into());
        out.push(self.last_name.as_deref().map(fold).into());
        out.push((&self.company_name).into());
        out.push(self.company_name.as_deref().map(fold).into());
        out.push((&self.job_title).into());
        out.push((&self.email).into());
        out.push((&self.phone).into());
        out.push((&self.website).into());
        push_address(&self.address, out);
        for v in [
            &self.source,
            &self.campaign,
            &self.ad_keyword,
            &self.utm_source,
            &self.utm_medium,
            &self.utm_campaign,
            &self.utm_term,
            &self.utm_content,
        ] {
            out.push(v.into());
        }
        out.push(self.status.as_str().into());
        out.push((&self.description).into());
        out.push(self.owner_id.into());
        out.push(self.territory_id.into());
        out.push(Arg::json(&self.tags));
        out.push(Arg::json(&self.custom));
        out.push(self.converted_at.into());
        out.push(self.converted_account_id.into());
        out.push(self.converted_contact_id.into());
    }

    fn read_data(row: &DbRow) -> Result<Self> {
        let status = row.text("status")?;
        Ok(LeadData {
            first_name: row.opt_text("first_name")?,
            last_name: row.opt_text("last_name")?,
            company_name: row.opt_text("company_name")?,
            job_title: row.opt_text("job_title")?,
            email: row.opt_text("email")?,
            phone: row.opt_text("phone")?,
            website: row.opt_text("website")?,
            address: read_address(row, "")?,
            source: row.opt_text("source")?,
            campaign: row.opt_text("campaign")?,
            ad_keyword: row.opt_text("ad_keyword")?,
            utm_source: row.opt_text("utm_source")?,
            utm_medium: row.opt_text("utm_medium")?,
            utm_campaign: row.opt_text("utm_campaign")?,
            utm_term: row.opt_text("utm_term")?,
            utm_content: row.opt_text("utm_content")?,
            status: LeadStatus::parse(&status)
                .ok_or_else(|| StoreError::Decode(format!("status: '{status}'")))?,
            description: row.opt_text("description")?,
            owner_id: row.opt_id("owner_id")?,
            territory_id: row.opt_id("territory_id")?,
            tags: row.json("tags")?,
            custom: row.json("custom")?,
            converted_at: row.opt_time("converted_at")?,
            converted_account_id: row.opt_id("converted_account_id")?,
            converted_contact_id: row.opt_id("converted_contact_id")?,
        })
    }

    fn column(field: &str) -> Option<&'static str> {
        Some(match field {
            "territory_id" => "territory_id",
            "first_name" => "first_name",
            "last_name" => "last_name",
            "company_name" => "company_name",
            "email" => "email",
            "source" => "source",
            "campaign" => "campaign",
            "ad_keyword" => "ad_keyword",
            "utm_source" => "utm_source",
            "utm_medium" => "utm_medium",
            "utm_campaign" => "utm_campaign",
            "status" => "status",
            "converted_at" => "converted_at",
            "converted_account_id" => "converted_account_id",
            "converted_contact_id" => "converted_contact_id",
            "address.country" => "country",
            "address.city" => "city",
            _ => return None,
        })
    }

    fn sort_column(field: &str) -> Option<&'static str> {
        match field {
            "last_name" => Some("last_name_sort"),
            "company_name" => Some("company_name_sort"),
            f => Self::column(f),
        }
    }
}
