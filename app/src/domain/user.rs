//! The signed-in user as the UI sees it.

use super::{FieldError, Role};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who is signed in: enough for the app shell (user menu, navigation by role).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub username: String,
    pub role: Role,
    pub organization_id: String,
    pub organization_name: String,
    /// A partner Admin creates customer organizations.
    pub partner: bool,
    /// The bell's count when the page was built (it polls for changes).
    pub unread_notifications: u64,
    /// While an admin acts as this user: that admin's email (every page shows a banner).
    #[serde(default)]
    pub impersonator_email: Option<String>,
}

/// What the dashboard shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    pub organizations: u64,
    pub users: u64,
    pub recent: Vec<ActivityItem>,
}

/// One line of recent activity (an audit event, summarised).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ActivityItem {
    pub id: String,
    pub actor: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    /// The target's name (an organization's name, a user's email) while it still exists.
    pub target_name: Option<String>,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl ActivityItem {
    /// What happened, as the dashboard says it: "created the organization", "signed in".
    pub fn verb(&self) -> &'static str {
        match self.action.as_str() {
            "user.sign_in" => "signed in",
            "user.sign_out" => "signed out",
            "user.sign_in_failed" => "failed sign-in for",
            "user.locked" => "locked after failed sign-ins:",
            "user.bootstrap_super_admin" => "created the first Super Admin,",
            "organization.create" => "created the organization",
            "organization.update" => "updated the organization",
            "organization.delete" => "deleted the organization",
            _ => "changed",
        }
    }

    /// Who did it: their email, Steward itself for what happens at start-up, else "Someone" (a
    /// user deleted since).
    pub fn actor_label(&self) -> String {
        match (&self.actor, self.action.as_str()) {
            (Some(actor), _) => actor.clone(),
            (None, "user.bootstrap_super_admin") => "Steward".into(),
            (None, _) => "Someone".into(),
        }
    }

    /// Whether the sentence names the target ("signed in" is about the actor themselves).
    pub fn names_target(&self) -> bool {
        !matches!(self.action.as_str(), "user.sign_in" | "user.sign_out")
    }

    /// The page of the target, while it exists and has one.
    pub fn target_href(&self) -> Option<String> {
        match (
            self.target_type.as_str(),
            &self.target_id,
            &self.target_name,
        ) {
            ("organizations", Some(id), Some(_)) => Some(format!("/organizations/{id}")),
            _ => None,
        }
    }

    /// The target in words: its name, or what it was.
    pub fn target_label(&self) -> String {
        match (&self.target_name, self.target_type.as_str()) {
            (Some(name), _) => name.clone(),
            (None, "organizations") => "a deleted organization".into(),
            (None, "users") => "a deleted user".into(),
            (None, other) => other.trim_end_matches('s').to_string(),
        }
    }
}

/// Locales the interface and the emails are offered in (an unknown one is a 422).
pub const LOCALES: [&str; 8] = ["en", "de", "el", "es", "fr", "it", "nl", "pt"];

/// How one writable user attribute is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserFieldKind {
    Email,
    Username,
    Text,
    LongText,
    Site,
    Locale,
    /// An IANA zone name; the service checks it against the zone database.
    Timezone,
    Role,
    /// An organization id; the service checks that the caller may see it.
    Organization,
}

/// A writable attribute: wire key, form label, check.
#[derive(Clone, Copy, Debug)]
pub struct UserFieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: UserFieldKind,
}

const fn user_field(key: &'static str, label: &'static str, kind: UserFieldKind) -> UserFieldSpec {
    UserFieldSpec { key, label, kind }
}

/// Seed `003_*`'s body, in its order, plus `username` and `role` (API.md §4's attributes).
pub const USER_FIELDS: [UserFieldSpec; 18] = [
    user_field("email", "Email", UserFieldKind::Email),
    user_field("username", "Username", UserFieldKind::Username),
    user_field("role", "Role", UserFieldKind::Role),
    user_field(
        "organization_id",
        "Organization",
        UserFieldKind::Organization,
    ),
    user_field("first_name", "First name", UserFieldKind::Text),
    user_field("last_name", "Last name", UserFieldKind::Text),
    user_field("locale", "Language", UserFieldKind::Locale),
    user_field("timezone", "Time zone", UserFieldKind::Timezone),
    user_field("phone", "Phone", UserFieldKind::Text),
    user_field("mobile_phone", "Mobile phone", UserFieldKind::Text),
    user_field("url", "Website", UserFieldKind::Site),
    user_field("title", "Job title", UserFieldKind::Text),
    user_field("address", "Address", UserFieldKind::Text),
    user_field("city", "City", UserFieldKind::Text),
    user_field("state", "State", UserFieldKind::Text),
    user_field("country", "Country", UserFieldKind::Text),
    user_field("zipcode", "Zip code", UserFieldKind::Text),
    user_field("comment", "Comment", UserFieldKind::LongText),
];

