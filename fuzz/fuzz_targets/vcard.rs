//! vCards from a CardDAV PUT (one) or the import endpoint (many): read or refused,
//! never a panic.
#![no_main]

use cartera_core::dav::{parse_card, parse_cards};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_cards(text);
    let _ = parse_card(text);
});
