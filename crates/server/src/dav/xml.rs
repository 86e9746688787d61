//! The WebDAV request bodies (PROPFIND, REPORT) read into a small namespaced tree with
//! quick-xml, and the pieces of a multistatus answer.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";

/// An element: its namespace and local name, attributes, children and text.
#[derive(Debug, Clone, Default)]
pub struct El {
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<El>,
    pub text: String,
}

impl El {
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    pub fn child(&self, ns: &str, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a El> {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Every descendant named so, depth first.
    pub fn find_all<'a>(&'a self, ns: &str, name: &str, out: &mut Vec<&'a El>) {
        for c in &self.children {
            if c.is(ns, name) {
                out.push(c);
            }
            c.find_all(ns, name, out);
        }
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The root element of a request body; `None` for a malformed document.
pub fn parse(body: &[u8]) -> Option<El> {
    let mut reader = NsReader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<El> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let (ns, ev) = reader.read_resolved_event_into(&mut buf).ok()?;
        let ns = match ns {
            ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
            _ => String::new(),
        };
        match ev {
            Event::Start(e) => stack.push(element(ns, &e)),
            Event::Empty(e) => {
                if let Some(root) = close(&mut stack, element(ns, &e))? {
                    return Some(root);
                }
            }
            Event::End(_) => {
                let el = stack.pop()?;
                if let Some(root) = close(&mut stack, el)? {
                    return Some(root);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().ok()?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = r.decode().ok()?;
                    top.text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

fn element(ns: String, e: &quick_xml::events::BytesStart<'_>) -> El {
    El {
        ns,
        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
        attrs: e
            .attributes()
            .filter_map(Result::ok)
            .map(|a| {
                (
                    String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned(),
                    a.unescape_value()
                        .map(|v| v.into_owned())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        children: Vec::new(),
        text: String::new(),
    }
}

/// Attaches a finished element to its parent; answers it when it was the root.
fn close(stack: &mut [El], el: El) -> Option<Option<El>> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(el);
            Some(None)
        }
        None => Some(Some(el)),
    }
}

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