/// The `user` object of a write, as received: absent keys keep their value (an update), `""`
/// clears an optional one. Kept as pairs in `USER_FIELDS` order; unknown keys never get in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInput(pub Vec<(String, String)>);

impl UserInput {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    /// The attributes of `pairs` that are user attributes.
    pub fn from_pairs(pairs: &[(String, String)]) -> UserInput {
        let mut input = UserInput::default();
        for (key, value) in pairs {
            if USER_FIELDS.iter().any(|f| f.key == key) {
                input.set(key, value.clone());
            }
        }
        input
    }

    /// `self` applied on top of `current`, then checked as a whole: an update can't leave an
    /// invalid user behind. Errors name `user.<key>`.
    pub fn merge_onto(&self, current: &UserInput) -> Result<ValidUser, Vec<FieldError>> {
        let mut merged = current.clone();
        for (key, value) in &self.0 {
            merged.set(key, value.clone());
        }
        validate_user(merged)
    }
}

/// A user's writable attributes after the checks that need no database: trimmed, blanks gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidUser(UserInput);

impl ValidUser {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).filter(|v| !v.is_empty())
    }

    pub fn role(&self) -> Role {
        self.get("role")
            .and_then(|r| Role::parse(r).ok())
            .unwrap_or(Role::User)
    }

    pub fn as_input(&self) -> &UserInput {
        &self.0
    }
}

fn validate_user(input: UserInput) -> Result<ValidUser, Vec<FieldError>> {
    use super::text::{self, LONG_TEXT_MAX, SHORT_TEXT_MAX};
    let mut errors = Vec::new();
    let mut valid = UserInput::default();
    for spec in USER_FIELDS {
        let raw = input.get(spec.key).unwrap_or("");
        let parsed: Result<Option<String>, String> = match spec.kind {
            UserFieldKind::Email => text::optional_email(raw)
                .and_then(|v| v.ok_or_else(|| text::BLANK.to_string()).map(Some)),
            UserFieldKind::Username => text::required(raw, 64).and_then(|v| {
                if v.chars()
                    .all(|c| c.is_alphanumeric() || "._-@+".contains(c))
                {
                    Ok(Some(v))
                } else {
                    Err("may only contain letters, digits and . _ - @ +".to_string())
                }
            }),
            UserFieldKind::Text | UserFieldKind::Timezone => text::optional(raw, SHORT_TEXT_MAX),
            UserFieldKind::LongText => text::optional(raw, LONG_TEXT_MAX),
            UserFieldKind::Site => text::optional_site(raw),
            UserFieldKind::Locale => text::optional(raw, 16).and_then(|v| match v {
                Some(locale) if !LOCALES.contains(&locale.as_str()) => Err(format!(
                    "is not a supported language ({})",
                    LOCALES.join(", ")
                )),
                other => Ok(other),
            }),
            UserFieldKind::Role => text::required(raw, 32)
                .and_then(|v| Role::parse(&v).map(|role| Some(role.as_str().to_string()))),
            UserFieldKind::Organization => {
                text::required(raw, 64).map(|v| Some(v.to_ascii_lowercase()))
            }
        };
        match parsed {
            Ok(Some(value)) => valid.set(spec.key, value),
            Ok(None) => {}
            Err(message) => errors.push(FieldError::new(format!("user.{}", spec.key), message)),
        }
    }
    if errors.is_empty() {
        Ok(ValidUser(valid))
    } else {
        Err(errors)
    }
}

/// The organization a user belongs to, as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserOrganization {
    #[cfg_attr(feature = "ssr", schema(format = Uuid))]
    pub id: String,
    pub name: String,
}

/// `two_factor_authentication` of a user (API.md §4); 2FA itself comes with the security screens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TwoFactorSummary {
    pub enabled: bool,
    pub otp_sms_enabled: bool,
    pub otp_totp_enabled: bool,
    pub otp_phone: Option<String>,
    pub otp_default_method: Option<String>,
}

/// The read model: what `GET /v2/users/{id}` shows as `attributes`. Never a hash or a secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserAttributes {
    pub username: String,
    pub email: String,
    pub role: Role,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organization: UserOrganization,
    pub locale: String,
    pub timezone: String,
    pub phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub zipcode: Option<String>,
    pub comment: Option<String>,
    pub partner: bool,
    pub verified: bool,
    pub active_product: Option<String>,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::domain::time::millis")]
    pub updated_at: DateTime<Utc>,
    #[serde(with = "crate::domain::time::millis_option")]
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub last_sign_in_ip: Option<String>,
    pub sign_in_count: i64,
    /// Until when repeated failed sign-ins keep them out (`null` when they may sign in); an Admin
    /// can end it early with `PUT /v2/users/{id}/unlock`.
    #[serde(with = "crate::domain::time::millis_option")]
    pub locked_until: Option<DateTime<Utc>>,
    pub two_factor_authentication: TwoFactorSummary,
}

