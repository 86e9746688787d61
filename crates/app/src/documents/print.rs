//! Printing a document: the data its template reads, the template and logo in use,
//! the PDF typst makes of them, and the email that carries the PDF.

use serde_json::Value;

use cartera_documents::{DocumentError, Logo};
use cartera_store::Conn;

use super::Printed;
use super::assets::{logo, template};
use crate::mail::{Attachment, Email};
use crate::{App, AppError, Result};

/// Everything a PDF is made of, read from the database; made with [`PrintJob::render`]
/// after the connection is given back, since typst takes tens of milliseconds of CPU.
pub(crate) struct PrintJob {
    pub file_name: String,
    pub data: Value,
    template: String,
    logo: Option<Vec<u8>>,
    name: &'static str,
}

/// Reads what printing `doc` needs: its data, the template and the logo in use.
pub(crate) async fn prepare<D: Printed>(conn: &mut Conn, doc: &D) -> Result<PrintJob> {
    Ok(PrintJob {
        file_name: doc.file_name(),
        data: doc.print_data(conn).await?,
        template: template::<D>(conn).await?,
        logo: logo(conn).await?,
        name: D::NAME,
    })
}

impl PrintJob {
    /// The PDF, compiled on the blocking pool.
    pub async fn render(self) -> Result<Vec<u8>> {
        let PrintJob {
            data,
            template,
            logo,
            name,
            ..
        } = self;
        tokio::task::spawn_blocking(move || {
            cartera_documents::render(&template, &data, logo.as_deref().map(Logo))
        })
        .await
        .map_err(|e| AppError::Conflict(format!("the PDF could not be made: {e}")))?
        .map_err(|e| match e {
            DocumentError::Template(m) => AppError::Conflict(format!(
                "the {name} template does not compile; an admin can fix or reset it: {}",
                m.join("; ")
            )),
            other => AppError::Conflict(other.to_string()),
        })
    }
}

/// The document's PDF and its file name.
pub(crate) async fn pdf<D: Printed>(mut conn: Conn, doc: &D) -> Result<(String, Vec<u8>)> {
    let job = prepare(&mut conn, doc).await?;
    drop(conn);
    let name = job.file_name.clone();
    Ok((name, job.render().await?))
}

/// Sends `email` with the PDF attached; a mail server that refuses it answers 409 and
/// nothing is written.
pub(crate) async fn email_with_pdf(
    app: &App,
    email: &Email,
    file_name: String,
    pdf: Vec<u8>,
) -> Result<()> {
    app.mailer()
        .send_with(
            email,
            &[Attachment {
                filename: file_name,
                content_type: "application/pdf".into(),
                content: pdf,
            }],
        )
        .await
        .map_err(|e| AppError::Conflict(format!("the email was not sent: {e}")))
}
