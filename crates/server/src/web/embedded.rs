//! The template and catalogue folders, embedded in the binary as lists that `build.rs`
//! writes from the files it finds: `TEMPLATES` (name, source) and `CATALOGUE` (path,
//! source).

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
