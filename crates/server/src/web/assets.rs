//! Static files (our stylesheet and script, vendored htmx), embedded in the binary and
//! served under a version taken from their contents, so they can be cached for a year.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// (name, content type, bytes). htmx 2.0.11 is 0BSD; see `static/README.md`.
const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("static/app.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("static/favicon.svg"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_str!("static/htmx.min.js"),
    ),
];

/// A short hash of every file (FNV-1a): it changes whenever one of them does.
fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, _, body) in FILES {
            for b in name.bytes().chain(body.bytes()) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{:012x}", h >> 16)
    })
}

/// Where the templates find the files: `/static/<version>`.
pub fn prefix() -> String {
    format!("/static/{}", version())
}

pub async fn serve(Path((v, name)): Path<(String, String)>) -> Response {
    let Some((_, ct, body)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut res = (*body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    // An old version's address gets today's file, but only for a moment.
    let cache = if v == version() {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=60"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}
