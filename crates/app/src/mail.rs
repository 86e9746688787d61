//! Sending email: through an SMTP server when one is configured, otherwise into the log
//! at INFO, so that an install without SMTP can still hand a reset link on. Also the
//! texts of the emails Cartera sends, each language beside the other.

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MailPart, Mailbox, Message, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// The sender when none is configured.
pub const DEFAULT_FROM: &str = "Cartera <no-reply@localhost>";

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The message names no secret: the URL may carry a password.
    #[error(
        "the SMTP URL is not valid ({0}); write it as smtp://USER:PASSWORD@HOST:587?tls=required"
    )]
    SmtpUrl(String),
    #[error("the sender '{0}' is not a valid address (e.g. Cartera <no-reply@example.com>)")]
    From(String),
    #[error("the recipient '{0}' is not a valid address")]
    To(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("the SMTP server did not take the message: {0}")]
    Send(String),
}

/// A plain-text email to one person.
#[derive(Debug, Clone, PartialEq)]
pub struct Email {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
}

/// A file sent with an email (a quote's PDF).
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub filename: String,
    /// A media type such as `application/pdf`.
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Where email goes.
#[derive(Clone)]
pub enum Mailer {
    /// No SMTP server configured: every message is written to the log instead.
    Log,
    Smtp(Box<Smtp>),
}

/// An SMTP server and the sender to write as.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    // The transport holds the SMTP credentials: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

impl Mailer {
    /// A mailer for lettre's connection URL (`smtp://USER:PASSWORD@HOST:587?tls=required`,
    /// `smtps://...` for TLS from the first byte, `smtp://HOST:PORT` for plain SMTP on a
    /// trusted network); with no URL, the log.
    pub fn new(smtp_url: Option<&str>, from: &str) -> Result<Mailer, MailError> {
        let Some(url) = smtp_url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Mailer::Log);
        };
        let from: Mailbox = from
            .trim()
            .parse()
            .map_err(|_| MailError::From(from.to_owned()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::SmtpUrl(e.to_string()))?
            .build();
        Ok(Mailer::Smtp(Box::new(Smtp { transport, from })))
    }

    /// `smtp` or `log`, for the start-up line.
    pub fn describe(&self) -> &'static str {
        match self {
            Mailer::Log => "log",
            Mailer::Smtp(_) => "smtp",
        }
    }

    /// Sends `email` and waits for the server to take it.
    pub async fn send(&self, email: &Email) -> Result<(), MailError> {
        self.send_with(email, &[]).await
    }

    /// Sends `email` with files attached (a multipart message: the text, then each file).
    pub async fn send_with(
        &self,
        email: &Email,
        attachments: &[Attachment],
    ) -> Result<(), MailError> {
        match self {
            Mailer::Log => {
                tracing::info!(
                    to = %email.to_address,
                    subject = %email.subject,
                    body = ?email.body,
                    attachments = ?attachments.iter().map(|a| a.filename.as_str()).collect::<Vec<_>>(),
                    "no SMTP server is configured (CARTERA_SMTP_URL): the email is written here instead of sent"
                );
                Ok(())
            }
            Mailer::Smtp(smtp) => {
                let address = email
                    .to_address
                    .parse()
                    .map_err(|_| MailError::To(email.to_address.clone()))?;
                let builder = Message::builder()
                    .from(smtp.from.clone())
                    .to(Mailbox::new(Some(email.to_name.clone()), address))
                    .subject(email.subject.clone());
                let message = if attachments.is_empty() {
                    builder
                        .header(ContentType::TEXT_PLAIN)
                        .body(email.body.clone())
                } else {
                    let mut parts = MultiPart::mixed().singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(email.body.clone()),
                    );
                    for a in attachments {
                        let kind = ContentType::parse(&a.content_type)
                            .map_err(|e| MailError::Build(e.to_string()))?;
                        parts = parts.singlepart(
                            MailPart::new(a.filename.clone()).body(a.content.clone(), kind),
                        );
                    }
                    builder.multipart(parts)
                }
                .map_err(|e| MailError::Build(e.to_string()))?;
                smtp.transport
                    .send(message)
                    .await
                    .map_err(|e| MailError::Send(e.to_string()))?;
                Ok(())
            }
        }
    }
}

