//! Dunning ("gestión de cobranza"): the reminders a customer gets as an invoice stays
//! unpaid. The company sets levels (by default 7, 15 and 30 days overdue), each sending
//! an email in the customer's language, putting a collections call on the collector's
//! agenda, or both. A level runs once per invoice, the highest one reached first (an
//! invoice found 16 days overdue gets the 15-day level, not the 7-day one as well), and
//! nothing runs for a customer while a promise to pay is in force.
//!
//! Everything here is pure: the policy and its checks, the texts with their blanks
//! filled, and the decision of what to run for one open charge.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::Id;
use crate::money::Money;
use crate::quotes::Language;
use crate::validate::{Check, Code};

/// The most levels a policy has.
pub const MAX_LEVELS: usize = 10;
/// The latest a level may start: a year overdue.
pub const MAX_DAYS: u32 = 365;
/// The longest subject and body of an email template, in characters.
pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 5000;
/// The blanks a template may use, each written `{name}`.
pub const PLACEHOLDERS: &[&str] = &["customer", "invoice", "amount", "due_date", "days"];
/// The furthest ahead a promise to pay may be: a year.
pub const MAX_PROMISE_DAYS: i64 = 365;
/// The longest note on a promise.
pub const MAX_PROMISE_NOTE: usize = 2000;

/// One step of the policy: what happens when an invoice is `days_overdue` days late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DunningLevel {
    /// Days past the due date at which this level runs (1 to 365, increasing from one
    /// level to the next).
    pub days_overdue: u32,
    /// Email the customer (the subject and body below, in the customer's language).
    #[serde(default)]
    pub email: bool,
    /// Put a collections call on the collector's agenda (the account's owner).
    #[serde(default)]
    pub task: bool,
    /// The email's subject and body in Spanish and in English. Blanks: `{customer}`,
    /// `{invoice}`, `{amount}`, `{due_date}`, `{days}`.
    #[serde(default)]
    #[schema(example = "Recordatorio: factura {invoice} vencida")]
    pub subject_es: String,
    #[serde(default)]
    pub body_es: String,
    #[serde(default)]
    #[schema(example = "Reminder: invoice {invoice} is overdue")]
    pub subject_en: String,
    #[serde(default)]
    pub body_en: String,
}

/// The company's dunning policy: its levels, and whether it runs at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DunningPolicy {
    /// `false` stops every reminder (the daily run does nothing).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// From the earliest to the latest (1 to 10 levels).
    pub levels: Vec<DunningLevel>,
}

fn yes() -> bool {
    true
}

impl Default for DunningPolicy {
    fn default() -> Self {
        DunningPolicy {
            enabled: true,
            levels: vec![
                DunningLevel {
                    days_overdue: 7,
                    email: true,
                    task: false,
                    subject_es: "Recordatorio: factura {invoice} vencida".into(),
                    body_es: "Estimados/as {customer}:\n\n\
                              Les recordamos que la factura {invoice}, por {amount}, venció \
                              el {due_date} y registra {days} días de atraso.\n\n\
                              Si ya realizaron el pago, por favor desestimen este mensaje y, \
                              si pueden, envíennos el comprobante. Ante cualquier consulta \
                              estamos a su disposición.\n\n\
                              Muchas gracias."
                        .into(),
                    subject_en: "Reminder: invoice {invoice} is overdue".into(),
                    body_en: "Dear {customer},\n\n\
                              This is a friendly reminder that invoice {invoice}, for \
                              {amount}, was due on {due_date} and is now {days} days \
                              overdue.\n\n\
                              If you have already paid, please disregard this message and, \
                              if you can, send us the receipt. Do not hesitate to contact us \
                              with any question.\n\n\
                              Thank you."
                        .into(),
                },
                DunningLevel {
                    days_overdue: 15,
                    email: true,
                    task: true,
                    subject_es: "Segundo aviso: factura {invoice} impaga".into(),
                    body_es: "Estimados/as {customer}:\n\n\
                              A la fecha no registramos el pago de la factura {invoice}, por \
                              {amount}, vencida el {due_date} ({days} días de atraso).\n\n\
                              Les pedimos regularizar el saldo a la brevedad o indicarnos \
                              una fecha de pago. En los próximos días nos comunicaremos con \
                              ustedes.\n\n\
                              Saludos cordiales."
                        .into(),
                    subject_en: "Second notice: invoice {invoice} is unpaid".into(),
                    body_en: "Dear {customer},\n\n\
                              We have not yet received payment of invoice {invoice}, for \
                              {amount}, due on {due_date} ({days} days overdue).\n\n\
                              Please settle the balance as soon as possible or let us know \
                              when you will pay. We will call you in the coming days.\n\n\
                              Kind regards."
                        .into(),
                },
                DunningLevel {
                    days_overdue: 30,
                    email: true,
                    task: true,
                    subject_es: "Aviso final: factura {invoice} con {days} días de atraso".into(),
                    body_es: "Estimados/as {customer}:\n\n\
                              La factura {invoice}, por {amount}, vencida el {due_date}, \
                              sigue impaga después de {days} días.\n\n\
                              Les solicitamos cancelarla dentro de los próximos cinco días \
                              hábiles; de lo contrario podremos suspender las entregas y el \
                              crédito de la cuenta.\n\n\
                              Si ya pagaron, o si desean acordar un plan de pagos, respondan \
                              este correo.\n\n\
                              Atentamente."
                        .into(),
                    subject_en: "Final notice: invoice {invoice} is {days} days overdue".into(),
                    body_en: "Dear {customer},\n\n\
                              Invoice {invoice}, for {amount}, due on {due_date}, is still \
                              unpaid after {days} days.\n\n\
                              Please pay it within the next five business days; otherwise we \
                              may hold deliveries and the account's credit.\n\n\
                              If you have already paid, or would like to agree a payment \
                              plan, reply to this email.\n\n\
                              Yours sincerely."
                        .into(),
                },
            ],
        }
    }
}

