//! The organization notification policy (API.md §7, ZITADEL-compatible): an organization's own
//! policy, else the instance default, else every trigger off. Its administrators (its Admins, its
//! partner's Admins, Super Admins) change it; a Super Admin changes the instance default. Every
//! change grows the policy's `sequence`, as ZITADEL's does, and is audited.

use super::audit::{self, AuditEntry};
use super::emails::{self, Recipient};
use super::inbox::{self, NewNotification};
use super::organizations;
use crate::domain::inbox::type_label;
use crate::domain::notification::NotificationPolicy;
use crate::domain::Role;
use crate::server::auth::Principal;
use crate::server::db::{now, Db, Exec, Sql};
use crate::server::{AppError, Config};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The instance default's `scope` (an organization's is its id).
const INSTANCE: &str = "instance";

/// ZITADEL's `details`: the policy's change counter, when it was created and last changed, and
/// whose it is (an organization id, or `instance`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDetails {
    pub sequence: i64,
    pub creation_date: DateTime<Utc>,
    pub change_date: DateTime<Utc>,
    pub resource_owner: String,
}

/// A policy as it applies to an organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedPolicy {
    pub policy: NotificationPolicy,
    pub details: PolicyDetails,
    /// The organization has no policy of its own: this is the instance default.
    pub is_default: bool,
}

#[derive(sqlx::FromRow)]
struct PolicyRow {
    custom: bool,
    password_change: bool,
    email_change: bool,
    second_factor_removed: bool,
    account_locked: bool,
    sequence: i64,
    created_at: DateTime<Utc>,
    changed_at: DateTime<Utc>,
}

impl PolicyRow {
    fn policy(&self) -> NotificationPolicy {
        NotificationPolicy {
            password_change: self.password_change,
            email_change: self.email_change,
            second_factor_removed: self.second_factor_removed,
            account_locked: self.account_locked,
        }
    }

    fn details(&self, owner: &str) -> PolicyDetails {
        PolicyDetails {
            sequence: self.sequence,
            creation_date: self.created_at,
            change_date: self.changed_at,
            resource_owner: owner.to_string(),
        }
    }
}

async fn row(exec: &mut Exec<'_>, scope: &str) -> Result<Option<PolicyRow>, AppError> {
    Ok(exec
        .fetch_optional(
            &Sql::new(
                "SELECT custom, password_change, email_change, second_factor_removed, \
                 account_locked, sequence, created_at, changed_at \
                 FROM notification_policies WHERE scope = $1",
            )
            .bind(scope),
        )
        .await?)
}

/// The instance default: its row, or every trigger off.
async fn instance_default(exec: &mut Exec<'_>) -> Result<AppliedPolicy, AppError> {
    Ok(match row(exec, INSTANCE).await? {
        Some(row) => AppliedPolicy {
            policy: row.policy(),
            details: row.details(INSTANCE),
            is_default: true,
        },
        None => {
            let at = DateTime::<Utc>::UNIX_EPOCH;
            AppliedPolicy {
                policy: NotificationPolicy::default(),
                details: PolicyDetails {
                    sequence: 0,
                    creation_date: at,
                    change_date: at,
                    resource_owner: INSTANCE.to_string(),
                },
                is_default: true,
            }
        }
    })
}

/// The policy that applies to `organization_id` (what the triggers consult).
pub async fn applied_to(
    exec: &mut Exec<'_>,
    organization_id: &str,
) -> Result<AppliedPolicy, AppError> {
    match row(exec, organization_id).await? {
        Some(row) if row.custom => Ok(AppliedPolicy {
            policy: row.policy(),
            details: row.details(organization_id),
            is_default: false,
        }),
        _ => instance_default(exec).await,
    }
}

/// An account change the policy's triggers are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountChange<'a> {
    /// The password changed (by the user, or by a reset).
    Password,
    /// The email address changed; the message goes to the old address, where the owner still is.
    Email { new_email: &'a str },
    /// The account was locked after failed sign-ins.
    Locked,
    /// Two-factor sign-in was turned off.
    SecondFactorRemoved,
}

