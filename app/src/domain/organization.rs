//! Organizations (API.md §3, seed `001_*`): the 15 writable attributes, their validation, and the
//! read model.

use super::text::{self, LONG_TEXT_MAX, SHORT_TEXT_MAX};
use super::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How one writable attribute is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Required,
    Text,
    LongText,
    Email,
    Url,
}

/// A writable attribute: its wire key, the label the form shows (API.md §9) and its check.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
}

const fn field(key: &'static str, label: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { key, label, kind }
}

/// Seed `001_*`, in its order. The form, the validation and the SQL all walk this list.
pub const ORGANIZATION_FIELDS: [FieldSpec; 15] = [
    field("name", "Name", FieldKind::Required),
    field("company_name", "Company name", FieldKind::Required),
    field("description", "Description", FieldKind::LongText),
    field("address", "Address", FieldKind::Text),
    field("city", "City", FieldKind::Text),
    field("state", "State", FieldKind::Text),
    field("zipcode", "Zip code", FieldKind::Text),
    field("country", "Country", FieldKind::Text),
    field("phone", "Phone", FieldKind::Text),
    field("website", "Website", FieldKind::Url),
    field("email", "Email", FieldKind::Email),
    field("contact_name", "Contact name", FieldKind::Text),
    field("contact_title", "Contact title", FieldKind::Text),
    field("contact_phone", "Contact phone", FieldKind::Text),
    field("contact_email", "Contact email", FieldKind::Email),
];

/// The `organization` object of a create or update body, as received. `None` means the key was
/// absent (an update keeps the stored value; so does `null`); `Some("")` clears an optional attribute.
/// The schema's patterns say on the wire what `validate` accepts (no control characters but tab and
/// newline; a required attribute has a visible character); `validate` stays the authority.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
// Also the schema's `additionalProperties: false`; the REST handlers name an unknown key in a 422.
#[cfg_attr(feature = "ssr", serde(deny_unknown_fields))]
#[serde(default)]
pub struct OrganizationInput {
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*[^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?[^\S\x1C-\x1F]*$"
        )
    )]
    pub name: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*[^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?[^\S\x1C-\x1F]*$"
        )
    )]
    pub company_name: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 2000,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub description: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub address: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub city: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub state: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub zipcode: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub country: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub phone: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*(https?://([^\s/?#@\x00-\x1F\x7F-\x9F]*@)?([A-Za-z0-9-]+[.])+[A-Za-z0-9-]+(:[0-9]*)?([/?#][^\s\x00-\x1F\x7F-\x9F]*)?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub website: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s@\x00-\x1F\x7F-\x9F]+@[A-Za-z0-9-][A-Za-z0-9.-]*[.][A-Za-z0-9.-]*[A-Za-z0-9-])?[^\S\x1C-\x1F]*$"
        )
    )]
    pub email: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub contact_name: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub contact_title: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$"
        )
    )]
    pub contact_phone: Option<String>,
    #[cfg_attr(
        feature = "ssr",
        schema(
            max_length = 255,
            pattern = r"^[^\S\x1C-\x1F]*([^\s@\x00-\x1F\x7F-\x9F]+@[A-Za-z0-9-][A-Za-z0-9.-]*[.][A-Za-z0-9.-]*[A-Za-z0-9-])?[^\S\x1C-\x1F]*$"
        )
    )]
    pub contact_email: Option<String>,
}

