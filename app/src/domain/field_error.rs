use serde::{Deserialize, Serialize};

/// One invalid field, as listed in the `errors` array of the error body (API.md §1).
/// `field` is the wire path (`organization.name`, `q[colour]`, `per_page`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// "Name can't be blank": the human sentence for the error body's `message`.
    pub fn full_message(&self) -> String {
        format!("{} {}", humanize_field(&self.field), self.message)
    }
}

/// `organization.contact_email` → "Contact email"; `q[colour]` → "q[colour]".
pub fn humanize_field(field: &str) -> String {
    if field.contains('[') {
        return field.to_string();
    }
    let last = field.rsplit('.').next().unwrap_or(field);
    let spaced = last.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Name can't be blank, Website is not a valid URL".
pub fn summarize(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(FieldError::full_message)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanizes_nested_and_snake_case_fields() {
        assert_eq!(
            humanize_field("organization.contact_email"),
            "Contact email"
        );
        assert_eq!(humanize_field("name"), "Name");
        assert_eq!(humanize_field("q[colour]"), "q[colour]");
    }

    #[test]
    fn summary_lists_every_error() {
        let errors = vec![
            FieldError::new("organization.name", "can't be blank"),
            FieldError::new("organization.website", "is not a valid URL"),
        ];
        assert_eq!(
            summarize(&errors),
            "Name can't be blank, Website is not a valid URL"
        );
    }
}
