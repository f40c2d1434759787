//! Notification preferences (API.md §5, seed `000_*`): the four kinds of event a user can be told
//! about, the parameters that narrow each one down, the channels it arrives on, and the
//! organization defaults a preference falls back to.
//!
//! What a user sees is computed, never copied: their own choice, else their organization's
//! default, else off; and a default the organization has `locked` is on whatever they chose. A
//! change of a default therefore reaches everyone who hasn't chosen, and nobody's choice is
//! overwritten.

use super::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The preferences every user has, in the order the screens show them.
pub const NOTIFICATION_NAMES: [&str; 4] = [
    "scan_event",
    "report_event",
    "exception_event",
    "overdue_pci_reminder",
];

pub const WHEN_STATUS: [&str; 4] = ["completed", "started", "stopped", "failed"];
pub const IF_COMPLETED: [&str; 2] = ["pass", "fail"];
pub const MAX_SEVERITY: u8 = 10;

/// Whether `name` is one of the four.
pub fn is_notification_name(name: &str) -> bool {
    NOTIFICATION_NAMES.contains(&name)
}

/// What the screens call each preference, and what it is about.
pub fn describe(name: &str) -> (&'static str, &'static str) {
    match name {
        "scan_event" => ("Scans", "A scan starts, stops, completes or fails."),
        "report_event" => ("Reports", "A report is ready."),
        "exception_event" => (
            "Exceptions",
            "An exception is requested, approved or expires.",
        ),
        "overdue_pci_reminder" => (
            "Overdue PCI reminders",
            "A PCI scan is overdue for an organization you belong to.",
        ),
        _ => ("Notifications", ""),
    }
}

/// Which params editors the screens show for a preference. The API accepts every param on every
/// preference (an event matches when each non-empty list contains its value).
pub fn params_shown(name: &str) -> (bool, bool, bool) {
    match name {
        // (when_status, if_completed, if_severity)
        "scan_event" => (true, true, true),
        "report_event" | "exception_event" => (false, false, true),
        _ => (false, false, false),
    }
}

/// `{"when_status": [...], "if_completed": [...], "if_severity": [...]}`: an empty list places no
/// condition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PreferenceParams {
    /// Accepted values: completed, started, stopped, failed.
    #[serde(default)]
    pub when_status: Vec<String>,
    /// Accepted values: pass, fail.
    #[serde(default)]
    pub if_completed: Vec<String>,
    /// Integers 0 to 10.
    #[serde(default)]
    pub if_severity: Vec<u8>,
}

impl PreferenceParams {
    /// Checks a `params` object from a request body. Every bad entry is named
    /// (`params.when_status[1]`); lists come back deduplicated, in the canonical order.
    pub fn parse(value: &Value, prefix: &str) -> Result<PreferenceParams, Vec<FieldError>> {
        let mut errors = Vec::new();
        let Some(object) = value.as_object() else {
            return Err(vec![FieldError::new(prefix, "must be an object")]);
        };
        let mut params = PreferenceParams::default();
        for (key, list) in object {
            let field = format!("{prefix}.{key}");
            let items = match list {
                Value::Null => continue,
                Value::Array(items) => items,
                _ => {
                    errors.push(FieldError::new(field, "must be a list"));
                    continue;
                }
            };
            match key.as_str() {
                "when_status" | "if_completed" => {
                    let allowed: &[&str] = if key == "when_status" {
                        &WHEN_STATUS
                    } else {
                        &IF_COMPLETED
                    };
                    let mut chosen = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        match item.as_str().filter(|s| allowed.contains(s)) {
                            Some(value) => chosen.push(value.to_string()),
                            None => errors.push(FieldError::new(
                                format!("{field}[{i}]"),
                                format!("must be one of {}", allowed.join(", ")),
                            )),
                        }
                    }
                    let canonical: Vec<String> = allowed
                        .iter()
                        .filter(|a| chosen.iter().any(|c| c == *a))
                        .map(|a| a.to_string())
                        .collect();
                    if key == "when_status" {
                        params.when_status = canonical;
                    } else {
                        params.if_completed = canonical;
                    }
                }
                "if_severity" => {
                    let mut chosen = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        // JSON Schema's integers include 6.0.
                        let whole = item.as_f64().filter(|n| {
                            n.fract() == 0.0 && (0.0..=f64::from(MAX_SEVERITY)).contains(n)
                        });
                        match whole {
                            Some(n) => chosen.push(n as u8),
                            None => errors.push(FieldError::new(
                                format!("{field}[{i}]"),
                                "must be an integer from 0 to 10",
                            )),
                        }
                    }
                    chosen.sort_unstable();
                    chosen.dedup();
                    params.if_severity = chosen;
                }
                _ => errors.push(FieldError::new(
                    field,
                    "is not a parameter (when_status, if_completed, if_severity)",
                )),
            }
        }
        if errors.is_empty() {
            Ok(params)
        } else {
            Err(errors)
        }
    }

    /// The same checks on what a form sent (lists of strings).
    pub fn from_form(
        when_status: &[String],
        if_completed: &[String],
        if_severity: &[String],
    ) -> Result<PreferenceParams, Vec<FieldError>> {
        let severity: Vec<Value> = if_severity
            .iter()
            .map(|s| {
                s.trim()
                    .parse::<u64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(s.clone()))
            })
            .collect();
        PreferenceParams::parse(
            &serde_json::json!({
                "when_status": when_status,
                "if_completed": if_completed,
                "if_severity": severity,
            }),
            "params",
        )
    }

    /// Whether an event with these facts passes every non-empty list.
    pub fn matches(
        &self,
        status: Option<&str>,
        result: Option<&str>,
        severity: Option<u8>,
    ) -> bool {
        fn passes<T: PartialEq>(list: &[T], value: Option<T>) -> bool {
            list.is_empty() || value.is_some_and(|v| list.contains(&v))
        }
        passes(
            &self
                .when_status
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            status,
        ) && passes(
            &self
                .if_completed
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            result,
        ) && passes(&self.if_severity, severity)
    }
}

