//! Sending email: through an SMTP server when one is configured, otherwise into the log
//! at INFO, so that an install without SMTP can still pass a message on by hand.

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
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
        match self {
            Mailer::Log => {
                tracing::info!(
                    to = %email.to_address,
                    subject = %email.subject,
                    body = ?email.body,
                    "no SMTP server is configured (CARTERA_SMTP_URL): the email is written here instead of sent"
                );
                Ok(())
            }
            Mailer::Smtp(smtp) => {
                let address = email
                    .to_address
                    .parse()
                    .map_err(|_| MailError::To(email.to_address.clone()))?;
                let message = Message::builder()
                    .from(smtp.from.clone())
                    .to(Mailbox::new(Some(email.to_name.clone()), address))
                    .subject(email.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(email.body.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

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
