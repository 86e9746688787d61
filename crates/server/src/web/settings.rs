//! The person's own settings: profile (name, language, time zone), the language switch
//! of the user menu, password, the authenticator (second factor) and API tokens; for an
//! admin, the company's reporting currency and its exchange rates per month.

use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use cartera_app::users::{self, ProfileChange, TokenRequest};
use cartera_app::{AppError, auth};
use cartera_core::roles::{Action, Module};
use cartera_core::users::Scope;
use cartera_core::{Code, Id, Violations};

use super::forms::{Fields, FormErrors, explain, place, typed_number};
use super::render::{Me, when};
use crate::state::AppState;

/// The IANA zones people pick from: the real ones (`Area/City`), not aliases like `EST`.
fn time_zones() -> Vec<&'static str> {
    let mut zones: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .filter(|n| {
            n.contains('/')
                && !n.starts_with("Etc/")
                && !n.starts_with("SystemV/")
                && !n.starts_with("US/")
        })
        .collect();
    zones.sort_unstable();
    zones
}

/// A base32 secret in groups of four, easier to type.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

const SCOPES: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

/// Renders the settings page with what is stored now and `extra` (errors, a secret
/// shown once, the form as typed).
async fn render(s: &AppState, me: &Me, status: StatusCode, extra: Value) -> Response {
    let page = &me.page;
    let actor = me.actor();
    let user = match users::me(&s.app, actor).await {
        Ok(u) => u,
        Err(e) => return page.error(e),
    };
    let tokens = match users::my_tokens(&s.app, actor).await {
        Ok(t) => t,
        Err(e) => return page.error(e),
    };
    let totp_on = match auth::totp_on(&s.app, actor).await {
        Ok(on) => on,
        Err(e) => return page.error(e),
    };
    let feed_since = match cartera_app::dav::feed_since(&s.app, actor).await {
        Ok(f) => f,
        Err(e) => return page.error(e),
    };
    let tz = page.time_zone();
    let tokens: Vec<Value> = tokens
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "scope": t.scope.as_str(),
                "created": when(t.created_at, tz, page.locale),
                "expires": t.expires_at.map(|e| when(e, tz, page.locale)),
                "last_used": t.last_used_at.map(|e| when(e, tz, page.locale)),
                "revoked": t.revoked_at.is_some(),
                "expired": t.expires_at.is_some_and(|e| e <= Utc::now()),
            })
        })
        .collect();
    let mut ctx = Map::new();
    ctx.insert("nav".into(), "settings".into());
    ctx.insert(
        "profile".into(),
        json!({"name": user.name, "locale": user.locale, "time_zone": user.time_zone}),
    );
    ctx.insert("zones".into(), json!(time_zones()));
    ctx.insert("totp_on".into(), totp_on.into());
    ctx.insert("tokens".into(), tokens.into());
    ctx.insert(
        "scopes".into(),
        SCOPES
            .iter()
            .filter(|sc| actor.scope.allows(**sc))
            .map(|sc| sc.as_str())
            .collect::<Vec<_>>()
            .into(),
    );
    ctx.insert(
        "sync".into(),
        sync_context(s, &user.email, feed_since, page),
    );
    ctx.insert("errors".into(), json!({}));
    if actor.may(Module::Settings, Action::Admin) {
        match cartera_app::settings::get(&s.app, actor).await {
            Ok(company) => {
                ctx.insert("rates".into(), rates_shown(page, &company));
            }
            Err(e) => return page.error(e),
        }
    }
    if let Value::Object(m) = extra {
        ctx.extend(m);
    }
    page.render(status, "settings/settings.html", Value::Object(ctx))
}

fn with_errors(errors: FormErrors, more: Value) -> Value {
    let mut v = json!({"errors": errors.fields, "general_error": errors.general});
    if let (Value::Object(m), Value::Object(more)) = (&mut v, more) {
        m.extend(more);
    }
    v
}

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    saved: Option<String>,
}

pub async fn page(State(s): State<AppState>, me: Me, Query(q): Query<SettingsQuery>) -> Response {
    // Only known notices: the query must not put words on the page.
    let saved = q.saved.filter(|k| {
        [
            "profile",
            "password",
            "totp-off",
            "token-revoked",
            "language",
            "rates",
        ]
        .contains(&k.as_str())
    });
    render(
        &s,
        &me,
        StatusCode::OK,
        json!({"saved": saved.map(|k| format!("settings-saved-{k}"))}),
    )
    .await
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct ProfileForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    time_zone: String,
}