/// The forms' encoding of params (`pref[when_status:completed]=on`, `pref[if_severity:6]=on`,
/// and `pref[params]=1` when the form shows the editors): what the checked boxes say, or `None`
/// when the form had no params editors.
pub fn params_from_form(
    form: &std::collections::BTreeMap<String, String>,
) -> Result<Option<PreferenceParams>, Vec<FieldError>> {
    if !form.contains_key("params") {
        return Ok(None);
    }
    let chosen = |prefix: &str| -> Vec<String> {
        form.keys()
            .filter_map(|k| k.strip_prefix(prefix))
            .map(str::to_string)
            .collect()
    };
    PreferenceParams::from_form(
        &chosen("when_status:"),
        &chosen("if_completed:"),
        &chosen("if_severity:"),
    )
    .map(Some)
}

/// The inverse of `params_from_form` (to send a previous state again: "Undo").
pub fn params_to_form(
    params: &PreferenceParams,
    form: &mut std::collections::BTreeMap<String, String>,
) {
    form.insert("params".into(), "1".into());
    for status in &params.when_status {
        form.insert(format!("when_status:{status}"), "on".into());
    }
    for result in &params.if_completed {
        form.insert(format!("if_completed:{result}"), "on".into());
    }
    for severity in &params.if_severity {
        form.insert(format!("if_severity:{severity}"), "on".into());
    }
}

/// Where a preference arrives (beyond the seed, as Knock and Novu do): both on unless turned off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Channels {
    pub email: bool,
    pub in_app: bool,
}

impl Default for Channels {
    fn default() -> Self {
        Channels {
            email: true,
            in_app: true,
        }
    }
}

/// A change of channels: an absent channel keeps its setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChannelsChange {
    pub email: Option<bool>,
    pub in_app: Option<bool>,
}

impl ChannelsChange {
    /// Both channels as a form sends them (a checkbox is on or off).
    pub fn both(channels: Channels) -> ChannelsChange {
        ChannelsChange {
            email: Some(channels.email),
            in_app: Some(channels.in_app),
        }
    }

    /// `{"email": bool, "in_app": bool}` from a request body.
    pub fn parse(value: &Value) -> Result<ChannelsChange, Vec<FieldError>> {
        let Some(object) = value.as_object() else {
            return Err(vec![FieldError::new("channels", "must be an object")]);
        };
        let mut change = ChannelsChange::default();
        let mut errors = Vec::new();
        for (key, flag) in object {
            let slot = match key.as_str() {
                "email" => &mut change.email,
                "in_app" => &mut change.in_app,
                _ => {
                    errors.push(FieldError::new(
                        format!("channels.{key}"),
                        "is not a channel (email, in_app)",
                    ));
                    continue;
                }
            };
            match flag {
                Value::Bool(on) => *slot = Some(*on),
                Value::Null => {}
                _ => errors.push(FieldError::new(
                    format!("channels.{key}"),
                    "must be true or false",
                )),
            }
        }
        if errors.is_empty() {
            Ok(change)
        } else {
            Err(errors)
        }
    }