/// What fills a template's blanks: one open charge of one customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The customer's name (`{customer}`).
    pub customer: String,
    /// The invoice's number (`{invoice}`).
    pub invoice: String,
    /// What is still open on it (`{amount}`: `1.210,00 ARS` or `1,210.00 ARS`).
    pub open: Money,
    pub due_date: NaiveDate,
    pub days_overdue: i64,
}

/// An email's subject and body, blanks filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// An amount as `language` writes it, with its currency: `50.000,00 ARS`.
pub fn amount_text(language: Language, m: Money) -> String {
    format!("{} {}", language.amount(m.amount), m.currency.as_str())
}

pub use crate::text::fill;

/// The `{word}`s of a text that are not blanks Cartera fills.
fn unknown_blanks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find('}') {
            let key = &after[..close];
            let word = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
            if word && !PLACEHOLDERS.contains(&key) {
                out.push(key.to_owned());
            }
        }
        rest = after;
    }
    out
}

impl DunningLevel {
    /// The email of this level for `notice`, in `language`.
    pub fn render(&self, language: Language, notice: &Notice) -> Rendered {
        let (subject, body) = match language {
            Language::Es => (&self.subject_es, &self.body_es),
            Language::En => (&self.subject_en, &self.body_en),
        };
        let amount = amount_text(language, notice.open);
        let due = language.date(notice.due_date);
        let days = notice.days_overdue.to_string();
        let values = [
            ("customer", notice.customer.as_str()),
            ("invoice", notice.invoice.as_str()),
            ("amount", amount.as_str()),
            ("due_date", due.as_str()),
            ("days", days.as_str()),
        ];
        Rendered {
            // A subject is one line, whatever a customer's name holds.
            subject: fill(subject, &values).replace(['\r', '\n'], " "),
            body: fill(body, &values),
        }
    }

    fn texts(&self) -> [(&'static str, &String, usize); 4] {
        [
            ("subject_es", &self.subject_es, MAX_SUBJECT),
            ("body_es", &self.body_es, MAX_BODY),
            ("subject_en", &self.subject_en, MAX_SUBJECT),
            ("body_en", &self.body_en, MAX_BODY),
        ]
    }
}

impl DunningPolicy {
    /// Trims the templates' ends.
    pub fn normalize(&mut self) {
        for l in &mut self.levels {
            for t in [
                &mut l.subject_es,
                &mut l.body_es,
                &mut l.subject_en,
                &mut l.body_en,
            ] {
                let trimmed = t.trim();
                if trimmed.len() != t.len() {
                    *t = trimmed.to_owned();
                }
            }
        }
    }

