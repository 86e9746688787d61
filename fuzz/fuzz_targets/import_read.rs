//! An uploaded import file (CSV in any encoding, XLSX, XLS, ODS): opened and every row
//! read, or refused, never a panic or an allocation out of proportion to the file.
#![no_main]

use std::io::Cursor;

use cartera_core::imports::read::{self, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file name the format is guessed from.
    let Some((pick, bytes)) = data.split_first() else {
        return;
    };
    let name = match pick % 4 {
        0 => "people.csv",
        1 => "people.xlsx",
        2 => "people.ods",
        _ => "people.xls",
    };
    let Ok(table) = read::open(Cursor::new(bytes.to_vec()), name, &ReadOptions::default()) else {
        return;
    };
    let width = table.header.len();
    assert!(width <= read::MAX_COLUMNS);
    for row in table {
        match row {
            Ok(r) => assert_eq!(r.cells.len(), width),
            Err(_) => break,
        }
    }
});