    pub fn apply(self, current: Channels) -> Channels {
        Channels {
            email: self.email.unwrap_or(current.email),
            in_app: self.in_app.unwrap_or(current.in_app),
        }
    }
}

/// A user's preference as they experience it (the seed's attributes plus `channels`, `locked`
/// and `customized`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPreference {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub params: PreferenceParams,
    pub channels: Channels,
    /// The organization keeps it on: the user can't turn it off.
    pub locked: bool,
    /// The user chose (rather than following the organization's default).
    pub customized: bool,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::domain::time::millis")]
    pub updated_at: DateTime<Utc>,
}

/// An organization's default for one preference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationDefault {
    pub name: String,
    pub enabled: bool,
    pub params: PreferenceParams,
    /// Users can't turn it off.
    pub locked: bool,
    /// `null` while the organization has never set it (off, no params, not locked).
    #[serde(with = "crate::domain::time::millis_option")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<DateTime<Utc>>,
}

/// What a user's own row says: `None` follows the organization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnChoice {
    pub enabled: Option<bool>,
    pub params: Option<PreferenceParams>,
    pub channels: Option<Channels>,
}

/// The effective preference: the user's choice, else the default; locked is on.
pub fn effective(
    own: &OwnChoice,
    default: &NotificationDefault,
) -> (bool, PreferenceParams, Channels) {
    let enabled = default.locked || own.enabled.unwrap_or(default.enabled);
    let params = own.params.clone().unwrap_or_else(|| default.params.clone());
    (enabled, params, own.channels.unwrap_or_default())
}

/// The organization notification policy (API.md §7, ZITADEL's `NotificationPolicy`): which
/// account changes send the user an email and an in-app notification. ZITADEL has
/// `passwordChange`; the others are Steward's further triggers, each off unless set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationPolicy {
    /// The user's password changed (by them, by a reset, by an administrator).
    pub password_change: bool,
    /// The user's email address changed.
    pub email_change: bool,
    /// The user's second factor was turned off.
    pub second_factor_removed: bool,
    /// The user's account was locked after failed sign-ins.
    pub account_locked: bool,
}

impl NotificationPolicy {
    /// The body's keys, as ZITADEL clients send them.
    pub const KEYS: [&'static str; 4] = [
        "passwordChange",
        "emailChange",
        "secondFactorRemoved",
        "accountLocked",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_are_checked_deduplicated_and_ordered() {
        let parsed = PreferenceParams::parse(
            &json!({"when_status": ["failed", "completed", "failed"], "if_severity": [9, 6, 6]}),
            "params",
        )
        .unwrap();
        assert_eq!(parsed.when_status, vec!["completed", "failed"]);
        assert_eq!(parsed.if_severity, vec![6, 9]);
        let whole = PreferenceParams::parse(&json!({"if_severity": [6.0, 0]}), "params").unwrap();
        assert_eq!(whole.if_severity, vec![0, 6]);
        assert!(PreferenceParams::parse(&json!({"if_severity": [6.5]}), "params").is_err());
        let errors = PreferenceParams::parse(
            &json!({"when_status": ["done"], "if_severity": [11, -1, "x"], "colour": []}),
            "params",
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "params.colour",
                "params.if_severity[0]",
                "params.if_severity[1]",
                "params.if_severity[2]",
                "params.when_status[0]"
            ]
        );
        assert!(PreferenceParams::parse(&json!([]), "params").is_err());
    }

    #[test]
    fn an_event_matches_when_every_non_empty_list_contains_its_value() {
        let params = PreferenceParams {
            when_status: vec!["completed".into()],
            if_completed: vec![],
            if_severity: vec![6, 7],
        };
        assert!(params.matches(Some("completed"), None, Some(6)));
        assert!(!params.matches(Some("started"), None, Some(6)));
        assert!(!params.matches(Some("completed"), None, Some(2)));
        assert!(!params.matches(Some("completed"), None, None));
        assert!(PreferenceParams::default().matches(None, None, None));
    }

    #[test]
    fn the_user_choice_wins_over_the_default_and_locked_wins_over_both() {
        let mut default = NotificationDefault {
            name: "scan_event".into(),
            enabled: true,
            params: PreferenceParams::default(),
            locked: false,
            updated_at: None,
        };
        let own = OwnChoice {
            enabled: Some(false),
            ..OwnChoice::default()
        };
        assert!(!effective(&own, &default).0);
        assert!(effective(&OwnChoice::default(), &default).0);
        default.locked = true;
        assert!(effective(&own, &default).0);
    }
}