    /// Checks the policy; errors name `levels`, `levels[i]` (a level that does
    /// nothing) or `levels[i].<field>`.
    pub fn check(&self, c: &mut Check) {
        if self.levels.is_empty() && self.enabled {
            c.add(
                "levels",
                Code::Required,
                "give at least one level, or set enabled to false",
            );
        }
        if self.levels.len() > MAX_LEVELS {
            c.add(
                "levels",
                Code::TooMany,
                format!("at most {MAX_LEVELS} levels"),
            );
            return;
        }
        for (i, l) in self.levels.iter().enumerate() {
            let at = |field: &str| format!("levels[{i}].{field}");
            if !(1..=MAX_DAYS).contains(&l.days_overdue) {
                c.add(
                    &at("days_overdue"),
                    Code::OutOfRange,
                    format!("from 1 to {MAX_DAYS} days"),
                );
            } else if let Some(prev) = i.checked_sub(1).and_then(|p| self.levels.get(p))
                && l.days_overdue <= prev.days_overdue
            {
                c.add(
                    &at("days_overdue"),
                    Code::Invalid,
                    format!(
                        "levels go from the earliest to the latest: more than the {} days of the level before",
                        prev.days_overdue
                    ),
                );
            }
            if !l.email && !l.task {
                c.add(
                    &format!("levels[{i}]"),
                    Code::Required,
                    "a level sends an email, makes a call task, or both",
                );
            }
            for (field, text, max) in l.texts() {
                if l.email && text.trim().is_empty() {
                    c.add(
                        &at(field),
                        Code::Required,
                        "an emailing level needs its subject and body in both languages",
                    );
                }
                c.max_chars(&at(field), text, max);
                if field.starts_with("subject") && text.contains(['\r', '\n']) {
                    c.add(&at(field), Code::Invalid, "a subject is one line");
                }
                if let Some(bad) = unknown_blanks(text).first() {
                    c.add(
                        &at(field),
                        Code::Invalid,
                        format!(
                            "{{{bad}}} is not a blank Cartera fills; use {{customer}}, {{invoice}}, {{amount}}, {{due_date}} or {{days}}"
                        ),
                    );
                }
            }
        }
    }

    /// The latest level `days_overdue` has reached.
    pub fn reached(&self, days_overdue: i64) -> Option<&DunningLevel> {
        if !self.enabled {
            return None;
        }
        self.levels
            .iter()
            .filter(|l| i64::from(l.days_overdue) <= days_overdue)
            .max_by_key(|l| l.days_overdue)
    }

    /// What to do today for an open charge `days_overdue` days late, of which the levels
    /// `sent` (their days) already ran, for a customer who promised to pay by `promise`
    /// (when any): the highest level reached unless it ran already (a level never runs
    /// twice, nor does a lower one after a higher), and nothing while a promise is in
    /// force (to the promised day included).
    pub fn decide(
        &self,
        days_overdue: i64,
        sent: &[u32],
        promise: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Decision<'_> {
        let Some(level) = self.reached(days_overdue) else {
            return Decision::Nothing;
        };
        if sent.iter().any(|d| *d >= level.days_overdue) {
            return Decision::Nothing;
        }
        match promise.filter(|p| *p >= today) {
            Some(until) => Decision::Paused { until, level },
            None => Decision::Run(level),
        }
    }
}

/// What [`DunningPolicy::decide`] says of one open charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    /// No level due (not late enough, or it ran already).
    Nothing,
    /// A level is due but the customer promised to pay by `until`.
    Paused {
        until: NaiveDate,
        level: &'a DunningLevel,
    },
    Run(&'a DunningLevel),
}

/// The language a customer is written to in: Spanish unless its country (ISO 3166
/// alpha-2, from the billing address) is one where Spanish is not spoken; Spanish too
/// when no country is known.
pub fn language_for(country: Option<&str>) -> Language {
    const SPANISH: &[&str] = &[
        "AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "ES", "GQ", "GT", "HN", "MX", "NI", "PA",
        "PE", "PR", "PY", "SV", "UY", "VE",
    ];
    match country.map(|c| c.trim().to_ascii_uppercase()) {
        Some(c) if !c.is_empty() && !SPANISH.contains(&c.as_str()) => Language::En,
        _ => Language::Es,
    }
}

/// A customer's promise to pay: while it is in force (to `promised_on` included), the
/// account gets no reminders. Written down as an activity (`activity_id`) on the
/// account, so it shows on its timeline; deleting that activity withdraws the promise.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Promise {
    pub id: Id,
    pub account_id: Id,
    /// The day the customer said they would pay by.
    #[schema(value_type = String, format = Date, example = "2026-12-15")]
    pub promised_on: NaiveDate,
    /// What they promised, when they said.
    pub amount: Option<Money>,
    pub note: Option<String>,
    /// The activity that records it.
    pub activity_id: Id,
    pub created_by: Option<Id>,
    pub created_at: DateTime<Utc>,
    /// Whether it holds reminders back today (its day has not passed and its activity
    /// was not deleted).
    pub in_force: bool,
}

