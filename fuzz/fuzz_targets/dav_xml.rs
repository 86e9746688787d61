//! The WebDAV request body reader (PROPFIND, PROPPATCH, REPORT): any bytes either give a
//! tree within the depth and element limits or an error, and walking and dropping the
//! tree never overflows.
#![no_main]

use cartera_core::dav::xml::{self, MAX_DEPTH};
use libfuzzer_sys::fuzz_target;

fn depth(el: &xml::El) -> usize {
    1 + el.children.iter().map(depth).max().unwrap_or(0)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(root) = xml::parse(data) {
        assert!(depth(&root) <= MAX_DEPTH);
        let mut found = Vec::new();
        root.find_all(xml::DAV, "prop", &mut found);
        let _ = root.child(xml::DAV, "prop");
    }
});
