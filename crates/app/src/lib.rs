//! Cartera's use cases. Each public function is one thing a user does: it opens the
//! transaction, checks the rules, writes the audit trail and commits. The JSON API and
//! the HTML pages call the same functions.

pub mod account_figures;
pub mod accounts;
pub mod activities;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod billing;
pub mod catalog;
pub mod contacts;
pub mod custom_fields;
pub mod dav;
pub mod deals;
pub mod demo;
pub mod demo_agenda;
mod demo_billing;
mod demo_sales;
pub mod documents;
pub mod error;
mod events;
pub mod followups;
pub mod idempotency;
pub mod imports;
pub mod io;
pub mod jobs;
pub mod leads;
pub mod limits;
pub mod mail;
pub mod maintenance;
pub mod notes;
pub mod notifications;
pub mod orders;
pub mod quotes;
pub mod records;
mod registry;
pub mod reminders;
pub mod roles;
pub mod search;
mod secrets;
pub mod settings;
pub mod shares;
pub mod targets;
pub mod teams;
pub mod territories;
mod timeline;
pub mod totals;
pub mod users;
mod versioned;
pub mod views;

use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};

use cartera_core::Id;
use cartera_core::roles::{
    Action, Grant, Module, Permissions, View, Visibility, allows, everything,
};
use cartera_core::users::Scope;
/// The database the app runs on, and how to open it: the server's composition root opens
/// one and hands it to [`App::new`], without naming the store crate itself.
pub use cartera_store::{ConnectOptions, Db};

pub use error::AppError;
pub use mail::Mailer;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Refuses a change based on `if_match` when the thing is now at another version (412).
pub(crate) fn check_version(if_match: Option<i64>, current: i64) -> Result<()> {
    match if_match {
        Some(expected) if expected != current => Err(AppError::Stale { expected, current }),
        _ => Ok(()),
    }
}

/// Where the time comes from; tests and later the scheduler replace it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock, to the microsecond both databases keep.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// Where people reach Cartera when nothing else is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The application: the database, the clock, the way out for email, and the address
/// people reach Cartera at (for links in emails).
#[derive(Clone)]
pub struct App {
    pub db: Db,
    clock: Arc<dyn Clock>,
    mailer: Arc<Mailer>,
    public_url: Arc<str>,
    /// Where the company's day turns: the date its documents carry and its reports
    /// default to.
    time_zone: chrono_tz::Tz,
}

impl App {
    /// An app that writes its emails to the log.
    pub fn new(db: Db) -> Self {
        App::with_clock(db, Arc::new(SystemClock))
    }

    pub fn with_clock(db: Db, clock: Arc<dyn Clock>) -> Self {
        App {
            db,
            clock,
            mailer: Arc::new(Mailer::Log),
            public_url: DEFAULT_PUBLIC_URL.into(),
            time_zone: chrono_tz::Tz::UTC,
        }
    }

    /// The company's time zone (UTC unless configured).
    pub fn with_time_zone(mut self, tz: chrono_tz::Tz) -> Self {
        self.time_zone = tz;
        self
    }

    /// The company's business day: what "today" means for the dates of its documents
    /// and the default day of its reports, the same on every page and in the API
    /// whatever the reader's own time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now().with_timezone(&self.time_zone).date_naive()
    }

    pub fn with_mailer(mut self, mailer: Mailer) -> Self {
        self.mailer = Arc::new(mailer);
        self
    }

    /// `url` without a trailing slash, e.g. `https://crm.example.com`.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim().trim_end_matches('/').into();
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }
}

/// Who is acting, with what rights, in which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Id,
    pub scope: Scope,
    pub request_id: Option<String>,
    /// The browser session the request came through; `None` for API tokens.
    pub session_id: Option<Id>,
    /// What the user's role allows, read with the credentials on every request, so an
    /// admin's change to a role applies from the next one.
    pub permissions: Arc<Permissions>,
    /// Which accounts, contacts and leads the user sees; `None`: all of them.
    pub view: Option<Arc<View>>,
}

impl Actor {
    /// An actor with every right (the CLI and the demo act as administrators).
    pub fn administrator(user_id: Id) -> Actor {
        Actor {
            user_id,
            scope: Scope::Admin,
            request_id: None,
            session_id: None,
            permissions: Arc::new(everything()),
            view: None,
        }
    }

    /// The actor of a request: `grant` is what the user's role allows. A role that does
    /// not see everything reads the user's teams, territories and shares (a few small
    /// queries); one that does reads nothing more.
    pub async fn for_user(
        app: &App,
        user_id: Id,
        scope: Scope,
        grant: Grant,
        request_id: Option<String>,
        session_id: Option<Id>,
    ) -> Result<Actor> {
        let view = if grant.visibility == Visibility::All {
            None
        } else {
            let mut conn = app.db.reader().await?;
            let teams = cartera_store::teams::teams_of(&mut conn, user_id).await?;
            let mates = if grant.visibility == Visibility::Team {
                cartera_store::teams::team_mates(&mut conn, user_id).await?
            } else {
                Vec::new()
            };
            let territories = if grant.visibility == Visibility::Territory {
                cartera_store::territories::covered_by(&mut conn, user_id).await?
            } else {
                Vec::new()
            };
            let grantees: Vec<Id> = std::iter::once(user_id)
                .chain(teams.iter().copied())
                .collect();
            let shared = cartera_store::shares::any_for(&mut conn, &grantees).await?;
            View::of(
                grant.visibility,
                user_id,
                &mates,
                &teams,
                &territories,
                shared,
            )
            .map(Arc::new)
        };
        Ok(Actor {
            user_id,
            scope,
            request_id,
            session_id,
            permissions: Arc::new(grant.permissions),
            view,
        })
    }

    /// Whether the actor sees only part of the records.
    pub fn limited(&self) -> bool {
        self.view.is_some()
    }

    /// Whether the user's role and the token's scope both allow `action` in `module`.
    pub fn may(&self, module: Module, action: Action) -> bool {
        self.scope.allows(action.scope()) && allows(&self.permissions, module, action)
    }

    /// Refuses what the user's role or the token's scope does not allow.
    pub fn permit(&self, module: Module, action: Action) -> Result<()> {
        self.require(action.scope())?;
        if allows(&self.permissions, module, action) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "your role does not allow '{}' on {}",
                action.as_str(),
                module.as_str()
            )))
        }
    }

    /// Refuses an action the actor's scope does not cover.
    pub fn require(&self, needed: Scope) -> Result<()> {
        if self.scope.allows(needed) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the '{}' scope; the token has '{}'",
                needed.as_str(),
                self.scope.as_str()
            )))
        }
    }
}
