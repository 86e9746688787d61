//! The sales parts of "My day": the rep's deals closing this week, quotes awaiting an
//! answer (those about to expire first), and quota progress; and, for a person who sees
//! other people's records (a manager, an admin), the team: its open pipeline, who has
//! logged nothing this week, and the team's overdue tasks.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use cartera_app::{deals, quotes, records, users};
use cartera_core::Id;
use cartera_core::activities::{ActivityData, sum_by_currency};
use cartera_core::commissions::QuotaKind;
use cartera_core::deals::DealData;
use cartera_core::query::MAX_LIMIT;
use cartera_core::quotes::QuoteStatus;
use cartera_core::record::Record;

use super::figures::{day, money, money_or_dash, number};
use super::render::Me;
use crate::state::AppState;

/// How many rows each list shows.
const SHOWN: usize = 6;
/// A quote expiring within this many days is flagged.
const EXPIRING_DAYS: u64 = 7;

/// Monday of `today`'s week.
fn monday(today: NaiveDate) -> NaiveDate {
    today - Days::new(u64::from(today.weekday().num_days_from_monday()))
}

/// The rep's own figures: deals closing this week (or already late), quotes sent and
/// not answered, and this month's and quarter's quotas.
pub async fn mine(s: &AppState, me: &Me, today: NaiveDate) -> Value {
    let page = &me.page;
    let actor = me.actor();
    let sunday = monday(today) + Days::new(6);
    // Only the reader's open deals due by Sunday are read, soonest first.
    let params = [
        ("filter[owner_id]".to_owned(), actor.user_id.to_string()),
        ("filter[status]".to_owned(), "open".to_owned()),
        (
            "filter[expected_close_date][lte]".to_owned(),
            sunday.to_string(),
        ),
        ("sort".to_owned(), "expected_close_date".to_owned()),
        ("limit".to_owned(), SHOWN.to_string()),
    ];
    let closing: Option<Vec<Value>> = records::list::<DealData>(&s.app, actor, &params)
        .await
        .ok()
        .map(|list| {
            list.rows
                .iter()
                .map(|d| {
                    let close = d.data.expected_close_date.unwrap_or(today);
                    json!({
                        "title": d.data.name,
                        "href": format!("/deals/{}", d.id),
                        "subtitle": money_or_dash(page.locale, d.data.amount),
                        "meta": day(page.locale, close),
                        "late": close < today,
                    })
                })
                .collect()
        });
    let awaiting: Option<Vec<Value>> =
        quotes::list(&s.app, actor, None, 200)
            .await
            .ok()
            .map(|list| {
                let mut list: Vec<_> = list
                    .into_iter()
                    .filter(|q| q.owner_id == Some(actor.user_id) && q.status == QuoteStatus::Sent)
                    .collect();
                list.sort_by_key(|q| q.valid_until);
                list.iter()
                    .take(SHOWN)
                    .map(|q| {
                        json!({
                            "title": q.number,
                            "href": format!("/quotes/{}", q.id),
                            "subtitle": money(page.locale, q.totals.total, q.currency.as_str()),
                            "meta": day(page.locale, q.valid_until),
                            "late": q.valid_until <= today + Days::new(EXPIRING_DAYS),
                        })
                    })
                    .collect()
            });
    let month = format!("{}-{:02}", today.year(), today.month());
    let quarter = format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1);
    let mut quota = Vec::new();
    for period in [month, quarter] {
        let Ok(list) = deals::attainment(&s.app, actor, &period).await else {
            continue;
        };
        for a in list.iter().filter(|a| a.quota.user_id == actor.user_id) {
            let (won, target) = match a.quota.kind {
                QuotaKind::Amount => (
                    money_or_dash(page.locale, a.won_amount),
                    money_or_dash(page.locale, a.quota.amount),
                ),
                QuotaKind::Count => (
                    a.won_deals.to_string(),
                    a.quota.count.unwrap_or(0).to_string(),
                ),
            };
            quota.push(json!({
                "period": period_label(page, &period),
                "won": won,
                "target": target,
                "percent": number(page.locale, a.percent),
                "bar": a.percent.round().min(rust_decimal::Decimal::from(100)).to_string(),
            }));
        }
    }
    json!({"closing": closing, "awaiting": awaiting, "quota": quota})
}

/// `diciembre 2026`, `4.º trimestre 2026`: a quota's period in the reader's words.
pub fn period_label(page: &super::render::Page, period: &str) -> String {
    let (year, rest) = period.split_once('-').unwrap_or((period, ""));
    if let Some(q) = rest.strip_prefix('Q') {
        return page.t_args(
            "period-quarter",
            &[
                ("quarter", super::i18n::ArgValue::Text(q.to_owned())),
                ("year", super::i18n::ArgValue::Text(year.to_owned())),
            ],
        );
    }
    match rest.parse::<u32>() {
        Ok(m) => format!("{} {year}", page.t(&format!("month-{m}"))),
        Err(_) => period.to_owned(),
    }
}

