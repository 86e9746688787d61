//! Tax identifiers of the countries Cartera is made for. Checked only where the country
//! is known and the id has that country's shape, so that a foreign or personal id is
//! never refused by mistake.

use crate::text::tax_id_key;

/// Why a tax id does not hold, in words for the person who typed it.
pub fn check(country: Option<&str>, tax_id: &str) -> Result<(), String> {
    let key = tax_id_key(tax_id);
    match country {
        Some("AR") if key.len() == 11 && key.bytes().all(|b| b.is_ascii_digit()) => {
            if cuit_ok(&key) {
                Ok(())
            } else {
                Err(format!("CUIT/CUIL {tax_id} has a wrong check digit"))
            }
        }
        Some("ES") => spanish_nif(&key, tax_id),
        Some("MX") if key.len() == 12 || key.len() == 13 => {
            if rfc_shape_ok(&key) {
                Ok(())
            } else {
                Err(format!(
                    "RFC {tax_id} should be 3 or 4 letters, a date YYMMDD and 3 characters"
                ))
            }
        }
        _ => Ok(()),
    }
}

/// Argentine CUIT/CUIL: mod 11 over the first ten digits.
fn cuit_ok(digits: &str) -> bool {
    const WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 {
        return false;
    }
    let sum: u32 = d.iter().zip(WEIGHTS).map(|(a, w)| a * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => 9,
        n => n,
    };
    check == d[10]
}

/// Computes the check digit a ten-digit CUIT prefix needs (for demo and test data).
pub fn cuit_with_check_digit(prefix10: &str) -> Option<String> {
    (0..=9)
        .map(|d| format!("{prefix10}{d}"))
        .find(|candidate| candidate.len() == 11 && cuit_ok(candidate))
}

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter) carry a control
/// letter; company CIFs are accepted by shape.
fn spanish_nif(key: &str, shown: &str) -> Result<(), String> {
    let b = key.as_bytes();
    let numeric = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| s.parse::<u32>().ok())
    };
    let expected = match b {
        [d @ .., l] if b.len() == 9 && d.iter().all(u8::is_ascii_digit) => {
            numeric(d).map(|n| (DNI_LETTERS[(n % 23) as usize], *l))
        }
        [p @ (b'X' | b'Y' | b'Z'), d @ .., l]
            if b.len() == 9 && d.iter().all(u8::is_ascii_digit) =>
        {
            let lead = match p {
                b'X' => 0,
                b'Y' => 1,
                _ => 2,
            };
            numeric(d).map(|n| (DNI_LETTERS[((lead * 10_000_000 + n) % 23) as usize], *l))
        }
        _ => None,
    };
    match expected {
        Some((want, got)) if want != got => Err(format!(
            "NIF/NIE {shown} should end in the letter {}",
            want as char
        )),
        _ => Ok(()),
    }
}

fn rfc_shape_ok(key: &str) -> bool {
    let letters = key.len() - 9;
    let b = key.as_bytes();
    b[..letters]
        .iter()
        .all(|c| c.is_ascii_uppercase() || *c == b'&')
        && b[letters..letters + 6].iter().all(u8::is_ascii_digit)
        && b[letters + 6..].iter().all(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuit_check_digit() {
        assert!(check(Some("AR"), "20-12345678-6").is_ok());
        assert!(check(Some("AR"), "20-12345678-5").is_err());
        // An 8-digit DNI of a consumer is not a CUIT and is not refused.
        assert!(check(Some("AR"), "12.345.678").is_ok());
        let made = cuit_with_check_digit("3071234567").unwrap();
        assert!(check(Some("AR"), &made).is_ok());
    }

    #[test]
    fn spanish_dni_and_nie_letters() {
        assert!(check(Some("ES"), "12345678Z").is_ok());
        assert!(check(Some("ES"), "12345678A").is_err());
        assert!(check(Some("ES"), "X1234567L").is_ok());
        assert!(check(Some("ES"), "B12345678").is_ok());
    }

    #[test]
    fn mexican_rfc_shape() {
        assert!(check(Some("MX"), "GODE561231GR8").is_ok());
        assert!(check(Some("MX"), "ABC-800101-AB1").is_ok());
        assert!(check(Some("MX"), "1234567890123").is_err());
    }

    #[test]
    fn other_countries_are_not_checked() {
        assert!(check(Some("US"), "whatever").is_ok());
        assert!(check(None, "20-12345678-5").is_ok());
    }
}
