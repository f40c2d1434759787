//! Partners and their customers (API.md §4): a partner Admin creates a customer organization
//! together with its first Admin (`POST /v2/users/customer`), and a partner's customer
//! organizations and pending invitations are handed to another user (`PUT /v2/users/{id}/inherit`,
//! `PUT /v2/user/transfer_resources`) before the partner leaves. Who may make someone a partner
//! lives with the user's other writes (`users::set_partner`).

use super::audit::{self, AuditEntry};
use super::organizations::{self, insert_organization};
use super::precondition::{lock_for_update, Locked};
use super::users::{self, insert_new_user, NewUser, Onboarding};
use crate::domain::list::Choice;
use crate::domain::organization::{Organization, OrganizationInput};
use crate::domain::user::{HandedOver, User, UserInput};
use crate::domain::{FieldError, Role};
use crate::server::auth::Principal;
use crate::server::db::{new_id, now, Db, Exec, Sql};
use crate::server::{AppError, Config};
use serde_json::json;

/// How many customer organizations `user_id` manages (a partner who still has some can't be
/// deleted or unmade).
pub async fn customers_managed_by(exec: &mut Exec<'_>, user_id: &str) -> Result<i64, AppError> {
    Ok(exec
        .fetch_count(
            &Sql::new("SELECT COUNT(*) FROM organizations WHERE partner_user_id = $1")
                .bind(user_id),
        )
        .await?)
}

/// What `user_id` would hand over: the customer organizations they manage and the invitations
/// they sent that are still pending.
async fn holdings(exec: &mut Exec<'_>, user_id: &str) -> Result<HandedOver, AppError> {
    let customers = customers_managed_by(exec, user_id).await?;
    let invitations = exec
        .fetch_count(
            &Sql::new(
                "SELECT COUNT(*) FROM users WHERE invited_by_id = $1 AND confirmed_at IS NULL",
            )
            .bind(user_id),
        )
        .await?;
    Ok(HandedOver {
        customer_organizations: customers.max(0) as u64,
        pending_invitations: invitations.max(0) as u64,
    })
}

/// For the user's page: what `user` holds and, when there is something and the principal may hand
/// it over, who could take it.
pub async fn hand_over_options(
    db: &Db,
    principal: &Principal,
    user: &User,
) -> Result<(HandedOver, Vec<Choice>), AppError> {
    let mut conn = db.conn().await?;
    let mut exec = conn.exec();
    let holds = holdings(&mut exec, &user.id).await?;
    let recipients = if holds.customer_organizations + holds.pending_invitations > 0 {
        recipients(&mut exec, principal, user).await?
    } else {
        Vec::new()
    };
    Ok((holds, recipients))
}

/// Who may take over from `user`: the other Admins of their organization (partners first, since
/// only they can take customers), when the principal may hand over.
async fn recipients(
    exec: &mut Exec<'_>,
    principal: &Principal,
    user: &User,
) -> Result<Vec<Choice>, AppError> {
    let organization_id = &user.attributes.organization.id;
    if principal.role == Role::User
        || (principal.role == Role::Admin && *organization_id != principal.organization_id)
    {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(
        "SELECT id, email, TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')), partner \
         FROM users WHERE organization_id = $1 AND id <> $2 AND role IN ('Admin', 'Super Admin')",
    )
    .bind(organization_id)
    .bind(&user.id);
    if principal.role == Role::Admin {
        sql.push(" AND role = 'Admin'");
    }
    sql.push(" ORDER BY partner DESC, email LIMIT 200");
    let rows: Vec<(String, String, String, bool)> = exec.fetch_all(&sql).await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, name, partner)| {
            let mut label = if name.is_empty() {
                email
            } else {
                format!("{name} ({email})")
            };
            if partner {
                label.push_str(" · partner");
            }
            Choice { id, label }
        })
        .collect())
}