/// One email's words in one language; `{key}` marks where a value goes.
pub(crate) struct Texts {
    pub(crate) subject: &'static str,
    pub(crate) body: &'static str,
}

/// One email in every language Cartera speaks, side by side.
pub(crate) struct Translated {
    pub(crate) es: Texts,
    pub(crate) en: Texts,
}

impl Translated {
    /// The texts for `locale`; Spanish when Cartera does not speak it.
    pub(crate) fn pick(&self, locale: &str) -> &Texts {
        match locale {
            "en" => &self.en,
            _ => &self.es,
        }
    }
}

/// The password reset email. Values: `name`, `email`, `link`, `expires`.
const PASSWORD_RESET: Translated = Translated {
    es: Texts {
        subject: "Restablece tu contraseña de Cartera",
        body: "Hola, {name}:\n\n\
               Alguien (esperamos que tú) pidió restablecer la contraseña de tu cuenta \
               de Cartera ({email}). Para elegir una nueva, abre este enlace:\n\n\
               {link}\n\n\
               El enlace sirve una sola vez y vence en una hora ({expires}). Si no lo \
               pediste, ignora este mensaje: tu contraseña sigue siendo la misma.\n",
    },
    en: Texts {
        subject: "Reset your Cartera password",
        body: "Hello {name},\n\n\
               Someone (we hope you) asked to reset the password of your Cartera \
               account ({email}). To choose a new one, open this link:\n\n\
               {link}\n\n\
               The link works once and expires in one hour ({expires}). If you did not \
               ask for it, ignore this message: your password stays as it is.\n",
    },
};

/// A quote sent to a customer. Values: `name`, `number`, `company`, `valid_until`.
const QUOTE: Translated = Translated {
    es: Texts {
        subject: "Presupuesto {number} de {company}",
        body: "Hola, {name}:\n\n\
               Le enviamos adjunto nuestro presupuesto {number}, válido hasta el \
               {valid_until}.\n\n\
               Quedamos a su disposición para cualquier consulta.\n\n\
               {company}\n",
    },
    en: Texts {
        subject: "Quote {number} from {company}",
        body: "Hello {name},\n\n\
               Please find attached our quote {number}, valid until {valid_until}.\n\n\
               Do not hesitate to contact us with any question.\n\n\
               {company}\n",
    },
};

/// The email that carries a quote's PDF, in the quote's language.
pub fn quote(
    locale: &str,
    to_name: &str,
    to_address: &str,
    number: &str,
    company: &str,
    valid_until: &str,
) -> Email {
    let t = QUOTE.pick(locale);
    let values = [
        ("name", to_name),
        ("number", number),
        ("company", company),
        ("valid_until", valid_until),
    ];
    Email {
        to_name: to_name.to_owned(),
        to_address: to_address.to_owned(),
        subject: fill(t.subject, &values),
        body: fill(t.body, &values),
    }
}

const INVOICE: Translated = Translated {
    es: Texts {
        subject: "{document} {number} de {company}",
        body: "Hola, {name}:\n\n\
               Le enviamos adjunta la {document_lower} {number} por {amount}, con \
               vencimiento el {due_date}.\n\n\
               Quedamos a su disposición para cualquier consulta.\n\n\
               {company}\n",
    },
    en: Texts {
        subject: "{document} {number} from {company}",
        body: "Hello {name},\n\n\
               Please find attached {document_lower} {number} for {amount}, due on \
               {due_date}.\n\n\
               Do not hesitate to contact us with any question.\n\n\
               {company}\n",
    },
};

/// The email that carries an invoice or a note: `document` is its name in the
/// language (`Factura`, `Nota de crédito`).
#[allow(clippy::too_many_arguments)]
pub fn invoice(
    locale: &str,
    to_name: &str,
    to_address: &str,
    document: &str,
    number: &str,
    company: &str,
    amount: &str,
    due_date: &str,
) -> Email {
    let t = INVOICE.pick(locale);
    let lower = document.to_lowercase();
    let values = [
        ("name", to_name),
        ("document", document),
        ("document_lower", lower.as_str()),
        ("number", number),
        ("company", company),
        ("amount", amount),
        ("due_date", due_date),
    ];
    Email {
        to_name: to_name.to_owned(),
        to_address: to_address.to_owned(),
        subject: fill(t.subject, &values),
        body: fill(t.body, &values),
    }
}