impl AccountChange<'_> {
    fn notification_type(self) -> &'static str {
        match self {
            AccountChange::Password => "password_change",
            AccountChange::Email { .. } => "email_change",
            AccountChange::Locked => "account_locked",
            AccountChange::SecondFactorRemoved => "second_factor_removed",
        }
    }

    fn is_on(self, policy: &NotificationPolicy) -> bool {
        match self {
            AccountChange::Password => policy.password_change,
            AccountChange::Email { .. } => policy.email_change,
            AccountChange::Locked => policy.account_locked,
            AccountChange::SecondFactorRemoved => policy.second_factor_removed,
        }
    }
}

/// A trigger of the policy, inside the transaction of the change: when the policy that applies
/// to the user's organization says so, the user gets an in-app notification and an email
/// (through the outbox, so a rolled-back change sends nothing).
pub async fn account_changed(
    exec: &mut Exec<'_>,
    config: &Config,
    to: &Recipient<'_>,
    change: AccountChange<'_>,
) -> Result<(), AppError> {
    if !change.is_on(&applied_to(exec, to.organization_id).await?.policy) {
        return Ok(());
    }
    let reset = config.link("/password/forgot");
    let (email, body) = match change {
        AccountChange::Password => (
            emails::password_changed(to, &reset),
            "The password of your account was changed. If it wasn't you, reset it now.".to_string(),
        ),
        AccountChange::Email { new_email } => (
            emails::email_changed(to, new_email, &reset),
            format!("The email address of your account is now {new_email}."),
        ),
        AccountChange::Locked => (
            emails::account_locked(to, &reset),
            "Your account was locked after repeated failed sign-ins.".to_string(),
        ),
        AccountChange::SecondFactorRemoved => (
            emails::second_factor_removed(to, &reset),
            "Two-factor authentication was turned off for your account. If it wasn't you, reset your password now.".to_string(),
        ),
    };
    let kind = change.notification_type();
    inbox::deliver(
        exec,
        &[NewNotification {
            user_id: to.user_id,
            event_id: None,
            notification_type: kind,
            title: type_label(kind),
            body: &body,
            url: Some("/me/security"),
        }],
    )
    .await?;
    super::outbox::enqueue(exec, email).await?;
    Ok(())
}

/// The organization a request is about: the caller's own, or the one `x-zitadel-orgid` names,
/// which they must administer (403, as ZITADEL answers, even where `/v2` would hide it behind a
/// 404; an unknown one is 404). `write` needs an administrator of
/// their own organization too.
async fn target_organization(
    exec: &mut Exec<'_>,
    principal: &Principal,
    named: Option<&str>,
    write: bool,
) -> Result<String, AppError> {
    let named = named.map(str::trim).filter(|n| !n.is_empty());
    match named {
        Some(id) if !id.eq_ignore_ascii_case(&principal.organization_id) => {
            match organizations::find_manageable(exec, principal, id).await {
                Ok(organization) => Ok(organization.id),
                // ZITADEL says whether the organization exists: not the caller's is a 403.
                Err(AppError::NotFound(_)) if organizations::exists(exec, id).await? => Err(
                    AppError::Forbidden("You may not administer that organization.".into()),
                ),
                Err(err) => Err(err),
            }
        }
        _ if write && principal.role == Role::User => Err(AppError::Forbidden(
            "Only an administrator of the organization changes its notification policy.".into(),
        )),
        _ => Ok(principal.organization_id.clone()),
    }
}

/// `GET /management/v1/policies/notification`.
pub async fn get(
    db: &Db,
    principal: &Principal,
    organization: Option<&str>,
) -> Result<AppliedPolicy, AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let id = target_organization(&mut exec, principal, organization, false).await?;
    applied_to(&mut exec, &id).await
}

/// An organization's policy for its administrators' screen (`/organizations/{id}/policy`): 404
/// when they can't see the organization, 403 when they may not administer it.
pub async fn get_managed(
    db: &Db,
    principal: &Principal,
    organization_id: &str,
) -> Result<AppliedPolicy, AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let organization =
        organizations::find_manageable(&mut exec, principal, organization_id).await?;
    applied_to(&mut exec, &organization.id).await
}