/// `POST /v2/users/customer` (and "New organization" with a first Admin): the organization and
/// its first Admin in one transaction, so neither exists without the other. The Admin gets an
/// invitation, or signs in at once when a password is given. A partner Admin's customer is theirs
/// to manage; a Super Admin's stands alone. Every field error of both halves is reported at once.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id))]
pub async fn create_customer(
    db: &Db,
    config: &Config,
    principal: &Principal,
    organization: OrganizationInput,
    admin: UserInput,
    password_value: Option<&str>,
) -> Result<(Organization, User), AppError> {
    let partner = organizations::partner_of_new(principal)?;
    let organization_id = new_id();
    let mut errors = Vec::new();
    let valid_organization = organization
        .parse_new()
        .map_err(|field_errors| errors.extend(field_errors))
        .ok();
    if admin
        .get("organization_id")
        .is_some_and(|v| !v.trim().is_empty())
    {
        errors.push(FieldError::new(
            "user.organization_id",
            "is the new organization's: leave it out",
        ));
    }
    if admin
        .get("role")
        .is_some_and(|r| !r.trim().is_empty() && r.trim() != Role::Admin.as_str())
    {
        errors.push(FieldError::new(
            "user.role",
            "must be Admin: the first user of a customer organization is its Admin",
        ));
    }
    let mut defaults = UserInput::default();
    defaults.set("role", Role::Admin.as_str());
    defaults.set("organization_id", &organization_id);
    let mut admin = admin;
    admin.set("organization_id", &organization_id);
    admin.set("role", Role::Admin.as_str());
    let onboarding = match password_value.filter(|p| !p.is_empty()) {
        Some(_) => Onboarding::Create,
        None => Onboarding::Invite,
    };
    let new_admin = NewUser::check(&admin, defaults, password_value, onboarding)
        .map_err(|field_errors| errors.extend(field_errors))
        .ok();
    let (Some(valid_organization), Some(new_admin)) = (valid_organization, new_admin) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let new_admin = new_admin.hashed().await?;
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    let created = insert_organization(
        &mut exec,
        principal,
        &organization_id,
        &valid_organization,
        partner,
    )
    .await?;
    let first_admin = insert_new_user(&mut exec, config, principal, &new_admin).await?;
    tx.commit().await?;
    super::outbox::wake();
    Ok((created, first_admin))
}

/// `PUT /v2/users/{to}/inherit` and `PUT /v2/user/transfer_resources`: `to` takes over the
/// customer organizations `from` manages and the invitations `from` sent that are still pending.
///
/// An Admin hands over between users of their own organization; a Super Admin between any two.
/// Customer organizations need a partner to manage them, so `to` must be one when there are any.
#[tracing::instrument(skip_all, fields(user_id = %principal.user_id, from = %from_id, to = %to_id))]
pub async fn hand_over(
    db: &Db,
    principal: &Principal,
    from_id: &str,
    to_id: &str,
) -> Result<HandedOver, AppError> {
    if principal.role == Role::User {
        return Err(AppError::Forbidden(
            "Only an Admin hands over customers and invitations.".into(),
        ));
    }
    let (from_id, to_id) = (
        from_id.trim().to_ascii_lowercase(),
        to_id.trim().to_ascii_lowercase(),
    );
    if from_id == to_id {
        return Err(AppError::invalid(
            "from_user_id",
            "is the user who would take over: choose someone else",
        ));
    }
    let mut tx = db.begin().await?;
    let mut exec = tx.exec();
    // Both rows locked, in one order, so two hand-overs between the same pair can't deadlock.
    let (first, second) = if from_id < to_id {
        (&from_id, &to_id)
    } else {
        (&to_id, &from_id)
    };
    lock_for_update(&mut exec, Locked::Users, first).await?;
    lock_for_update(&mut exec, Locked::Users, second).await?;
    let from = users::find_manageable(&mut exec, principal, &from_id).await?;
    let to = users::find_manageable(&mut exec, principal, &to_id).await?;
    if principal.role != Role::SuperAdmin
        && (from.attributes.organization.id != principal.organization_id
            || to.attributes.organization.id != principal.organization_id)
    {
        return Err(AppError::Forbidden(
            "An Admin hands over only between users of their own organization.".into(),
        ));
    }
    let customers = customers_managed_by(&mut exec, &from.id).await?;
    if customers > 0 && !(to.attributes.partner && to.attributes.role >= Role::Admin) {
        return Err(AppError::Conflict(format!(
            "{} isn't a partner, and {customers} customer organization{} need one: make them a partner first.",
            to.display_name(),
            if customers == 1 { "" } else { "s" }
        )));
    }
    let at = now();
    let moved_customers = exec
        .execute(
            &Sql::new(
                "UPDATE organizations SET partner_user_id = $1, partner_organization_id = $2, \
                 lock_version = lock_version + 1, updated_at = $3 WHERE partner_user_id = $4",
            )
            .bind(&to.id)
            .bind(&to.attributes.organization.id)
            .bind(at)
            .bind(&from.id),
        )
        .await?;
    let moved_invitations = exec
        .execute(
            &Sql::new(
                "UPDATE users SET invited_by_id = $1 WHERE invited_by_id = $2 AND confirmed_at IS NULL",
            )
            .bind(&to.id)
            .bind(&from.id),
        )
        .await?;
    let handed = HandedOver {
        customer_organizations: moved_customers,
        pending_invitations: moved_invitations,
    };
    if moved_customers + moved_invitations > 0 {
        audit::record(
            &mut exec,
            AuditEntry::by(principal, "user.inherit", "users", Some(&to.id))
                .in_organization(Some(&to.attributes.organization.id))
                .with_changes(json!({
                    "from_user_id": from.id,
                    "customer_organizations": moved_customers,
                    "pending_invitations": moved_invitations,
                })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(handed)
}
