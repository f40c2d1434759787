//! Users. For now: the first Super Admin and the signed-in user's summary; the full user
//! management of API.md §4 builds on the same table.

use super::audit::{self, AuditEntry};
use super::search_index;
use crate::domain::text::is_email;
use crate::domain::user::CurrentUser;
use crate::domain::Role;
use crate::server::auth::{password, Principal};
use crate::server::db::{new_id, now, Db, Exec, Sql};
use crate::server::request::RequestMeta;
use crate::server::AppError;
use rand::Rng;
use serde_json::json;

pub const DEFAULT_ADMIN_EMAIL: &str = "admin@steward.local";

/// The first Super Admin, as created at start-up.
#[derive(Debug)]
pub struct FirstAdmin {
    pub email: String,
    /// Present when the password was generated: shown once, never stored in clear.
    pub generated_password: Option<String>,
}

/// When the database has no user, creates the first Super Admin in an organization of its own.
/// Several instances starting together race harmlessly: the unique email index lets one win.
pub async fn ensure_first_super_admin(
    db: &Db,
    email: Option<&str>,
    password_value: Option<&str>,
) -> Result<Option<FirstAdmin>, AppError> {
    if db
        .fetch_count(&Sql::new("SELECT COUNT(*) FROM users"))
        .await?
        > 0
    {
        return Ok(None);
    }
    let email = email.unwrap_or(DEFAULT_ADMIN_EMAIL).trim().to_string();
    if !is_email(&email) {
        return Err(AppError::invalid(
            "STEWARD_ADMIN_EMAIL",
            "is not a valid email address",
        ));
    }
    let (password_value, generated) = match password_value {
        Some(given) => {
            password::check_strength(given)
                .map_err(|m| AppError::invalid("STEWARD_ADMIN_PASSWORD", m))?;
            (given.to_string(), None)
        }
        None => {
            let generated = random_password();
            (generated.clone(), Some(generated))
        }
    };
    let hash = password::hash(password_value).await?;
    let at = now();
    let organization_id = new_id();
    let user_id = new_id();
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    exec.execute(
        &Sql::new(
            "INSERT INTO organizations (id, name, company_name, lock_version, created_at, updated_at) \
             VALUES ($1, 'Steward', 'Steward', 1, $2, $2)",
        )
        .bind(&organization_id)
        .bind(at),
    )
    .await?;
    search_index::index_organization(&mut exec, &organization_id, "Steward", "Steward").await?;
    let inserted = insert_user(
        &mut exec,
        NewUserRow {
            id: &user_id,
            organization_id: &organization_id,
            email: &email,
            username: email.split('@').next().unwrap_or("admin"),
            password_hash: Some(&hash),
            role: Role::SuperAdmin,
            first_name: Some("Super"),
            last_name: Some("Admin"),
            confirmed: true,
        },
    )
    .await;
    if let Err(err) = inserted {
        if err
            .as_database_error()
            .is_some_and(|e| e.is_unique_violation())
        {
            return Ok(None);
        }
        return Err(err.into());
    }
    audit::record(
        &mut exec,
        AuditEntry {
            actor_id: None,
            impersonator_id: None,
            organization_id: Some(&organization_id),
            action: "user.bootstrap_super_admin",
            target_type: "users",
            target_id: Some(&user_id),
            changes: json!({ "email": { "from": null, "to": email } }),
            meta: &RequestMeta::default(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(FirstAdmin {
        email,
        generated_password: generated,
    }))
}

pub struct NewUserRow<'a> {
    pub id: &'a str,
    pub organization_id: &'a str,
    pub email: &'a str,
    pub username: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: Role,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub confirmed: bool,
}

pub async fn insert_user(exec: &mut Exec<'_>, user: NewUserRow<'_>) -> Result<(), sqlx::Error> {
    let at = now();
    exec.execute(
        &Sql::new(
            "INSERT INTO users (id, organization_id, email, username, password_hash, role, first_name, last_name, \
             confirmed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(user.id)
        .bind(user.organization_id)
        .bind(user.email)
        .bind(user.username)
        .bind(user.password_hash)
        .bind(user.role.as_str())
        .bind(user.first_name)
        .bind(user.last_name)
        .bind(user.confirmed.then_some(at))
        .bind(at),
    )
    .await
    .map(|_| ())
}

fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The shell's view of the signed-in user (the principal already carries it all).
pub fn current_user(principal: &Principal) -> CurrentUser {
    CurrentUser {
        id: principal.user_id.clone(),
        email: principal.email.clone(),
        username: principal.username.clone(),
        role: principal.role,
        organization_id: principal.organization_id.clone(),
        organization_name: principal.organization_name.clone(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_passwords_are_long_and_unambiguous() {
        let password = super::random_password();
        assert_eq!(password.len(), 20);
        assert!(!password.contains(['0', 'O', 'l', '1', 'I']));
    }
}
