//! Logging in: password rules and hashes, lockout after failures, browser sessions,
//! password reset links.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};

use crate::ids::Id;
use crate::validate::{Check, Code};

/// A browser session. Its secret is in the cookie only; the server keeps its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: Id,
    pub user_id: Id,
    /// Sent back by the page in `X-CSRF-Token` on every state-changing request.
    pub csrf_token: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What the store knows about a user's password and failed attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub password_hash: Option<String>,
    pub failed_logins: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// A password reset link as stored: its secret is only in the emailed link.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordReset {
    pub user_id: Id,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

impl PasswordReset {
    /// Why the link no longer works, if it does not.
    pub fn refusal(&self, now: DateTime<Utc>) -> Option<&'static str> {
        if self.used_at.is_some() {
            Some("used")
        } else if self.expires_at <= now {
            Some("expired")
        } else {
            None
        }
    }
}

pub const PASSWORD_MIN_CHARS: usize = 10;
/// Long enough for any passphrase, short enough that hashing it costs nothing extra.
pub const PASSWORD_MAX_CHARS: usize = 200;

/// Failures allowed before the account waits between attempts.
pub const FREE_FAILURES: u32 = 5;
const FIRST_WAIT_SECONDS: i64 = 30;
const LONGEST_WAIT_SECONDS: i64 = 3600;

