//! The list grammar (`q`, `filter[field][op]=value`, `sort`, `limit`, `cursor`) read from
//! a query string as the server reads it: parsed or refused, never a panic.
#![no_main]

use cartera_core::contacts::ContactData;
use cartera_core::query::parse_list;
use cartera_core::record::RecordData;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let params: Vec<(String, String)> = form_urlencoded::parse(data)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Ok(q) = parse_list("contacts", &params, ContactData::fields(), &[]) {
        assert!(q.filters.len() <= cartera_core::query::MAX_FILTERS);
        assert!(q.sort.len() <= cartera_core::query::MAX_SORT_KEYS);
    }
});
