//! Two-factor sign-in as the API and `/me/security` show it (API.md §2, §4): the methods, a TOTP
//! set-up waiting for its first code, recovery codes, and the card's whole state.

use serde::{Deserialize, Serialize};

/// A second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OtpMethod {
    /// An authenticator app (RFC 6238).
    Totp,
    /// A code texted to a phone.
    Sms,
}

impl OtpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            OtpMethod::Totp => "totp",
            OtpMethod::Sms => "sms",
        }
    }

    pub fn parse(value: &str) -> Option<OtpMethod> {
        match value.trim() {
            "totp" => Some(OtpMethod::Totp),
            "sms" => Some(OtpMethod::Sms),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OtpMethod::Totp => "Authenticator app",
            OtpMethod::Sms => "Text message (SMS)",
        }
    }
}

/// `POST /v2/user/2fa/enable` with `{"method": "totp"}`: what the authenticator app needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TotpSetup {
    /// Base32, for typing into the app by hand.
    pub secret: String,
    /// The `otpauth://` link a QR code carries.
    pub otpauth_url: String,
}

/// Ten single-use recovery codes, the one time they are shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// What the "Two-factor authentication" card of `/me/security` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorState {
    pub totp_enabled: bool,
    pub sms_enabled: bool,
    /// The phone texts go to, partly hidden (`+•••••••4567`).
    pub phone_hint: Option<String>,
    pub default_method: Option<OtpMethod>,
    pub recovery_codes_remaining: u32,
    /// A method being set up and waiting for its first code.
    pub pending: Option<PendingSetup>,
    /// Recovery codes a plain form post just generated (shown once).
    pub just_issued_codes: Option<Vec<String>>,
}

impl TwoFactorState {
    pub fn enabled(&self) -> bool {
        self.totp_enabled || self.sms_enabled
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSetup {
    pub method: OtpMethod,
    /// For TOTP: the secret and link again (a reload mid-set-up shows the same QR code).
    pub totp: Option<TotpSetup>,
    /// The QR code of the link, as an SVG document drawn on the server.
    pub qr_svg: Option<String>,
    pub phone_hint: Option<String>,
}

/// `+••••••4567`: enough to recognise one's own number, not to learn someone else's.
pub fn phone_hint(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let shown = digits.len().min(4);
    let hidden = digits.len() - shown;
    let tail: String = digits[hidden..].iter().collect();
    format!("+{}{tail}", "•".repeat(hidden))
}

/// A recovery code as typed: case, spaces and dashes don't matter.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_show_their_last_four_digits() {
        assert_eq!(phone_hint("+1 555 010 4567"), "+•••••••4567");
        assert_eq!(phone_hint("+12"), "+12");
    }

    #[test]
    fn recovery_codes_ignore_case_spaces_and_dashes() {
        assert_eq!(normalize_recovery_code(" AbCde-fGhij "), "abcdefghij");
    }
}
