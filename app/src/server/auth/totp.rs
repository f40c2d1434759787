//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 30-second steps,
//! six digits, and one step of clock drift either way (API.md §4). Which step a code matched is
//! returned so the caller can refuse the same code twice.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, what RFC 4226 recommends).
pub const SECRET_LEN: usize = 20;

/// HOTP (RFC 4226 §5.3): the `digits`-digit code of `counter`.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation: the low nibble of the last byte picks four bytes.
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 10u32.pow(digits)
}

/// The step a Unix time falls in.
pub fn step_at(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The code of a step, zero-padded (what an authenticator app shows).
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, step.max(0) as u64, DIGITS),
        width = DIGITS as usize
    )
}

/// The step of `attempt` among the current one and its neighbours, if it matches one. Anything
/// but six digits (spaces are allowed, as apps group them "123 456") never matches.
pub fn matching_step(secret: &[u8], attempt: &str, unix_secs: i64) -> Option<i64> {
    let digits: String = attempt.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(unix_secs);
    // Every candidate is compared, so timing says nothing about which one matched.
    let mut found = None;
    for step in [now - 1, now, now + 1] {
        if super::token::constant_time_eq(code_for_step(secret, step).as_bytes(), digits.as_bytes())
        {
            found = Some(step);
        }
    }
    found
}

/// A new random secret.
pub fn generate_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut secret = vec![0u8; SECRET_LEN];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// The secret as authenticator apps take it when typed in: base32 without padding.
pub fn encode_secret(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

pub fn decode_secret(encoded: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD
        .decode(encoded.trim().to_ascii_uppercase().as_bytes())
        .ok()
}

/// The `otpauth://` link a QR code carries (Google Authenticator's key URI format): the label is
/// `issuer:account`, and the issuer is repeated as a parameter for apps that read only that.
pub fn otpauth_url(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = crate::url::encode_component;
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        encode_secret(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4226 appendix D: the secret "12345678901234567890" and counters 0 to 9.
    #[test]
    fn hotp_matches_the_rfc_4226_vectors() {
        let secret = b"12345678901234567890";
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(secret, counter as u64, 6), code, "counter {counter}");
        }
    }

    /// RFC 6238 appendix B, the SHA-1 rows (eight digits, as the RFC prints them).
    #[test]
    fn totp_matches_the_rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        let vectors = [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ];
        for (time, code) in vectors {
            assert_eq!(hotp(secret, step_at(time) as u64, 8), code, "T = {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side_only() {
        let secret = b"12345678901234567890";
        let at = 1_111_111_111;
        let now = step_at(at);
        for (offset, matches) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_for_step(secret, now + offset);
            assert_eq!(
                matching_step(secret, &code, at),
                matches.then_some(now + offset),
                "offset {offset}"
            );
        }
        let code = code_for_step(secret, now);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(secret, &spaced, at), Some(now));
        for bad in [
            "",
            "12345",
            "1234567",
            "12a456",
            "１２３４５６",
            "123\u{0}56",
        ] {
            assert_eq!(matching_step(secret, bad, at), None, "{bad:?}");
        }
    }

    #[test]
    fn secrets_round_trip_through_base32_and_the_link() {
        let secret = generate_secret();
        assert_eq!(secret.len(), SECRET_LEN);
        let encoded = encode_secret(&secret);
        assert_eq!(decode_secret(&encoded.to_lowercase()), Some(secret.clone()));
        let url = otpauth_url("Steward", "ann@example.com", &secret);
        assert!(
            url.starts_with("otpauth://totp/Steward:ann%40example.com?secret="),
            "{url}"
        );
        assert!(url.contains(&format!("secret={encoded}&")));
    }
}