pub async fn profile(State(s): State<AppState>, me: Me, Form(form): Form<ProfileForm>) -> Response {
    let change = ProfileChange {
        name: Some(form.name.clone()),
        locale: Some(form.locale.clone()),
        time_zone: Some(form.time_zone.clone()),
    };
    match users::update_me(&s.app, me.actor(), change).await {
        Ok(_) => Redirect::to("/settings?saved=profile#profile").into_response(),
        Err(AppError::Invalid(v)) => {
            let errors = place(&me.page, v, |f| match f {
                "name" => Some("name"),
                "locale" => Some("locale"),
                "time_zone" => Some("time_zone"),
                _ => None,
            });
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                with_errors(errors, json!({"profile": form})),
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize, Default)]
pub struct LanguageForm {
    #[serde(default)]
    locale: String,
    back: Option<String>,
}

/// The user menu's language switch: the next page speaks the chosen language.
pub async fn language(
    State(s): State<AppState>,
    me: Me,
    Form(form): Form<LanguageForm>,
) -> Response {
    let change = ProfileChange {
        name: None,
        locale: Some(form.locale),
        time_zone: None,
    };
    match users::update_me(&s.app, me.actor(), change).await {
        Ok(_) => {
            let back = form
                .back
                .as_deref()
                .and_then(super::render::same_site_path)
                .unwrap_or("/my-day")
                .to_owned();
            Redirect::to(&back).into_response()
        }
        Err(AppError::Invalid(_)) => me.page.error_page(StatusCode::BAD_REQUEST, "bad-request"),
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize, Default)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

/// Changes the password; the person's other sessions end, this one stays.
pub async fn password(
    State(s): State<AppState>,
    me: Me,
    Form(form): Form<PasswordForm>,
) -> Response {
    let page = &me.page;
    if form.new_password != form.new_password_again {
        let errors = FormErrors::one("new_password_again", page.t("password-mismatch"));
        return render(
            &s,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            with_errors(errors, json!({})),
        )
        .await;
    }
    match auth::change_password(
        &s.app,
        me.actor(),
        &form.current_password,
        &form.new_password,
    )
    .await
    {
        Ok(()) => Redirect::to("/settings?saved=password#password").into_response(),
        Err(AppError::Invalid(v)) => {
            let errors = place(page, v, |f| match f {
                "current_password" => Some("current_password"),
                "new_password" => Some("new_password"),
                _ => None,
            });
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                with_errors(errors, json!({})),
            )
            .await
        }
        Err(e) => page.error(e),
    }
}

/// Starts the authenticator: the secret, its address and a QR code to scan.
pub async fn totp_begin(State(s): State<AppState>, me: Me) -> Response {
    match auth::begin_totp(&s.app, me.actor()).await {
        Ok(setup) => {
            let extra = json!({
                "totp_setup": {
                    "secret": grouped(&setup.secret),
                    "url": setup.otpauth_url,
                    "qr": super::qr::svg(&setup.otpauth_url),
                }
            });
            render(&s, &me, StatusCode::OK, extra).await
        }
        Err(AppError::Conflict(_)) => Redirect::to("/settings#two-factor").into_response(),
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Turns the authenticator on with its first code and shows the recovery codes once.
pub async fn totp_confirm(
    State(s): State<AppState>,
    me: Me,
    Form(form): Form<CodeForm>,
) -> Response {
    match auth::confirm_totp(&s.app, me.actor(), &form.code).await {
        Ok(codes) => render(&s, &me, StatusCode::OK, json!({"recovery_codes": codes})).await,
        Err(AppError::Invalid(_)) => {
            let errors = FormErrors::one("totp_code", me.page.t("settings-totp-wrong-code"));
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                with_errors(errors, json!({"totp_retry": true})),
            )
            .await
        }
        Err(AppError::Conflict(_)) => Redirect::to("/settings#two-factor").into_response(),
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize, Default)]
pub struct PasswordConfirmForm {
    #[serde(default)]
    password: String,
}

pub async fn totp_disable(
    State(s): State<AppState>,
    me: Me,
    Form(form): Form<PasswordConfirmForm>,
) -> Response {
    match auth::disable_totp(&s.app, me.actor(), &form.password).await {
        Ok(()) => Redirect::to("/settings?saved=totp-off#two-factor").into_response(),
        Err(AppError::Invalid(_)) => {
            let errors = FormErrors::one("totp_password", me.page.t("settings-wrong-password"));
            render(
                &s,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                with_errors(errors, json!({})),
            )
            .await
        }
        Err(e) => me.page.error(e),
    }
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    /// A date (`YYYY-MM-DD`): the token works until the end of that day, in the
    /// person's time zone.
    #[serde(default)]
    expires: String,
}

/// Makes a token and shows its secret this once.
pub async fn token_create(
    State(s): State<AppState>,
    me: Me,
    Form(form): Form<TokenForm>,
) -> Response {
    let page = &me.page;
    let mut errors = FormErrors::default();
    let scope = match form.scope.as_str() {
        "read" => Some(Scope::Read),
        "write" => Some(Scope::Write),
        "admin" => Some(Scope::Admin),
        _ => None,
    };
    if scope.is_none() {
        errors
            .fields
            .insert("token_scope".into(), page.t("violation-invalid"));
    }
    let tz: Tz = page.time_zone();
    let expires_at = if form.expires.trim().is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(form.expires.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .and_then(|t| tz.from_local_datetime(&t).earliest())
        {
            Some(at) => Some(at.with_timezone(&Utc)),
            None => {
                errors
                    .fields
                    .insert("token_expires".into(), page.t("violation-invalid"));
                None
            }
        }
    };
    if let (true, Some(scope)) = (errors.is_empty(), scope) {
        let req = TokenRequest {
            name: form.name.clone(),
            scope,
            expires_at,
        };
        match users::create_my_token(&s.app, me.actor(), req).await {
            Ok((token, secret)) => {
                let extra = json!({"new_token": {"name": token.name, "secret": secret}});
                return render(&s, &me, StatusCode::OK, extra).await;
            }
            Err(AppError::Invalid(v)) => {
                errors = place(page, v, |f| match f {
                    "name" => Some("token_name"),
                    "scope" => Some("token_scope"),
                    "expires_at" => Some("token_expires"),
                    _ => None,
                });
            }
            Err(e) => return page.error(e),
        }
    }
    render(
        &s,
        &me,
        StatusCode::UNPROCESSABLE_ENTITY,
        with_errors(errors, json!({"token_form": form})),
    )
    .await
}

pub async fn token_revoke(State(s): State<AppState>, me: Me, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<Id>() else {
        return me.page.error_page(StatusCode::NOT_FOUND, "not-found");
    };
    match users::revoke_my_token(&s.app, me.actor(), id).await {
        Ok(_) => Redirect::to("/settings?saved=token-revoked#tokens").into_response(),
        Err(e) => me.page.error(e),
    }
}

// ---- the company's reporting currency and exchange rates (admins) ----

/// The reporting currency and the rates as the form shows them: rates in the reader's
/// format (`1.050,5`), latest month first, and a blank row to add one.
fn rates_shown(page: &super::render::Page, company: &cartera_app::settings::Settings) -> Value {
    let mut rows: Vec<&cartera_core::exchange::ExchangeRate> =
        company.exchange_rates.iter().collect();
    rows.sort_by(|a, b| b.month.cmp(&a.month).then(a.currency.cmp(&b.currency)));
    json!({
        "reporting_currency": company.reporting_currency,
        "rows": rows.iter().map(|r| json!({
            "month": r.month,
            "currency": r.currency,
            "rate": super::figures::number(page.locale, r.rate),
            "errors": {},
        })).collect::<Vec<_>>(),
        "errors": {},
    })
}

/// The catalogue's name for a rate cell (`exchange_rates[2].rate` → `fx_rate`: the
/// tax rate already owns `rate`).
fn rate_field(leaf: &str) -> &'static str {
    match leaf {
        "month" => "fx_month",
        "currency" => "fx_currency",
        _ => "fx_rate",
    }
}

/// Saves the reporting currency and the rates as the admin left them: blank rows are
/// dropped, the row whose "Remove" was pressed too; a refused form comes back with a
/// message on each wrong cell.
pub async fn save_rates(State(s): State<AppState>, me: Me, body: Bytes) -> Response {
    let page = &me.page;
    if let Err(e) = me.actor().permit(Module::Settings, Action::Admin) {
        return page.error(e);
    }
    let f = Fields::parse(&body);
    let removed: Option<usize> = f.get("remove").parse().ok();
    let (months, currencies, rates) = (f.all("month"), f.all("currency"), f.all("rate"));
    let mut rows: Vec<Value> = Vec::new();
    let mut sent: Vec<Value> = Vec::new();
    let mut unreadable = false;
    for (i, month) in months.iter().enumerate() {
        let month = month.trim();
        let currency = currencies.get(i).map_or("", |c| c.trim()).to_uppercase();
        let rate = rates.get(i).map_or("", |r| r.trim());
        if removed == Some(i) || (month.is_empty() && currency.is_empty() && rate.is_empty()) {
            continue;
        }
        let mut errors = serde_json::Map::new();
        let typed = typed_number(page, rate);
        if typed.is_err() {
            unreadable = true;
            errors.insert(
                "rate".into(),
                explain(page, "fx_rate", Code::Invalid).into(),
            );
        }
        rows.push(json!({"month": month, "currency": currency, "rate": rate, "errors": errors}));
        sent.push(json!({
            "month": month,
            "currency": currency,
            "rate": typed.map(|d| d.to_string()).unwrap_or_default(),
        }));
    }
    let reporting = f.get("reporting_currency").to_uppercase();
    let shown = |rows: Vec<Value>, errors: Value| json!({"rates": {"reporting_currency": reporting, "rows": rows, "errors": errors}});
    if unreadable {
        let extra = shown(rows, json!({}));
        return render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
    }
    let patch = json!({"reporting_currency": reporting, "exchange_rates": sent});
    match cartera_app::settings::update(&s.app, me.actor(), patch).await {
        Ok(_) => Redirect::to("/settings?saved=rates#rates").into_response(),
        Err(AppError::Invalid(v)) => {
            let general = place_rates(page, v, &mut rows);
            let extra = shown(rows, json!(general));
            render(&s, &me, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => page.error(e),
    }
}

/// Puts each violation on its row's cell (`exchange_rates[2].month`), or on the
/// reporting currency; returns the messages that are not about a row.
fn place_rates(
    page: &super::render::Page,
    v: Violations,
    rows: &mut [Value],
) -> serde_json::Map<String, Value> {
    let mut general = serde_json::Map::new();
    for x in v.0 {
        let at_row = x
            .field
            .strip_prefix("exchange_rates[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(i, leaf)| Some((i.parse::<usize>().ok()?, leaf)));
        match at_row {
            Some((i, leaf)) if i < rows.len() => {
                let text = explain(page, rate_field(leaf), x.code);
                if let Some(errors) = rows[i]["errors"].as_object_mut() {
                    errors.entry(leaf.to_owned()).or_insert(text.into());
                }
            }
            _ => {
                let field = if x.field == "reporting_currency" {
                    "reporting_currency"
                } else {
                    "rates"
                };
                general
                    .entry(field.to_owned())
                    .or_insert(explain(page, field, x.code).into());
            }
        }
    }
    general
}

/// dav: what a person types into a phone or a desktop client to sync with Cartera.
fn sync_context(
    s: &AppState,
    email: &str,
    feed_since: Option<chrono::DateTime<Utc>>,
    page: &super::render::Page,
) -> Value {
    let base = s.app.public_url().trim_end_matches('/').to_owned();
    // iOS asks for a server name, not a URL.
    let host = base
        .split_once("://")
        .map_or(base.as_str(), |(_, rest)| rest)
        .to_owned();
    json!({
        "base": base,
        "host": host,
        "dav_url": format!("{base}/dav/"),
        "email": email,
        "feed_since": feed_since.map(|t| when(t, page.time_zone(), page.locale)),
    })
}

/// dav: makes or replaces the calendar feed link and shows it this once.
pub async fn calendar_feed(State(s): State<AppState>, me: Me) -> Response {
    match cartera_app::dav::rotate_feed(&s.app, me.actor()).await {
        Ok(secret) => {
            let url = crate::api::dav::feed_url(s.app.public_url(), &secret);
            render(&s, &me, StatusCode::OK, json!({"new_feed": url})).await
        }
        Err(e) => me.page.error(e),
    }
}

/// The person's settings.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/settings", get(page))
        .route("/settings/profile", post(profile))
        .route("/settings/language", post(language))
        .route("/settings/password", post(password))
        .route("/settings/totp", post(totp_begin))
        .route("/settings/totp/confirm", post(totp_confirm))
        .route("/settings/totp/disable", post(totp_disable))
        .route("/settings/tokens", post(token_create))
        .route("/settings/tokens/{id}/revoke", post(token_revoke))
        .route("/settings/calendar-feed", post(calendar_feed))
        .route("/settings/rates", post(save_rates))
}