impl OrganizationInput {
    /// The attributes present, as `(key, value)` pairs (what a form submitted).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        ORGANIZATION_FIELDS
            .iter()
            .filter_map(|spec| {
                self.get(spec.key)
                    .map(|v| (spec.key.to_string(), v.to_string()))
            })
            .collect()
    }

    /// The inverse of `to_pairs`; unknown keys are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> OrganizationInput {
        let mut input = OrganizationInput::default();
        for (key, value) in pairs {
            if let Some(slot) = input.slot_mut(key) {
                *slot = Some(value.clone());
            }
        }
        input
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.slot(key).and_then(|value| value.as_deref())
    }

    fn slot(&self, key: &str) -> Option<&Option<String>> {
        Some(match key {
            "name" => &self.name,
            "company_name" => &self.company_name,
            "description" => &self.description,
            "address" => &self.address,
            "city" => &self.city,
            "state" => &self.state,
            "zipcode" => &self.zipcode,
            "country" => &self.country,
            "phone" => &self.phone,
            "website" => &self.website,
            "email" => &self.email,
            "contact_name" => &self.contact_name,
            "contact_title" => &self.contact_title,
            "contact_phone" => &self.contact_phone,
            "contact_email" => &self.contact_email,
            _ => return None,
        })
    }

    fn slot_mut(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "name" => &mut self.name,
            "company_name" => &mut self.company_name,
            "description" => &mut self.description,
            "address" => &mut self.address,
            "city" => &mut self.city,
            "state" => &mut self.state,
            "zipcode" => &mut self.zipcode,
            "country" => &mut self.country,
            "phone" => &mut self.phone,
            "website" => &mut self.website,
            "email" => &mut self.email,
            "contact_name" => &mut self.contact_name,
            "contact_title" => &mut self.contact_title,
            "contact_phone" => &mut self.contact_phone,
            "contact_email" => &mut self.contact_email,
            _ => return None,
        })
    }

    /// The edit form sends every field, but an emptied input arrives as absent (the form encoding
    /// can't tell "" from missing): from a form, absent means cleared.
    pub fn from_complete_form(mut self) -> OrganizationInput {
        for spec in ORGANIZATION_FIELDS {
            if let Some(slot) = self.slot_mut(spec.key) {
                slot.get_or_insert_with(String::new);
            }
        }
        self
    }

    /// A new organization: every attribute is taken as given; the required ones must be present.
    pub fn parse_new(self) -> Result<ValidOrganization, Vec<FieldError>> {
        validate(self)
    }

    /// An update: attributes absent from the body keep their stored value, then the merged record
    /// is validated as a whole, so an update can never leave an invalid row behind.
    pub fn parse_update(
        self,
        current: &OrganizationInput,
    ) -> Result<ValidOrganization, Vec<FieldError>> {
        let mut merged = current.clone();
        for spec in ORGANIZATION_FIELDS {
            if let (Some(Some(value)), Some(target)) =
                (self.slot(spec.key), merged.slot_mut(spec.key))
            {
                *target = Some(value.clone());
            }
        }
        validate(merged)
    }
}

fn validate(mut input: OrganizationInput) -> Result<ValidOrganization, Vec<FieldError>> {
    let mut errors = Vec::new();
    for spec in ORGANIZATION_FIELDS {
        let Some(slot) = input.slot_mut(spec.key) else {
            continue;
        };
        let raw = slot.as_deref().unwrap_or("");
        let parsed = match spec.kind {
            FieldKind::Required => text::required(raw, SHORT_TEXT_MAX).map(Some),
            FieldKind::Text => text::optional(raw, SHORT_TEXT_MAX),
            FieldKind::LongText => text::optional(raw, LONG_TEXT_MAX),
            FieldKind::Email => text::optional_email(raw),
            FieldKind::Url => text::optional_url(raw),
        };
        match parsed {
            Ok(value) => *slot = value,
            Err(message) => errors.push(FieldError::new(
                format!("organization.{}", spec.key),
                message,
            )),
        }
    }
    if errors.is_empty() {
        Ok(ValidOrganization(input))
    } else {
        Err(errors)
    }
}

/// An organization's attributes after validation: trimmed, required ones present, blanks as `None`.
/// Only `OrganizationInput::parse_*` can build one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidOrganization(OrganizationInput);

impl ValidOrganization {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key)
    }

    pub fn name(&self) -> &str {
        self.0.get("name").unwrap_or_default()
    }

    pub fn as_input(&self) -> &OrganizationInput {
        &self.0
    }
}

/// The read model: what `GET /v2/organizations/{id}` shows as `attributes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct OrganizationAttributes {
    pub name: String,
    pub company_name: String,
    pub description: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zipcode: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub contact_name: Option<String>,
    pub contact_title: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// The partner this organization is a customer of.
    #[cfg_attr(feature = "ssr", schema(format = Uuid))]
    pub partner_organization_id: Option<String>,
    pub users_count: i64,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::domain::time::millis")]
    pub updated_at: DateTime<Utc>,
}

/// One organization with its identity and its optimistic-lock version (the `ETag`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Organization {
    pub id: String,
    pub lock_version: i64,
    // Nested on the server-function wire too: `serde(flatten)` would pull serde's buffering
    // deserializer into the wasm bundle.
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub attributes: OrganizationAttributes,
}

