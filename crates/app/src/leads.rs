//! Leads: status rules and conversion into an account and a contact.

use serde::Deserialize;
use serde_json::Value;

use cartera_core::accounts::AccountData;
use cartera_core::audit::AuditAction;
use cartera_core::contacts::ContactData;
use cartera_core::leads::{LeadData, LeadStatus};
use cartera_core::record::{Record, diff};
use cartera_core::roles::{Action, Module};
use cartera_core::{Check, Code, Id, Violations};
use cartera_store::records as store;

use crate::events;
use crate::records::{Kind, Naming, WriteOptions, create_in, load_visible};
use crate::{Actor, App, AppError, Result};

impl Kind for LeadData {
    fn check_transition(old: Option<&Self>, new: &Self, c: &mut Check) {
        let was = old.map(|o| o.status);
        if new.status == LeadStatus::Converted && was != Some(LeadStatus::Converted) {
            c.add(
                "status",
                Code::ReadOnly,
                "a lead becomes converted through POST /api/v1/leads/{id}/convert",
            );
        }
        if was == Some(LeadStatus::Converted) && new.status != LeadStatus::Converted {
            c.add("status", Code::ReadOnly, "a converted lead stays converted");
        }
    }
}

/// How to convert a lead. Every field is optional: by default the lead's company becomes
/// a new account and its person a new contact at that account.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ConvertInput {
    /// Link to this existing account instead of creating one.
    pub account_id: Option<Id>,
    /// Link to this existing contact instead of creating one.
    pub contact_id: Option<Id>,
    /// Fields that replace those taken from the lead for the new account.
    #[schema(value_type = Option<Object>)]
    pub account: Option<Value>,
    /// Fields that replace those taken from the lead for the new contact.
    #[schema(value_type = Option<Object>)]
    pub contact: Option<Value>,
    /// Create even if the account or contact looks like an existing one.
    pub allow_duplicate: bool,
}

pub struct Converted {
    pub lead: Record<LeadData>,
    pub account: Option<Record<AccountData>>,
    pub contact: Option<Record<ContactData>>,
}

fn overlay<T: serde::Serialize>(base: &T, over: Option<Value>) -> Value {
    let mut v = serde_json::to_value(base).unwrap_or(Value::Null);
    if let Some(o) = over {
        json_patch::merge(&mut v, &o);
    }
    v
}

/// Converts a lead into an account and a contact in one transaction, and links them
/// back to the lead.
pub async fn convert(app: &App, actor: &Actor, id: Id, input: ConvertInput) -> Result<Converted> {
    actor.permit(Module::Leads, Action::Edit)?;
    actor.permit(Module::Accounts, Action::Create)?;
    actor.permit(Module::Contacts, Action::Create)?;
    let now = app.now();
    let mut conn = app.db.begin().await?;
    let lead = load_visible::<LeadData>(&mut conn, actor, id).await?;
    if lead.data.status == LeadStatus::Converted {
        return Err(AppError::Conflict("this lead is already converted".into()));
    }
    let opts = WriteOptions {
        allow_duplicate: input.allow_duplicate,
    };
    let owner = lead.data.owner_id.or(Some(actor.user_id));

    let mut check = Check::new();
    let existing_account = match input.account_id {
        Some(aid) => match load_visible::<AccountData>(&mut conn, actor, aid).await {
            Ok(a) => Some(a),
            Err(AppError::NotFound) => {
                check.add(
                    "account_id",
                    Code::NotFound,
                    format!("there is no account with id {aid}"),
                );
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let existing_contact = match input.contact_id {
        Some(cid) => match load_visible::<ContactData>(&mut conn, actor, cid).await {
            Ok(c) => Some(c),
            Err(AppError::NotFound) => {
                check.add(
                    "contact_id",
                    Code::NotFound,
                    format!("there is no contact with id {cid}"),
                );
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    check.finish()?;

    let account = match existing_account {
        Some(a) => Some(a),
        None => {
            let base = lead.data.to_account(owner);
            match (base, input.account) {
                (None, None) => None,
                (base, over) => {
                    let start = base.unwrap_or_default();
                    let v = overlay(&start, over);
                    let made = create_in::<AccountData>(
                        &mut conn,
                        now,
                        actor,
                        vec![v],
                        opts,
                        Naming::Under("account."),
                    )
                    .await?;
                    made.into_iter().next()
                }
            }
        }
    };
    let account_id = account.as_ref().map(|a| a.id);
    let contact = match existing_contact {
        Some(c) => Some(c),
        None => {
            let base = lead.data.to_contact(account_id, owner);
            match (base, input.contact) {
                (None, None) => None,
                (base, over) => {
                    let start = base.unwrap_or(ContactData {
                        account_id,
                        owner_id: owner,
                        ..ContactData::default()
                    });
                    let v = overlay(&start, over);
                    let made = create_in::<ContactData>(
                        &mut conn,
                        now,
                        actor,
                        vec![v],
                        opts,
                        Naming::Under("contact."),
                    )
                    .await?;
                    made.into_iter().next()
                }
            }
        }
    };
    if account.is_none() && contact.is_none() {
        return Err(AppError::Invalid(Violations::one(
            "",
            Code::Required,
            "the lead has no company and no person name: give an account or a contact",
        )));
    }

    let mut converted = lead.clone();
    converted.data.status = LeadStatus::Converted;
    converted.data.converted_at = Some(now);
    converted.data.converted_account_id = account_id;
    converted.data.converted_contact_id = contact.as_ref().map(|c| c.id);
    converted.meta.version += 1;
    converted.meta.updated_at = now;
    store::update(&mut conn, &lead, &converted).await?;
    events::write(
        &mut conn,
        actor.at(now).event(
            AuditAction::Converted,
            cartera_core::RecordKind::Lead,
            id,
            diff(Some(&lead.data), Some(&converted.data)),
        ),
    )
    .await?;
    conn.commit().await?;
    Ok(Converted {
        lead: converted,
        account,
        contact,
    })
}
