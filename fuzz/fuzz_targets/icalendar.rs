//! A calendar object a CalDAV client PUTs: read into an activity or refused, never a
//! panic, and a recurring series' occurrences computed for a range.
#![no_main]

use cartera_core::dav::parse_calendar;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(item) = parse_calendar(text) {
        if let (Some(r), Some(start)) = (&item.recurrence, item.starts_at) {
            let _ = r.effective(start, start, start + chrono::Duration::days(400));
        }
    }
});
