//! Events (API.md §5): what a scanner tells Steward happened, so that every user whose
//! preference matches hears of it. `POST /v2/events` takes `{"event": {...}}`.

use super::notification::{
    is_notification_name, IF_COMPLETED, MAX_SEVERITY, NOTIFICATION_NAMES, WHEN_STATUS,
};
use super::text::{self, LONG_TEXT_MAX};
use super::FieldError;
use serde_json::Value;

/// The longest title an event may carry (it is a notification's headline and an email's subject).
pub const TITLE_MAX: usize = 200;

/// A checked event, ready to be matched against preferences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    /// One of the four preference names.
    pub event_type: String,
    pub organization_id: String,
    /// One of `when_status`' values.
    pub status: Option<String>,
    /// One of `if_completed`'s values.
    pub result: Option<String>,
    /// 0 to 10.
    pub severity: Option<u8>,
    pub title: String,
    /// Where the notification leads: an http(s) URL or a path of this site.
    pub url: Option<String>,
}

const FIELDS: [&str; 7] = [
    "type",
    "organization_id",
    "status",
    "result",
    "severity",
    "title",
    "url",
];

impl NewEvent {
    /// Checks the body of `POST /v2/events`; every bad field is named (`event.severity`).
    pub fn parse(body: &Value) -> Result<NewEvent, Vec<FieldError>> {
        let Some(event) = body.get("event").and_then(Value::as_object) else {
            return Err(vec![FieldError::new("event", "must be an object")]);
        };
        let mut errors = Vec::new();
        for key in event.keys() {
            if !FIELDS.contains(&key.as_str()) {
                errors.push(FieldError::new(
                    format!("event.{key}"),
                    format!("is not a field of an event ({})", FIELDS.join(", ")),
                ));
            }
        }
        let string = |key: &str, errors: &mut Vec<FieldError>| -> Option<String> {
            match event.get(key) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    errors.push(FieldError::new(format!("event.{key}"), "must be a string"));
                    None
                }
            }
        };
        let one_of = |key: &str, allowed: &[&str], errors: &mut Vec<FieldError>| {
            let value = string(key, errors)?;
            if allowed.contains(&value.as_str()) {
                Some(value)
            } else {
                errors.push(FieldError::new(
                    format!("event.{key}"),
                    format!("must be one of {}", allowed.join(", ")),
                ));
                None
            }
        };

        let event_type = match string("type", &mut errors) {
            None if !errors.iter().any(|e| e.field == "event.type") => {
                errors.push(FieldError::new("event.type", text::BLANK));
                None
            }
            None => None,
            Some(t) if is_notification_name(&t) => Some(t),
            Some(_) => {
                errors.push(FieldError::new(
                    "event.type",
                    format!("must be one of {}", NOTIFICATION_NAMES.join(", ")),
                ));
                None
            }
        };
        let organization_id = match string("organization_id", &mut errors) {
            Some(id) if text::is_uuid(id.trim()) => Some(id.trim().to_ascii_lowercase()),
            Some(_) => {
                errors.push(FieldError::new(
                    "event.organization_id",
                    "is not an organization id",
                ));
                None
            }
            None if !errors.iter().any(|e| e.field == "event.organization_id") => {
                errors.push(FieldError::new("event.organization_id", text::BLANK));
                None
            }
            None => None,
        };
        let status = one_of("status", &WHEN_STATUS, &mut errors);
        let result = one_of("result", &IF_COMPLETED, &mut errors);
        let severity = match event.get("severity") {
            None | Some(Value::Null) => None,
            // JSON Schema's integers include 6.0.
            Some(n) => match n
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(MAX_SEVERITY)).contains(n))
            {
                Some(n) => Some(n as u8),
                None => {
                    errors.push(FieldError::new(
                        "event.severity",
                        "must be an integer from 0 to 10",
                    ));
                    None
                }
            },
        };
        let title = match string("title", &mut errors) {
            Some(raw) => match text::required(&raw, TITLE_MAX) {
                Ok(title) if !title.contains('\n') => Some(title),
                Ok(_) => {
                    errors.push(FieldError::new("event.title", "must be a single line"));
                    None
                }
                Err(message) => {
                    errors.push(FieldError::new("event.title", message));
                    None
                }
            },
            None if !errors.iter().any(|e| e.field == "event.title") => {
                errors.push(FieldError::new("event.title", text::BLANK));
                None
            }
            None => None,
        };
        let url = match string("url", &mut errors) {
            Some(raw) => match link(&raw) {
                Ok(url) => url,
                Err(message) => {
                    errors.push(FieldError::new("event.url", message));
                    None
                }
            },
            None => None,
        };
        match (event_type, organization_id, title) {
            (Some(event_type), Some(organization_id), Some(title)) if errors.is_empty() => {
                Ok(NewEvent {
                    event_type,
                    organization_id,
                    status,
                    result,
                    severity,
                    title,
                    url,
                })
            }
            _ => Err(errors),
        }
    }

    /// The notification's second line: the facts the event carries ("Completed · fail ·
    /// severity 6"), or what kind of event it is.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(status) = &self.status {
            parts.push(capitalize(status));
        }
        if let Some(result) = &self.result {
            parts.push(format!("result {result}"));
        }
        if let Some(severity) = self.severity {
            parts.push(format!("severity {severity}"));
        }
        if parts.is_empty() {
            super::notification::describe(&self.event_type)
                .0
                .to_string()
        } else {
            format!(
                "{}: {}",
                super::notification::describe(&self.event_type).0,
                parts.join(" · ")
            )
        }
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where a notification may lead: an http(s) URL, or a path of this site (`/scans/42`). Never
/// `javascript:` or `data:`, which a link in the inbox would run.
pub fn link(raw: &str) -> Result<Option<String>, String> {
    let Some(value) = text::optional(raw, LONG_TEXT_MAX)? else {
        return Ok(None);
    };
    let path = value.starts_with('/') && !value.starts_with("//") && !value.contains('\\');
    if (path || text::is_web_url(&value)) && !value.chars().any(char::is_whitespace) {
        Ok(Some(value))
    } else {
        Err("must be an http(s) URL or a path starting with /".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(body: Value) -> Vec<String> {
        NewEvent::parse(&body)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_whole_event_parses() {
        let org = "6f1c3f0e-9a57-4a8c-8f39-0c1f4f0e2a11";
        let event = NewEvent::parse(&json!({"event": {
            "type": "scan_event", "organization_id": org.to_uppercase(), "status": "completed",
            "result": "fail", "severity": 6.0, "title": "  Weekly scan  ", "url": "/scans/1"
        }}))
        .unwrap();
        assert_eq!(event.organization_id, org);
        assert_eq!(event.severity, Some(6));
        assert_eq!(event.title, "Weekly scan");
        assert_eq!(
            event.summary(),
            "Scans: Completed · result fail · severity 6"
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        assert_eq!(fields(json!({})), vec!["event"]);
        assert_eq!(
            fields(json!({"event": {"colour": 1}})),
            vec![
                "event.colour",
                "event.type",
                "event.organization_id",
                "event.title"
            ]
        );
        assert_eq!(
            fields(
                json!({"event": {"type": "scan", "organization_id": "x", "status": "done",
                "result": true, "severity": 11, "title": "a\u{0}b", "url": "javascript:alert(1)"}})
            ),
            vec![
                "event.type",
                "event.organization_id",
                "event.status",
                "event.result",
                "event.severity",
                "event.title",
                "event.url"
            ]
        );
    }

    #[test]
    fn links_are_web_urls_or_local_paths() {
        assert!(link("https://scanner.example.com/scans/1")
            .unwrap()
            .is_some());
        assert!(link("/scans/1?tab=2").unwrap().is_some());
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "/\\evil",
            "data:text/html,x",
            "ftp://x.y",
        ] {
            assert!(link(bad).is_err(), "{bad}");
        }
    }
}