/// A promise as a person gives it.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromiseInput {
    /// The day the customer will pay by: today or later, within a year.
    #[schema(value_type = String, format = Date, example = "2026-12-15")]
    pub promised_on: NaiveDate,
    /// What they will pay (optional): a positive amount in cents at most.
    #[serde(default)]
    pub amount: Option<Money>,
    #[serde(default)]
    pub note: Option<String>,
}

impl PromiseInput {
    /// Tidies the note (blank: none).
    pub fn normalize(&mut self) {
        crate::validate::clean_opt(&mut self.note);
    }

    pub fn check(&self, today: NaiveDate, c: &mut Check) {
        if self.promised_on < today {
            c.add(
                "promised_on",
                Code::OutOfRange,
                "a promise is for today or a later day",
            );
        } else if (self.promised_on - today).num_days() > MAX_PROMISE_DAYS {
            c.add("promised_on", Code::OutOfRange, "at most a year ahead");
        }
        if let Some(m) = self.amount
            && (m.amount <= Decimal::ZERO || m.amount.normalize().scale() > 2)
        {
            c.add(
                "amount.amount",
                Code::OutOfRange,
                "a positive amount, to the cent",
            );
        }
        c.opt_max_chars("note", &self.note, MAX_PROMISE_NOTE);
    }

    /// The activity's subject: `Promesa de pago: 15/12/2026 · 50.000,00 ARS`.
    pub fn subject(&self, language: Language) -> String {
        let head = match language {
            Language::Es => "Promesa de pago",
            Language::En => "Promise to pay",
        };
        let mut s = format!("{head}: {}", language.date(self.promised_on));
        if let Some(m) = self.amount {
            s.push_str(" · ");
            s.push_str(&amount_text(language, m));
        }
        s
    }
}

