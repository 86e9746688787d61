//! Random secrets (API tokens, sessions, reset links, feeds, two-factor keys). A leaf, so
//! that `auth` and `users`, which both make secrets, need not import each other for it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::{AppError, Result};

/// A new secret (256 random bits after `prefix`): shown once, stored only as its hash.
pub(crate) fn new_secret(prefix: &str) -> Result<String> {
    Ok(format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(random_bytes(32)?)
    ))
}

/// `n` bytes from the operating system's random source.
pub(crate) fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Conflict(format!("no randomness available: {e}")))?;
    Ok(bytes)
}