const STATEMENT: Translated = Translated {
    es: Texts {
        subject: "Estado de cuenta al {as_of} - {company}",
        body: "Hola, {name}:\n\n\
               Le enviamos adjunto su estado de cuenta al {as_of}. El saldo es de \
               {balance}.\n\n\
               Si ya realizó el pago, por favor desestime este mensaje.\n\n\
               {company}\n",
    },
    en: Texts {
        subject: "Statement of account as of {as_of} - {company}",
        body: "Hello {name},\n\n\
               Please find attached your statement of account as of {as_of}. The balance \
               is {balance}.\n\n\
               If you have already paid, please disregard this message.\n\n\
               {company}\n",
    },
};

/// The email that carries a customer's statement of account.
pub fn statement(
    locale: &str,
    to_name: &str,
    to_address: &str,
    company: &str,
    as_of: &str,
    balance: &str,
) -> Email {
    let t = STATEMENT.pick(locale);
    let values = [
        ("name", to_name),
        ("company", company),
        ("as_of", as_of),
        ("balance", balance),
    ];
    Email {
        to_name: to_name.to_owned(),
        to_address: to_address.to_owned(),
        subject: fill(t.subject, &values),
        body: fill(t.body, &values),
    }
}

pub(crate) use cartera_core::text::fill;

/// The expiry as the person reads it: their local time and zone.
pub(crate) fn local_time(at: DateTime<Utc>, time_zone: &str) -> String {
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => format!(
            "{} {time_zone}",
            at.with_timezone(&tz).format("%Y-%m-%d %H:%M")
        ),
        Err(_) => format!("{} UTC", at.format("%Y-%m-%d %H:%M")),
    }
}

/// The email with a password reset link, in the user's language.
pub fn password_reset(
    user: &cartera_core::users::User,
    link: &str,
    expires_at: DateTime<Utc>,
) -> Email {
    let t = PASSWORD_RESET.pick(&user.locale);
    let expires = local_time(expires_at, &user.time_zone);
    let values = [
        ("name", user.name.as_str()),
        ("email", user.email.as_str()),
        ("link", link),
        ("expires", expires.as_str()),
    ];
    Email {
        to_name: user.name.clone(),
        to_address: user.email.clone(),
        subject: fill(t.subject, &values),
        body: fill(t.body, &values),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(locale: &str) -> cartera_core::users::User {
        cartera_core::users::User {
            id: cartera_core::Id::new(),
            email: "ana@example.com".into(),
            name: "Ana {link}".into(),
            locale: locale.into(),
            time_zone: "Europe/Madrid".into(),
            active: true,
            role_id: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn reset_email_in_each_language() {
        let at = "2026-11-22T14:03:00Z".parse().unwrap();
        let es = password_reset(&user("es"), "http://x/reset-password?token=crp_1", at);
        assert_eq!(es.subject, "Restablece tu contraseña de Cartera");
        assert!(es.body.starts_with("Hola, Ana {link}:"), "{}", es.body);
        assert!(es.body.contains("\nhttp://x/reset-password?token=crp_1\n"));
        assert!(es.body.contains("2026-11-22 15:03 Europe/Madrid"));
        let en = password_reset(&user("en"), "L", at);
        assert_eq!(en.subject, "Reset your Cartera password");
        assert!(en.body.contains("expires in one hour"));
        assert_eq!(password_reset(&user("fr"), "L", at).subject, es.subject);
    }

    #[test]
    fn every_language_has_every_placeholder() {
        for (locale, t) in [("es", &PASSWORD_RESET.es), ("en", &PASSWORD_RESET.en)] {
            for key in ["{name}", "{email}", "{link}", "{expires}"] {
                assert!(t.body.contains(key), "{locale} lacks {key}");
            }
        }
    }

    #[test]
    fn bad_settings_are_refused_without_echoing_the_url() {
        assert!(matches!(Mailer::new(None, "x"), Ok(Mailer::Log)));
        let e = Mailer::new(Some("ftp://u:secreto@host"), DEFAULT_FROM).unwrap_err();
        assert!(!e.to_string().contains("secreto"), "{e}");
        assert!(matches!(
            Mailer::new(Some("smtp://127.0.0.1:2525"), "no es una dirección"),
            Err(MailError::From(_))
        ));
        assert!(Mailer::new(Some("smtp://127.0.0.1:2525"), DEFAULT_FROM).is_ok());
    }
}
