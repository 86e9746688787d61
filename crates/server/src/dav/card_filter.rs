//! An addressbook-query's filter (RFC 6352 section 10.5): prop-filters with is-not-defined
//! and text-match (equals, contains, starts-with, ends-with; negate-condition), combined
//! with anyof or allof, applied to the vCards Cartera writes. A param-filter is not
//! applied (it matches), since Cartera's cards carry few parameters.

use super::xml::{CARDDAV, El};

/// What a filter may say that Cartera does not understand (a 403 supported-filter).
#[derive(Debug, PartialEq, Eq)]
pub struct Unsupported(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchType {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug)]
struct TextMatch {
    text: String,
    /// `i;octet` compares bytes; the default `i;unicode-casemap` ignores case.
    exact: bool,
    kind: MatchType,
    negate: bool,
}

impl TextMatch {
    fn admits(&self, value: &str) -> bool {
        let (v, t) = if self.exact {
            (value.to_owned(), self.text.clone())
        } else {
            (value.to_lowercase(), self.text.to_lowercase())
        };
        let hit = match self.kind {
            MatchType::Equals => v == t,
            MatchType::Contains => v.contains(&t),
            MatchType::StartsWith => v.starts_with(&t),
            MatchType::EndsWith => v.ends_with(&t),
        };
        hit != self.negate
    }
}

#[derive(Debug)]
struct PropFilter {
    name: String,
    all: bool,
    is_not_defined: bool,
    matches: Vec<TextMatch>,
}

impl PropFilter {
    fn admits(&self, card: &[(String, String)]) -> bool {
        let values: Vec<&str> = card
            .iter()
            .filter(|(n, _)| *n == self.name)
            .map(|(_, v)| v.as_str())
            .collect();
        if self.is_not_defined {
            return values.is_empty();
        }
        if values.is_empty() {
            return false;
        }
        if self.matches.is_empty() {
            return true;
        }
        let hit = |m: &TextMatch| values.iter().any(|v| m.admits(v));
        if self.all {
            self.matches.iter().all(hit)
        } else {
            self.matches.iter().any(hit)
        }
    }
}

/// A whole filter; no prop-filter admits every card.
#[derive(Debug, Default)]
pub struct CardFilter {
    all: bool,
    props: Vec<PropFilter>,
}

fn all_of(el: &El) -> bool {
    el.attr("test")
        .is_some_and(|t| t.eq_ignore_ascii_case("allof"))
}

impl CardFilter {
    /// The filter of an addressbook-query REPORT body (`root`).
    pub fn of(root: &El) -> Result<CardFilter, Unsupported> {
        let Some(filter) = root.child(CARDDAV, "filter") else {
            return Ok(CardFilter::default());
        };
        let mut out = CardFilter {
            all: all_of(filter),
            props: Vec::new(),
        };
        for p in filter.children_named(CARDDAV, "prop-filter") {
            let name = p
                .attr("name")
                .map(|n| n.trim().to_ascii_uppercase())
                .filter(|n| !n.is_empty())
                .ok_or_else(|| Unsupported("a prop-filter needs a name".into()))?;
            let mut matches = Vec::new();
            for m in p.children_named(CARDDAV, "text-match") {
                let kind = match m.attr("match-type").unwrap_or("contains") {
                    "equals" => MatchType::Equals,
                    "contains" => MatchType::Contains,
                    "starts-with" => MatchType::StartsWith,
                    "ends-with" => MatchType::EndsWith,
                    other => return Err(Unsupported(format!("match-type {other}"))),
                };
                let exact = match m.attr("collation").unwrap_or("i;unicode-casemap") {
                    "i;octet" => true,
                    "i;unicode-casemap" | "i;ascii-casemap" => false,
                    other => return Err(Unsupported(format!("collation {other}"))),
                };
                matches.push(TextMatch {
                    text: m.text.trim().to_owned(),
                    exact,
                    kind,
                    negate: m
                        .attr("negate-condition")
                        .is_some_and(|v| v.eq_ignore_ascii_case("yes")),
                });
            }
            out.props.push(PropFilter {
                name,
                all: all_of(p),
                is_not_defined: p.child(CARDDAV, "is-not-defined").is_some(),
                matches,
            });
        }
        Ok(out)
    }

    /// Whether the vCard `text` passes.
    pub fn admits(&self, text: &str) -> bool {
        if self.props.is_empty() {
            return true;
        }
        let card = properties(text);
        if self.all {
            self.props.iter().all(|p| p.admits(&card))
        } else {
            self.props.iter().any(|p| p.admits(&card))
        }
    }
}

/// A vCard's properties as (NAME, value) pairs: lines unfolded, a group prefix
/// (`item1.`) dropped, the value unescaped.
fn properties(text: &str) -> Vec<(String, String)> {
    let unfolded = text
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .replace("\n\t", "");
    unfolded
        .lines()
        .filter_map(|line| {
            let line = line.trim_end_matches('\r');
            let (head, value) = line.split_once(':')?;
            let name = head.split(';').next()?;
            let name = name.rsplit('.').next()?.trim().to_ascii_uppercase();
            let value = value
                .replace("\\n", "\n")
                .replace("\\N", "\n")
                .replace("\\,", ",")
                .replace("\\;", ";")
                .replace("\\\\", "\\");
            Some((name, value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANA: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana Gómez\r\nEMAIL;TYPE=work:ana@acme.example\r\nTEL:+54 11 5555 0001\r\nEND:VCARD\r\n";
    const LUIS: &str = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Luis Pérez\r\nitem1.EMAIL:luis@other.example\r\nEND:VCARD\r\n";

    fn filter(xml: &str) -> CardFilter {
        let root = super::super::xml::parse(xml.as_bytes()).unwrap();
        CardFilter::of(&root).unwrap()
    }

    fn q(body: &str) -> String {
        format!(
            r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>{body}</C:addressbook-query>"#
        )
    }

    #[test]
    fn text_matches() {
        let f = filter(&q(
            r#"<C:filter><C:prop-filter name="EMAIL"><C:text-match match-type="ends-with">@ACME.example</C:text-match></C:prop-filter></C:filter>"#,
        ));
        assert!(f.admits(ANA));
        assert!(!f.admits(LUIS));
        let f = filter(&q(
            r#"<C:filter><C:prop-filter name="EMAIL"><C:text-match negate-condition="yes">acme</C:text-match></C:prop-filter></C:filter>"#,
        ));
        assert!(!f.admits(ANA));
        assert!(f.admits(LUIS));
        let f = filter(&q(
            r#"<C:filter test="allof"><C:prop-filter name="FN"><C:text-match match-type="starts-with">ana</C:text-match></C:prop-filter><C:prop-filter name="TEL"><C:is-not-defined/></C:prop-filter></C:filter>"#,
        ));
        assert!(!f.admits(ANA));
        let f = filter(&q(
            r#"<C:filter test="anyof"><C:prop-filter name="FN"><C:text-match match-type="equals">luis pérez</C:text-match></C:prop-filter><C:prop-filter name="TEL"><C:text-match>5555</C:text-match></C:prop-filter></C:filter>"#,
        ));
        assert!(f.admits(ANA) && f.admits(LUIS));
        assert!(filter(&q("")).admits(ANA));
    }

    #[test]
    fn unknown_match_types_are_refused() {
        let root = super::super::xml::parse(
            q(r#"<C:filter><C:prop-filter name="FN"><C:text-match match-type="regex">a</C:text-match></C:prop-filter></C:filter>"#)
                .as_bytes(),
        )
        .unwrap();
        assert!(CardFilter::of(&root).is_err());
    }
}
