//! The WebDAV request bodies (PROPFIND, PROPPATCH, REPORT) read into a small namespaced
//! tree with quick-xml. The reader is a loop over a stack, never recursive, and it stops
//! at [`MAX_DEPTH`] levels and [`MAX_ELEMENTS`] elements: the tree it gives is walked and
//! dropped recursively, so its depth must be bounded before it is built (a 100,000-deep
//! body once overflowed a thread's stack and aborted the whole server).

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";

/// The deepest a request body may nest. The deepest real body, a calendar-query with a
/// param-filter's text-match, is 7 levels; clients never send more than a dozen.
pub const MAX_DEPTH: usize = 64;

/// The most elements a request body may hold: a multiget naming 10,000 resources with a
/// handful of properties is far under it.
pub const MAX_ELEMENTS: usize = 200_000;

/// An element: its namespace and local name, attributes, children and text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct El {
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<El>,
    pub text: String,
}

/// Why a body cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("the body is not well-formed XML")]
    Malformed,
    #[error("the body nests deeper than {MAX_DEPTH} elements")]
    TooDeep,
    #[error("the body holds more than {MAX_ELEMENTS} elements")]
    TooManyElements,
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

    /// Every descendant named so, depth first. Recursive, which the depth limit of
    /// [`parse`] keeps safe.
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

/// The root element of a request body.
pub fn parse(body: &[u8]) -> Result<El, XmlError> {
    let mut reader = NsReader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<El> = Vec::new();
    let mut elements = 0usize;
    let mut buf = Vec::new();
    loop {
        let (ns, ev) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|_| XmlError::Malformed)?;
        let ns = match ns {
            ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
            _ => String::new(),
        };
        if matches!(ev, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > MAX_ELEMENTS {
                return Err(XmlError::TooManyElements);
            }
        }
        match ev {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                stack.push(element(ns, &e));
            }
            Event::Empty(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                if let Some(root) = close(&mut stack, element(ns, &e)) {
                    return Ok(root);
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or(XmlError::Malformed)?;
                if let Some(root) = close(&mut stack, el) {
                    return Ok(root);
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text
                        .push_str(&t.decode().map_err(|_| XmlError::Malformed)?);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = r.decode().map_err(|_| XmlError::Malformed)?;
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
            Event::Eof => return Err(XmlError::Malformed),
            _ => {}
        }
        buf.clear();
    }
}

fn element(ns: String, e: &BytesStart<'_>) -> El {
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
fn close(stack: &mut [El], el: El) -> Option<El> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(el);
            None
        }
        None => Some(el),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_propfind() {
        let root = parse(
            br#"<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:displayname/></d:prop></d:propfind>"#,
        )
        .unwrap();
        assert!(root.is(DAV, "propfind"));
        let prop = root.child(DAV, "prop").unwrap();
        assert_eq!(prop.children.len(), 2);
        assert!(prop.children[1].is(DAV, "displayname"));
    }

    #[test]
    fn a_body_as_deep_as_the_limit_is_read_one_deeper_is_refused() {
        let at = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse(at(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(parse(at(MAX_DEPTH + 1).as_bytes()), Err(XmlError::TooDeep));
        // An empty element one level down counts as a level too.
        let empty = format!(
            "{}<b/>{}",
            "<a>".repeat(MAX_DEPTH),
            "</a>".repeat(MAX_DEPTH)
        );
        assert_eq!(parse(empty.as_bytes()), Err(XmlError::TooDeep));
    }

    /// The body of issue 16: it aborted the process (stack overflow) before the limit.
    #[test]
    fn a_hundred_thousand_deep_body_is_refused_without_overflowing() {
        let body = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert_eq!(parse(body.as_bytes()), Err(XmlError::TooDeep));
        // Unclosed, too.
        assert_eq!(
            parse("<a>".repeat(100_000).as_bytes()),
            Err(XmlError::TooDeep)
        );
    }

    #[test]
    fn too_many_elements_are_refused() {
        let body = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS));
        assert_eq!(parse(body.as_bytes()), Err(XmlError::TooManyElements));
        let body = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS - 1));
        assert_eq!(
            parse(body.as_bytes()).unwrap().children.len(),
            MAX_ELEMENTS - 1
        );
    }

    #[test]
    fn malformed_bodies_are_errors() {
        for body in ["", "<a>", "</a>", "<a></b>", "text", "<a><b></a>"] {
            assert_eq!(parse(body.as_bytes()), Err(XmlError::Malformed), "{body}");
        }
    }
}