/// The people whose work the person oversees: those their view adds to their own (a
/// manager's team), or everyone active for one who sees all and may list users.
async fn team_members(s: &AppState, me: &Me) -> Vec<(Id, String)> {
    let actor = me.actor();
    let ids: Vec<Id> = match &actor.view {
        Some(v) => v
            .owners
            .iter()
            .copied()
            .filter(|o| *o != actor.user_id)
            .collect(),
        None => users::list(&s.app, actor)
            .await
            .map(|l| {
                l.into_iter()
                    .filter(|u| u.active && u.id != actor.user_id)
                    .map(|u| u.id)
                    .collect()
            })
            .unwrap_or_default(),
    };
    let names = users::names(&s.app, &ids).await.unwrap_or_default();
    let mut out: Vec<(Id, String)> = names.into_iter().collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// The open deals of `owners`, read a page at a time (only those, not every deal the
/// reader sees).
async fn open_deals_of(s: &AppState, me: &Me, owners: &[Id]) -> Option<Vec<Record<DealData>>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = vec![
            (
                "filter[owner_id][in]".to_owned(),
                owners
                    .iter()
                    .map(Id::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            ("filter[status]".to_owned(), "open".to_owned()),
            ("limit".to_owned(), MAX_LIMIT.to_string()),
        ];
        params.extend(cursor.take().map(|c| ("cursor".to_owned(), c)));
        let page = records::list::<DealData>(&s.app, me.actor(), &params)
            .await
            .ok()?;
        out.extend(page.rows);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Some(out),
        }
    }
}

/// Which of `owners` logged or changed an activity since `since`: one read a page at a
/// time, ending as soon as every one of them is found.
async fn active_since(s: &AppState, me: &Me, owners: &[Id], since: &str) -> Vec<Id> {
    let mut found: Vec<Id> = Vec::new();
    let mut cursor: Option<String> = None;
    let owner_in = owners
        .iter()
        .map(Id::to_string)
        .collect::<Vec<_>>()
        .join(",");
    loop {
        let mut params = vec![
            ("filter[owner_id][in]".to_owned(), owner_in.clone()),
            ("filter[updated_at][gte]".to_owned(), since.to_owned()),
            ("limit".to_owned(), MAX_LIMIT.to_string()),
        ];
        params.extend(cursor.take().map(|c| ("cursor".to_owned(), c)));
        let Ok(page) = records::list::<ActivityData>(&s.app, me.actor(), &params).await else {
            // Unknown is not idle: nobody is named on a failed read.
            return owners.to_vec();
        };
        for r in &page.rows {
            if let Some(o) = r.data.owner_id
                && !found.contains(&o)
            {
                found.push(o);
            }
        }
        match page.next_cursor {
            Some(c) if found.len() < owners.len() => cursor = Some(c),
            _ => return found,
        }
    }
}

/// The team view, or nothing for a person who oversees no one.
pub async fn team(s: &AppState, me: &Me, today: NaiveDate) -> Option<Value> {
    let page = &me.page;
    let actor = me.actor();
    let members = team_members(s, me).await;
    if members.is_empty() {
        return None;
    }
    let ids: Vec<Id> = members.iter().map(|(id, _)| *id).collect();
    let names: HashMap<Id, String> = members.iter().cloned().collect();
    let pipeline = open_deals_of(s, me, &ids).await.map(|open| {
        let totals = sum_by_currency(open.iter().filter_map(|d| d.data.amount.as_ref()));
        json!({
            "count": open.len(),
            "totals": totals.iter().map(|m| money_or_dash(page.locale, Some(*m))).collect::<Vec<_>>(),
        })
    });
    // Who logged nothing since Monday (in the reader's zone).
    let tz = page.time_zone();
    let since = monday(today)
        .and_hms_opt(0, 0, 0)
        .and_then(|d| tz.from_local_datetime(&d).earliest())
        .map(|d| d.with_timezone(&Utc).to_rfc3339());
    let idle = match since {
        Some(since) => {
            let active = active_since(s, me, &ids, &since).await;
            members
                .iter()
                .filter(|(id, _)| !active.contains(id))
                .map(|(_, name)| name.clone())
                .collect()
        }
        None => Vec::new(),
    };
    let overdue = match today.pred_opt() {
        Some(yesterday) => {
            let params = [
                ("filter[status]".to_owned(), "planned".to_owned()),
                ("filter[due_date][lte]".to_owned(), yesterday.to_string()),
                (
                    "filter[owner_id][in]".to_owned(),
                    ids.iter().map(Id::to_string).collect::<Vec<_>>().join(","),
                ),
                ("sort".to_owned(), "due_date".to_owned()),
                ("limit".to_owned(), SHOWN.to_string()),
            ];
            records::list::<ActivityData>(&s.app, actor, &params)
                .await
                .map(|l| {
                    l.rows
                        .iter()
                        .map(|r| {
                            json!({
                                "title": r.data.subject,
                                "href": format!("/activities/{}", r.id),
                                "subtitle": r.data.owner_id.and_then(|o| names.get(&o).cloned()),
                                "meta": r.data.due_date.map(|d| day(page.locale, d)),
                                "late": true,
                            })
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    Some(json!({
        "pipeline": pipeline,
        "idle": idle,
        "overdue": overdue,
    }))
}