/// "Ada Lovelace", or the email when no name is set.
fn display_name(first_name: Option<&str>, last_name: Option<&str>, email: &str) -> String {
    let name = [first_name, last_name]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        email.to_string()
    } else {
        name
    }
}

/// One row of the users screen: what its columns show, not the whole record. A page carries its
/// rows twice (as HTML and as the data the browser hydrates with), and the full record is four
/// times the size, nearly all of it fields the list never shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Role,
    pub organization: UserOrganization,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::domain::time::millis_option")]
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

impl UserSummary {
    /// As [`User::display_name`].
    pub fn display_name(&self) -> String {
        display_name(
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            &self.email,
        )
    }
}

/// One user with its identity and version (the `ETag`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub lock_version: i64,
    pub attributes: UserAttributes,
}

impl User {
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.lock_version)
    }

    /// "Ada Lovelace", or the email when no name is set.
    pub fn display_name(&self) -> String {
        let a = &self.attributes;
        display_name(a.first_name.as_deref(), a.last_name.as_deref(), &a.email)
    }

    /// The stored writable attributes, the base an update is merged onto.
    pub fn to_input(&self) -> UserInput {
        let a = &self.attributes;
        let mut input = UserInput::default();
        let mut put = |key: &str, value: Option<&str>| {
            if let Some(value) = value {
                input.set(key, value);
            }
        };
        put("email", Some(&a.email));
        put("username", Some(&a.username));
        put("role", Some(a.role.as_str()));
        put("organization_id", Some(&a.organization.id));
        put("first_name", a.first_name.as_deref());
        put("last_name", a.last_name.as_deref());
        put("locale", Some(&a.locale));
        put("timezone", Some(&a.timezone));
        put("phone", a.phone.as_deref());
        put("mobile_phone", a.mobile_phone.as_deref());
        put("url", a.url.as_deref());
        put("title", a.title.as_deref());
        put("address", a.address.as_deref());
        put("city", a.city.as_deref());
        put("state", a.state.as_deref());
        put("country", a.country.as_deref());
        put("zipcode", a.zipcode.as_deref());
        put("comment", a.comment.as_deref());
        input
    }
}

/// `GET /v2/users/{id}/can_delete`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CanDelete {
    pub can_delete: bool,
    pub reasons: Vec<String>,
}

/// What `inherit` and `transfer_resources` moved from one user to the other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HandedOver {
    /// Customer organizations the receiving user now manages.
    pub customer_organizations: u64,
    /// Invitations not accepted yet, now sent in the receiving user's name.
    pub pending_invitations: u64,
}

/// The list (API.md §4): its `q[...]` keys and `sort_by` fields.
pub const USER_FILTERS: [&str; 6] = [
    "email",
    "username",
    "first_name",
    "last_name",
    "role",
    "organization_id",
];
pub const USER_SORTS: [&str; 5] = [
    "email",
    "last_name",
    "role",
    "created_at",
    "last_sign_in_at",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pairs: &[(&str, &str)]) -> UserInput {
        UserInput(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn base() -> UserInput {
        input(&[
            ("email", "ada@example.com"),
            ("username", "ada"),
            ("role", "User"),
            ("organization_id", "7C60D51F-B44E-4682-87D6-449835EA4DE6"),
            ("locale", "en"),
            ("timezone", "UTC"),
        ])
    }

    #[test]
    fn an_update_keeps_absent_fields_and_checks_the_whole() {
        let valid = input(&[("city", " Athens "), ("url", "clone-systems.com")])
            .merge_onto(&base())
            .unwrap();
        assert_eq!(valid.get("city"), Some("Athens"));
        assert_eq!(valid.get("email"), Some("ada@example.com"));
        assert_eq!(
            valid.get("organization_id"),
            Some("7c60d51f-b44e-4682-87d6-449835ea4de6")
        );
        assert_eq!(valid.role(), Role::User);
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = input(&[
            ("email", "nobody"),
            ("role", "Owner"),
            ("locale", "xx"),
            ("url", "not a site"),
            ("username", "a b"),
        ])
        .merge_onto(&base())
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "user.email",
                "user.username",
                "user.role",
                "user.locale",
                "user.url"
            ]
        );
    }

    #[test]
    fn the_email_is_required() {
        let errors = input(&[("email", "  ")]).merge_onto(&base()).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new("user.email", "can't be blank")]
        );
    }
}

/// One problem: the file's line (the header is line 1), the column, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message: String,
}

/// What an import did, or (a dry run, or a file with errors) would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub errors: Vec<RowError>,
}