/// A browser session lasts this long after its last use.
pub fn session_idle_limit() -> Duration {
    Duration::days(7)
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "cartera_session";
/// Prefix of session secrets (API tokens start with `crt_`).
pub const SESSION_PREFIX: &str = "crs_";

/// Prefix of password reset secrets.
pub const RESET_PREFIX: &str = "crp_";

/// An emailed password reset link works this long.
pub fn reset_link_lifetime() -> Duration {
    Duration::hours(1)
}

/// Checks a new password: long enough, not absurdly long, not the email itself.
pub fn validate_password(field: &str, password: &str, email: &str, c: &mut Check) {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        c.add(
            field,
            Code::TooShort,
            format!("must have at least {PASSWORD_MIN_CHARS} characters"),
        );
    } else if chars > PASSWORD_MAX_CHARS {
        c.add(
            field,
            Code::TooLong,
            format!("must have at most {PASSWORD_MAX_CHARS} characters"),
        );
    } else if password.trim().eq_ignore_ascii_case(email.trim()) {
        c.add(field, Code::Invalid, "must not be the email address");
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct HashError(String);

/// The argon2id hash of `password` (PHC string, with its own random salt).
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches `stored`. A stored value that is not a hash matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash no password matches, verified for unknown emails so that an attacker cannot
/// tell them from known ones by the answer's timing.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$Xz0mWwbK7G3S6QfU1n2lq1xUq2wKk4l1cBr7h7m8yXo"
}

/// How long the account waits after `failures` failed logins in a row: nothing for the
/// first few, then 30 s, doubling each time, at most an hour.
pub fn lockout_after(failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(FREE_FAILURES)?;
    let seconds = FIRST_WAIT_SECONDS
        .checked_shl(over)
        .filter(|s| *s <= LONGEST_WAIT_SECONDS)
        .unwrap_or(LONGEST_WAIT_SECONDS);
    Some(Duration::seconds(seconds))
}

/// What the second factor (TOTP) of a user looks like to the login.
#[derive(Debug, Clone, PartialEq)]
pub struct SecondFactor {
    pub secret: Vec<u8>,
    /// The last time step a code was accepted for; a code is good once.
    pub last_step: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up the authenticator: {0}")]
pub struct TotpError(String);

fn totp(secret: &[u8], account: &str) -> Result<totp_rs::Totp, TotpError> {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .with_issuer(Some("Cartera"))
        .with_account_name(account.replace(':', " "))
        .build()
        .map_err(|e| TotpError(e.to_string()))
}

/// The `otpauth://` address an authenticator app reads (usually as a QR code).
pub fn totp_url(secret: &[u8], account: &str) -> Result<String, TotpError> {
    totp(secret, account)?
        .to_url()
        .map_err(|e| TotpError(e.to_string()))
}

/// The secret from its base32 form (as stored).
pub fn totp_secret_from_base32(s: &str) -> Option<Vec<u8>> {
    totp_rs::Secret::try_from_base32(s)
        .ok()
        .map(|s| s.as_ref().to_vec())
}

/// The secret in base32, for typing into an authenticator by hand.
pub fn totp_base32(secret: &[u8]) -> String {
    totp_rs::Secret::from(secret.to_vec()).to_base32()
}

/// The time step `code` is good for at `unix_time` (30 s steps, one step of drift
/// either way), unless it was used already.
pub fn check_totp(f: &SecondFactor, code: &str, unix_time: u64) -> Option<u64> {
    let step = totp(&f.secret, "").ok()?.check(code.trim(), unix_time)?;
    f.last_step.is_none_or(|last| step > last).then_some(step)
}

/// The code an authenticator app shows at `unix_time` (what a user types).
pub fn totp_code_at(secret: &[u8], unix_time: u64) -> Option<String> {
    Some(totp(secret, "").ok()?.generate(unix_time).to_string())
}

/// The stored form of a recovery code: case and dashes do not matter when typed.
pub fn recovery_code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    crate::users::token_hash(&normal)
}

/// Ten recovery codes like `k3f9-x2m7`, made from `random` (at least 50 bytes).
pub fn recovery_codes(random: &[u8]) -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    random
        .chunks(8)
        .take(10)
        .map(|chunk| {
            let chars: String = chunk
                .iter()
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &chars[..4], &chars[4..])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip_through_their_hash() {
        let h = hash_password("correcto caballo bateria").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correcto caballo bateria", &h));
        assert!(!verify_password("otra cosa cualquiera", &h));
        assert!(!verify_password("anything", "not a hash"));
        assert!(!verify_password("anything", decoy_hash()));
        assert_ne!(h, hash_password("correcto caballo bateria").unwrap());
    }

    #[test]
    fn password_rules() {
        let fields = |p: &str| {
            let mut c = Check::new();
            validate_password("password", p, "ana@example.com", &mut c);
            c.finish().err().map(|v| v.0[0].code)
        };
        assert_eq!(fields("corta"), Some(Code::TooShort));
        assert_eq!(fields(&"x".repeat(201)), Some(Code::TooLong));
        assert_eq!(fields("ANA@example.com"), Some(Code::Invalid));
        assert_eq!(fields("una frase larga"), None);
    }

    #[test]
    fn totp_codes_are_good_once_and_near_their_time() {
        let secret = b"0123456789abcdefghij".to_vec();
        let mut f = SecondFactor {
            secret: secret.clone(),
            last_step: None,
        };
        let now = 1_800_000_000;
        let code = totp(&secret, "").unwrap().generate(now).to_string();
        let step = check_totp(&f, &code, now).unwrap();
        assert_eq!(check_totp(&f, &code, now + 30), Some(step));
        assert_eq!(check_totp(&f, &code, now + 300), None);
        f.last_step = Some(step);
        assert_eq!(check_totp(&f, &code, now), None, "a code is good once");
        assert_eq!(check_totp(&f, "12", now), None);
        let url = totp_url(&secret, "ana@example.com").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Cartera:ana%40example.com?"),
            "{url}"
        );
        assert_eq!(totp_base32(&secret).len(), 32);
    }

    #[test]
    fn recovery_codes_are_ten_and_forgiving_when_typed() {
        let random: Vec<u8> = (0u8..80).collect();
        let codes = recovery_codes(&random);
        assert_eq!(codes.len(), 10);
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 9 && c.as_bytes()[4] == b'-')
        );
        let c = &codes[0];
        assert_eq!(
            recovery_code_hash(c),
            recovery_code_hash(&c.to_uppercase().replace('-', " "))
        );
    }

    #[test]
    fn lockout_grows_and_is_capped() {
        assert_eq!(lockout_after(0), None);
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(Duration::seconds(30)));
        assert_eq!(lockout_after(6), Some(Duration::seconds(60)));
        assert_eq!(lockout_after(12), Some(Duration::seconds(3600)));
        assert_eq!(lockout_after(200), Some(Duration::seconds(3600)));
    }
}