/// `GET /management/v1/policies/default/notification`.
pub async fn get_default(db: &Db) -> Result<AppliedPolicy, AppError> {
    let mut conn = db.conn().await?;
    instance_default(&mut conn.exec()).await
}

/// Writes `policy` as the policy of `scope` (custom again, if it was reset), one step further.
async fn write(
    exec: &mut Exec<'_>,
    scope: &str,
    policy: NotificationPolicy,
) -> Result<PolicyRow, AppError> {
    let at = now();
    exec.execute(
        &Sql::new(
            "INSERT INTO notification_policies (scope, custom, password_change, email_change, \
             second_factor_removed, account_locked, sequence, created_at, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) \
             ON CONFLICT (scope) DO UPDATE SET custom = $2, password_change = $3, \
             email_change = $4, second_factor_removed = $5, account_locked = $6, \
             sequence = notification_policies.sequence + 1, changed_at = $7",
        )
        .bind(scope)
        .bind(true)
        .bind(policy.password_change)
        .bind(policy.email_change)
        .bind(policy.second_factor_removed)
        .bind(policy.account_locked)
        .bind(at),
    )
    .await?;
    row(exec, scope)
        .await?
        .ok_or_else(|| AppError::Internal("the policy just written is gone".into()))
}

/// `POST` / `PUT /management/v1/policies/notification`: both create or update.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn set(
    db: &Db,
    principal: &Principal,
    organization: Option<&str>,
    policy: NotificationPolicy,
) -> Result<PolicyDetails, AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let id = target_organization(&mut exec, principal, organization, true).await?;
    let before = applied_to(&mut exec, &id).await?;
    let written = write(&mut exec, &id, policy).await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "notification_policy.update",
            "organizations",
            Some(&id),
        )
        .in_organization(Some(&id))
        .with_changes(json!({"from": before.policy, "to": policy})),
    )
    .await?;
    tx.commit().await?;
    Ok(written.details(&id))
}

/// `DELETE /management/v1/policies/notification`: back to the instance default. 404 when the
/// organization has no policy of its own.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn reset(
    db: &Db,
    principal: &Principal,
    organization: Option<&str>,
) -> Result<PolicyDetails, AppError> {
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let id = target_organization(&mut exec, principal, organization, true).await?;
    let before = applied_to(&mut exec, &id).await?;
    if before.is_default {
        return Err(AppError::not_found("Notification policy"));
    }
    exec.execute(
        &Sql::new(
            "UPDATE notification_policies SET custom = $1, sequence = sequence + 1, \
             changed_at = $2 WHERE scope = $3",
        )
        .bind(false)
        .bind(now())
        .bind(&id),
    )
    .await?;
    let written = row(&mut exec, &id)
        .await?
        .ok_or_else(|| AppError::Internal("the policy just reset is gone".into()))?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "notification_policy.reset",
            "organizations",
            Some(&id),
        )
        .in_organization(Some(&id))
        .with_changes(json!({"from": before.policy})),
    )
    .await?;
    tx.commit().await?;
    Ok(written.details(&id))
}

/// `PUT /admin/v1/policies/notification`: the instance default (Super Admin).
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn set_default(
    db: &Db,
    principal: &Principal,
    policy: NotificationPolicy,
) -> Result<PolicyDetails, AppError> {
    if principal.role != Role::SuperAdmin {
        return Err(AppError::Forbidden(
            "Only a Super Admin changes the instance's default notification policy.".into(),
        ));
    }
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let before = instance_default(&mut exec).await?;
    let written = write(&mut exec, INSTANCE, policy).await?;
    audit::record(
        &mut exec,
        AuditEntry::by(
            principal,
            "notification_policy.default_update",
            "instance",
            None,
        )
        .in_organization(None)
        .with_changes(json!({"from": before.policy, "to": policy})),
    )
    .await?;
    tx.commit().await?;
    Ok(written.details(INSTANCE))
}
