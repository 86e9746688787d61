//! The pieces of a multistatus answer. Request bodies are read by
//! `cartera_core::dav::xml`, which bounds their depth and size.

pub use cartera_core::dav::xml::{CALDAV, CALSERVER, CARDDAV, DAV, El, XmlError, parse};

pub use cartera_core::dav::xml_escape as escape;

/// The opening of a multistatus answer, with the prefixes the properties use.
pub const MULTISTATUS_OPEN: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" xmlns:card=\"urn:ietf:params:xml:ns:carddav\" xmlns:cs=\"http://calendarserver.org/ns/\">";
pub const MULTISTATUS_CLOSE: &str = "</d:multistatus>";

/// The prefix our answers bind a namespace to (or none: the caller declares it inline).
pub fn prefix(ns: &str) -> Option<&'static str> {
    match ns {
        DAV => Some("d"),
        CALDAV => Some("c"),
        CARDDAV => Some("card"),
        CALSERVER => Some("cs"),
        _ => None,
    }
}

/// An empty element for a property name, in any namespace.
pub fn empty_prop(ns: &str, name: &str) -> String {
    match prefix(ns) {
        Some(p) => format!("<{p}:{name}/>"),
        None => format!("<x:{name} xmlns:x=\"{}\"/>", escape(ns)),
    }
}

/// A DAV error body (`<d:error><c:valid-calendar-data/></d:error>`) with a human message.
pub fn error_body(ns: &str, condition: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" xmlns:card=\"urn:ietf:params:xml:ns:carddav\">{}<d:message>{}</d:message></d:error>",
        empty_prop(ns, condition),
        escape(message)
    )
}
