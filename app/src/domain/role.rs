use serde::{Deserialize, Serialize};
use std::fmt;

/// The seeds' role enum. Ordered: a higher role may do everything a lower one may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    User,
    Admin,
    #[serde(rename = "Super Admin")]
    SuperAdmin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::User, Role::Admin, Role::SuperAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "User",
            Role::Admin => "Admin",
            Role::SuperAdmin => "Super Admin",
        }
    }

    pub fn parse(value: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(value.trim()))
            .ok_or_else(|| "is not included in the list (User, Admin, Super Admin)".to_string())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_seed_spelling_case_insensitively() {
        assert_eq!(Role::parse("Super Admin"), Ok(Role::SuperAdmin));
        assert_eq!(Role::parse("admin"), Ok(Role::Admin));
        assert!(Role::parse("Owner").is_err());
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::SuperAdmin > Role::Admin && Role::Admin > Role::User);
    }

    #[test]
    fn serializes_as_the_seed_enum() {
        assert_eq!(
            serde_json::to_string(&Role::SuperAdmin).unwrap(),
            "\"Super Admin\""
        );
    }
}
