//! Small parsers for free-text attributes: trimmed, length-capped, emails and URLs.

pub const SHORT_TEXT_MAX: usize = 255;
pub const LONG_TEXT_MAX: usize = 2000;

pub const BLANK: &str = "can't be blank";

pub fn too_long(max: usize) -> String {
    format!("is too long (maximum is {max} characters)")
}

/// A required single-line value: trimmed, not blank, at most `max` characters as sent (the limit
/// the OpenAPI document states, which can't know about trimming).
pub fn required(raw: &str, max: usize) -> Result<String, String> {
    within(raw, max)?;
    let value = raw.trim();
    if value.is_empty() {
        return Err(BLANK.to_string());
    }
    without_controls(value)
}

/// An optional value: blank means absent.
pub fn optional(raw: &str, max: usize) -> Result<Option<String>, String> {
    within(raw, max)?;
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    without_controls(value).map(Some)
}

fn within(raw: &str, max: usize) -> Result<(), String> {
    if raw.chars().count() > max {
        Err(too_long(max))
    } else {
        Ok(())
    }
}

fn without_controls(value: &str) -> Result<String, String> {
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        Err("contains control characters".to_string())
    } else {
        Ok(value.to_string())
    }
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn optional_email(raw: &str) -> Result<Option<String>, String> {
    let Some(value) = optional(raw, SHORT_TEXT_MAX)? else {
        return Ok(None);
    };
    if is_email(&value) {
        Ok(Some(value))
    } else {
        Err("is not a valid email address".to_string())
    }
}

pub fn is_email(value: &str) -> bool {
    let mut parts = value.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && !value.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// An http(s) URL with a host.
pub fn optional_url(raw: &str) -> Result<Option<String>, String> {
    let Some(value) = optional(raw, SHORT_TEXT_MAX)? else {
        return Ok(None);
    };
    if is_web_url(&value) {
        Ok(Some(value))
    } else {
        Err("is not a valid URL (http:// or https://)".to_string())
    }
}

pub fn is_web_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    !host.is_empty()
        && !value.chars().any(char::is_whitespace)
        && (host.contains('.') || host == "localhost")
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// A user's web address (seed `003_*` shows `clone-systems.com`): a URL, or a bare host name
/// with an optional path.
pub fn optional_site(raw: &str) -> Result<Option<String>, String> {
    let Some(value) = optional(raw, SHORT_TEXT_MAX)? else {
        return Ok(None);
    };
    if is_web_url(&value) || is_web_url(&format!("https://{value}")) && !value.contains("://") {
        Ok(Some(value))
    } else {
        Err("is not a valid web address (example.com or https://example.com)".to_string())
    }
}

/// `2001` → `2,001`: counts are read at a glance.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(2001), "2,001");
        assert_eq!(group_thousands(1234567), "1,234,567");
    }

    #[test]
    fn required_trims_and_rejects_blank() {
        assert_eq!(required("  Acme ", 10), Ok("Acme".to_string()));
        assert_eq!(required("   ", 10), Err(BLANK.to_string()));
        assert!(required("abcdefghijk", 10).is_err());
    }

    #[test]
    fn optional_treats_blank_as_absent() {
        assert_eq!(optional(" ", 10), Ok(None));
        assert_eq!(optional(" x ", 10), Ok(Some("x".into())));
    }

    #[test]
    fn emails() {
        assert!(is_email("ops@acme.example"));
        assert!(!is_email("ops@acme"));
        assert!(!is_email("ops acme@x.io"));
        assert!(!is_email("a@b@c.io"));
        assert!(!is_email("@acme.io"));
    }

    #[test]
    fn urls() {
        assert!(is_web_url("https://acme.example/path?x=1"));
        assert!(is_web_url("http://localhost:3000"));
        assert!(!is_web_url("not a url"));
        assert!(!is_web_url("ftp://acme.example"));
        assert!(!is_web_url("https://"));
    }
}

/// Whether `value` is a UUID in its hyphenated form (any case), as every id is.
pub fn is_uuid(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}