/// One level run for one invoice, as the store keeps it: at most one per invoice and
/// level, whatever happened (sent, skipped, failed), so that nothing is sent twice.
#[derive(Debug, Clone, PartialEq)]
pub struct DunningRun {
    pub id: Id,
    pub invoice_id: Id,
    pub account_id: Id,
    pub level_days: u32,
    pub ran_on: NaiveDate,
    pub days_overdue: i64,
    pub open: Money,
    /// Where the email went (none: the level sends none, or nobody to send it to).
    pub email_to: Option<String>,
    pub language: Language,
    /// When the SMTP server took the email.
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the email was not taken.
    pub email_error: Option<String>,
    /// The collections call put on the collector's agenda.
    pub activity_id: Option<Id>,
    pub collector_id: Option<Id>,
    /// What was left undone and why: `no_email`, `no_collector`, comma-separated.
    pub skipped: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn money(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    fn notice() -> Notice {
        Notice {
            customer: "Agro {invoice} Sur".into(),
            invoice: "A-0001-00000007".into(),
            open: money(Decimal::new(121_000, 2), Currency::ARS),
            due_date: day("2026-11-20"),
            days_overdue: 16,
        }
    }

    #[test]
    fn the_default_policy_is_valid_and_fills_every_blank() {
        let p = DunningPolicy::default();
        let mut c = Check::new();
        p.check(&mut c);
        assert!(c.is_ok(), "{:?}", c.violations());
        assert_eq!(
            p.levels.iter().map(|l| l.days_overdue).collect::<Vec<_>>(),
            [7, 15, 30]
        );
        for l in &p.levels {
            for lang in [Language::Es, Language::En] {
                let r = l.render(lang, &notice());
                assert!(!r.subject.contains('{') || r.subject.contains("Agro {invoice}"));
                assert!(!r.body.contains("{amount}") && !r.body.contains("{days}"));
            }
        }
        let es = p.levels[1].render(Language::Es, &notice());
        assert_eq!(es.subject, "Segundo aviso: factura A-0001-00000007 impaga");
        assert!(
            es.body.starts_with("Estimados/as Agro {invoice} Sur:"),
            "{}",
            es.body
        );
        assert!(
            es.body
                .contains("por 1.210,00 ARS, vencida el 20/11/2026 (16 días")
        );
        let en = p.levels[1].render(Language::En, &notice());
        assert!(
            en.body
                .contains("for 1,210.00 ARS, due on 20 Nov 2026 (16 days")
        );
    }

    #[test]
    fn a_bad_policy_names_its_fields() {
        let mut p = DunningPolicy::default();
        p.levels[1].days_overdue = 7;
        p.levels[2].email = false;
        p.levels[2].task = false;
        p.levels[0].subject_en = String::new();
        p.levels[0].body_es = "Hola {cliente}".into();
        p.levels[0].subject_es = "dos\nlíneas".into();
        let mut c = Check::new();
        p.check(&mut c);
        let fields: Vec<String> = c.into_violations().into_iter().map(|v| v.field).collect();
        assert_eq!(
            fields,
            [
                "levels[0].subject_es",
                "levels[0].body_es",
                "levels[0].subject_en",
                "levels[1].days_overdue",
                "levels[2]",
            ]
        );
        let mut zero = DunningPolicy::default();
        zero.levels[0].days_overdue = 0;
        let mut c = Check::new();
        zero.check(&mut c);
        assert_eq!(c.into_violations()[0].field, "levels[0].days_overdue");
        let empty = DunningPolicy {
            enabled: true,
            levels: Vec::new(),
        };
        let mut c = Check::new();
        empty.check(&mut c);
        assert_eq!(c.into_violations()[0].field, "levels");
        // A task-only level needs no texts.
        let calls = DunningPolicy {
            enabled: true,
            levels: vec![DunningLevel {
                days_overdue: 10,
                email: false,
                task: true,
                subject_es: String::new(),
                body_es: String::new(),
                subject_en: String::new(),
                body_en: String::new(),
            }],
        };
        let mut c = Check::new();
        calls.check(&mut c);
        assert!(c.is_ok());
    }

    #[test]
    fn the_highest_level_reached_runs_once_and_never_under_a_promise() {
        let p = DunningPolicy::default();
        let today = day("2026-12-01");
        let run = |days, sent: &[u32], promise: Option<&str>| match p.decide(
            days,
            sent,
            promise.map(day),
            today,
        ) {
            Decision::Run(l) => Some(l.days_overdue),
            _ => None,
        };
        assert_eq!(run(6, &[], None), None);
        assert_eq!(run(7, &[], None), Some(7));
        assert_eq!(run(8, &[7], None), None, "never twice");
        assert_eq!(run(16, &[], None), Some(15), "the highest reached, alone");
        assert_eq!(run(16, &[7], None), Some(15));
        assert_eq!(run(20, &[30], None), None, "not lower after higher");
        assert_eq!(run(400, &[7, 15], None), Some(30));
        assert_eq!(run(16, &[7], Some("2026-12-01")), None, "promised today");
        assert!(matches!(
            p.decide(16, &[7], Some(day("2026-12-08")), today),
            Decision::Paused { until, level } if until == day("2026-12-08") && level.days_overdue == 15
        ));
        assert_eq!(
            run(16, &[7], Some("2026-11-30")),
            Some(15),
            "a promise past"
        );
        let off = DunningPolicy {
            enabled: false,
            ..DunningPolicy::default()
        };
        assert_eq!(off.decide(40, &[], None, today), Decision::Nothing);
    }

    #[test]
    fn blanks_are_filled_once_and_unknown_ones_stay() {
        assert_eq!(
            fill("{a} y {b} {c} {", &[("a", "{b}"), ("b", "2")]),
            "{b} y 2 {c} {"
        );
        assert_eq!(
            unknown_blanks("{customer} {clinte} {} {Amount} { x }"),
            ["clinte"]
        );
    }

    #[test]
    fn the_language_follows_the_country() {
        assert_eq!(language_for(None), Language::Es);
        assert_eq!(language_for(Some("ar")), Language::Es);
        assert_eq!(language_for(Some("ES")), Language::Es);
        assert_eq!(language_for(Some("US")), Language::En);
        assert_eq!(language_for(Some(" ")), Language::Es);
    }

    #[test]
    fn a_promise_reads_in_the_writers_language() {
        let p = PromiseInput {
            promised_on: day("2026-12-15"),
            amount: Some(money(Decimal::new(5_000_000, 2), Currency::ARS)),
            note: None,
        };
        assert_eq!(
            p.subject(Language::Es),
            "Promesa de pago: 15/12/2026 · 50.000,00 ARS"
        );
        assert_eq!(
            p.subject(Language::En),
            "Promise to pay: 15 Dec 2026 · 50,000.00 ARS"
        );
        let mut c = Check::new();
        p.check(day("2026-12-16"), &mut c);
        assert_eq!(c.into_violations()[0].field, "promised_on");
        let mut c = Check::new();
        PromiseInput {
            amount: Some(money(Decimal::new(-1, 0), Currency::ARS)),
            ..p
        }
        .check(day("2026-12-01"), &mut c);
        assert_eq!(c.into_violations()[0].field, "amount.amount");
    }
}
