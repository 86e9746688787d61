//! A QR code as inline SVG (the `qrcode` crate, pure Rust), for an authenticator app to
//! scan the `otpauth://` address.

use qrcode::QrCode;
use qrcode::render::svg;

/// The SVG markup of `text` as a QR code; `None` when it is too long for one.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let markup = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .dark_color(svg::Color("#17212b"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Inline in HTML: without the XML declaration the crate puts first.
    let start = markup.find("<svg")?;
    Some(markup[start..].to_owned())
}