impl Organization {
    /// The stored attributes as an input, the base an update is merged onto.
    pub fn to_input(&self) -> OrganizationInput {
        let a = &self.attributes;
        OrganizationInput {
            name: Some(a.name.clone()),
            company_name: Some(a.company_name.clone()),
            description: a.description.clone(),
            address: a.address.clone(),
            city: a.city.clone(),
            state: a.state.clone(),
            zipcode: a.zipcode.clone(),
            country: a.country.clone(),
            phone: a.phone.clone(),
            website: a.website.clone(),
            email: a.email.clone(),
            contact_name: a.contact_name.clone(),
            contact_title: a.contact_title.clone(),
            contact_phone: a.contact_phone.clone(),
            contact_email: a.contact_email.clone(),
        }
    }

    /// The `ETag` of this version.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.lock_version)
    }
}

/// One row of the organizations screen: what its columns show. As with `UserSummary`, a page
/// carries its rows twice (HTML and hydration data), and the full record is mostly attributes the
/// list never shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OrganizationSummary {
    pub id: String,
    pub name: String,
    pub company_name: String,
    pub city: Option<String>,
    pub country: Option<String>,
    pub users_count: i64,
    #[serde(with = "crate::domain::time::millis")]
    pub created_at: DateTime<Utc>,
}

/// The list (API.md §3): which `q[...]` keys and `sort_by` fields it accepts.
pub const ORGANIZATION_FILTERS: [&str; 5] = ["name", "company_name", "email", "country", "city"];
pub const ORGANIZATION_SORTS: [&str; 5] = [
    "name",
    "company_name",
    "country",
    "created_at",
    "updated_at",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, company: &str) -> OrganizationInput {
        OrganizationInput {
            name: Some(name.into()),
            company_name: Some(company.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_organization_is_trimmed_and_blanks_become_none() {
        let mut raw = input("  Acme ", "Acme Inc");
        raw.city = Some("  ".into());
        let valid = raw.parse_new().unwrap();
        assert_eq!(valid.name(), "Acme");
        assert_eq!(valid.get("city"), None);
    }

    #[test]
    fn every_invalid_field_is_reported_at_once() {
        let mut raw = input("", "");
        raw.website = Some("not a url".into());
        raw.contact_email = Some("nobody".into());
        let errors = raw.parse_new().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "organization.name",
                "organization.company_name",
                "organization.website",
                "organization.contact_email"
            ]
        );
    }

    #[test]
    fn an_update_keeps_absent_fields_and_clears_empty_ones() {
        let mut current = input("Acme", "Acme Inc");
        current.city = Some("Berlin".into());
        current.phone = Some("+49".into());
        let change = OrganizationInput {
            phone: Some(String::new()),
            country: Some("DE".into()),
            ..Default::default()
        };
        let merged = change.parse_update(&current).unwrap();
        assert_eq!(merged.get("city"), Some("Berlin"));
        assert_eq!(merged.get("phone"), None);
        assert_eq!(merged.get("country"), Some("DE"));
        assert_eq!(merged.name(), "Acme");
    }

    #[test]
    fn a_complete_form_clears_what_it_omits() {
        let current = input("Acme", "Acme Inc");
        let form = OrganizationInput {
            name: Some("Acme".into()),
            company_name: Some("Acme Inc".into()),
            ..Default::default()
        };
        assert_eq!(form.clone().from_complete_form().city, Some(String::new()));
        let errors = OrganizationInput { name: None, ..form }
            .from_complete_form()
            .parse_update(&current)
            .unwrap_err();
        assert_eq!(errors[0].field, "organization.name");
    }

    #[test]
    fn an_update_cannot_blank_a_required_field() {
        let current = input("Acme", "Acme Inc");
        let change = OrganizationInput {
            name: Some("  ".into()),
            ..Default::default()
        };
        let errors = change.parse_update(&current).unwrap_err();
        assert_eq!(
            errors,
            vec![FieldError::new("organization.name", "can't be blank")]
        );
    }

    #[test]
    fn the_field_list_matches_the_input_struct() {
        let input = OrganizationInput::default();
        for spec in ORGANIZATION_FIELDS {
            assert!(input.slot(spec.key).is_some(), "{} has no slot", spec.key);
        }
    }
}
