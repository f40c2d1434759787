use crate::domain::list::{Choice, Page};
use crate::domain::user::{CanDelete, HandedOver, User, UserSummary};
use crate::domain::Role;
use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The list's URL state, one argument each so that absent ones are simply `None`. Each user comes
/// as the list shows it (`UserSummary`); the user page loads the whole record.
#[server(endpoint = "users/list")]
pub async fn list_users(
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    role: Option<String>,
    organization_id: Option<String>,
) -> Result<Page<UserSummary>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(
        format!(
            "list_users:{:?}",
            (&q, &sort, &page, &per_page, &role, &organization_id,)
        ),
        || async move {
            use crate::domain::list::{ListParams, ListQuery, UI_COUNT_LIMIT};
            use crate::server::services::users::{self as service, LIST_SPEC};
            use crate::server::{ui, AppError};

            let state = ui::state()?;
            let principal = ui::principal(&state).await?;
            let mut filters = Vec::new();
            filters.extend(role.map(|role| ("role".to_string(), role)));
            filters.extend(organization_id.map(|id| ("organization_id".to_string(), id)));
            let params = ListParams {
                q,
                sort,
                page,
                per_page,
                filters,
            };
            let mut query = ListQuery::parse(&params.to_pairs(), &LIST_SPEC, chrono::Utc::now())
                .map_err(|errors| ui::fail(AppError::Invalid(errors)))?;
            // As on the organizations screen: "more than 1,000" rather than counting them all.
            query.count_limit = Some(UI_COUNT_LIMIT);
            service::list_user_summaries(&state.db, &principal, &query)
                .await
                .map_err(ui::fail)
        },
    )
    .await
}

/// What the user page needs: the user, whether (and why not) it can be deleted, and the roles the
/// caller may give.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: User,
    pub can_delete: CanDelete,
    pub assignable_roles: Vec<Role>,
    /// Where the caller may move the user; empty when there is nowhere else (an Admin without
    /// customers), and the form then has no organization field.
    pub organizations: Vec<Choice>,
    /// The customer organizations and pending invitations the user holds.
    pub holds: HandedOver,
    /// Who could take those over (empty when the caller may not hand over).
    pub recipients: Vec<Choice>,
    /// Whether the caller may act as this user ("Impersonate").
    pub may_impersonate: bool,
}

#[server(endpoint = "users/get")]
pub async fn get_user(id: String) -> Result<UserDetail, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(format!("get_user:{:?}", (&id,)), || async move {
        use crate::server::services::users as service;
        use crate::server::services::{organizations, partners};
        use crate::server::ui;

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        let user = service::get_user(&state.db, &principal, &id)
            .await
            .map_err(ui::fail)?;
        let can_delete = service::can_delete_user(&state.db, &principal, &id)
            .await
            .map_err(ui::fail)?;
        let assignable_roles = Role::ALL
            .into_iter()
            .filter(|role| *role <= principal.role)
            .collect();
        let current = Choice {
            id: user.attributes.organization.id.clone(),
            label: user.attributes.organization.name.clone(),
        };
        let organizations = organizations::move_targets(&state.db, &principal, current)
            .await
            .map_err(ui::fail)?;
        let (holds, recipients) = partners::hand_over_options(&state.db, &principal, &user)
            .await
            .map_err(ui::fail)?;
        let may_impersonate =
            crate::server::services::impersonation::may_impersonate(&principal, &user);
        Ok(UserDetail {
            user,
            can_delete,
            assignable_roles,
            organizations,
            holds,
            recipients,
            may_impersonate,
        })
    })
    .await
}

/// The edit form: every field is sent (`user[<key>]`), so what is absent was emptied. `version`
/// is the one the form was opened at: a change made since answers 412.
#[server(endpoint = "users/update")]
pub async fn update_user(
    id: String,
    version: i64,
    #[server(default)] user: BTreeMap<String, String>,
) -> Result<User, ApiError> {
    use crate::domain::user::{UserInput, USER_FIELDS};
    use crate::server::services::precondition::ExpectedVersion;
    use crate::server::services::users as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let submitted: Vec<(String, String)> = user.into_iter().collect();
    let mut input = UserInput::from_pairs(&submitted);
    for spec in USER_FIELDS {
        // Without an organization picker (nowhere else to go) the form sends none: keep it.
        if spec.key != "organization_id" && input.get(spec.key).is_none() {
            input.set(spec.key, "");
        }
    }
    let saved = service::update_user(
        &state.db,
        &state.config,
        &principal,
        &id,
        input,
        ExpectedVersion::exactly(version),
    )
    .await
    .map_err(|err| ui::fail_with_submitted(err, || submitted))?;
    ui::redirect_plain_form(&format!("/users/{}?notice=user_saved", saved.id));
    Ok(saved)
}

#[server(endpoint = "users/delete")]
pub async fn delete_user(id: String, version: i64) -> Result<(), ApiError> {
    use crate::server::services::precondition::ExpectedVersion;
    use crate::server::services::users as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::delete_user(
        &state.db,
        &principal,
        &id,
        ExpectedVersion::exactly(version),
    )
    .await
    .map_err(ui::fail)?;
    ui::redirect_plain_form("/users?notice=user_deleted");
    Ok(())
}

#[server(endpoint = "me/get")]
pub async fn get_me() -> Result<User, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once("get_me".to_string(), || async move {
        use crate::server::services::users as service;
        use crate::server::ui;

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        service::get_me(&state.db, &principal)
            .await
            .map_err(ui::fail)
    })
    .await
}

/// The profile form: like the user form, every field is sent, so what is absent was emptied.
#[server(endpoint = "me/update")]
pub async fn update_me(
    version: i64,
    #[server(default)] user: BTreeMap<String, String>,
) -> Result<User, ApiError> {
    use crate::domain::user::{UserInput, USER_FIELDS};
    use crate::server::services::precondition::ExpectedVersion;
    use crate::server::services::users as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let submitted: Vec<(String, String)> = user.into_iter().collect();
    let mut input = UserInput::from_pairs(&submitted);
    for spec in USER_FIELDS {
        if !matches!(spec.key, "organization_id" | "role") && input.get(spec.key).is_none() {
            input.set(spec.key, "");
        }
    }
    let saved = service::update_me(
        &state.db,
        &state.config,
        &principal,
        input,
        ExpectedVersion::exactly(version),
    )
    .await
    .map_err(|err| ui::fail_with_submitted(err, || submitted))?;
    ui::redirect_plain_form("/me?notice=profile_saved");
    Ok(saved)
}

#[server(endpoint = "me/password")]
pub async fn change_password(
    #[server(default)] current_password: String,
    #[server(default)] password: String,
    #[server(default)] password_confirmation: String,
) -> Result<(), ApiError> {
    use crate::server::services::users as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::change_password(
        &state.db,
        &state.config,
        &principal,
        &current_password,
        &password,
        &password_confirmation,
    )
    .await
    .map_err(ui::fail)?;
    ui::redirect_plain_form("/me/security?notice=password_changed");
    Ok(())
}

/// `/users/new`: invites (no password given) or creates with a password. Answers the new id.
#[server(endpoint = "users/create")]
pub async fn create_user(
    #[server(default)] email: String,
    #[server(default)] role: String,
    #[server(default)] organization_id: String,
    #[server(default)] first_name: String,
    #[server(default)] last_name: String,
    #[server(default)] password: String,
) -> Result<String, ApiError> {
    use crate::domain::user::UserInput;
    use crate::server::services::users::{self as service, Onboarding};
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let submitted = vec![
        ("email".to_string(), email.clone()),
        ("role".to_string(), role.clone()),
        ("organization_id".to_string(), organization_id.clone()),
        ("first_name".to_string(), first_name.clone()),
        ("last_name".to_string(), last_name.clone()),
    ];
    let mut input = UserInput::default();
    for (key, value) in &submitted {
        // Blank means "the default" here (the caller's organization, role User).
        if !value.trim().is_empty() {
            input.set(key, value.clone());
        }
    }
    if input.get("email").is_none() {
        input.set("email", "");
    }
    let onboarding = if password.is_empty() {
        Onboarding::Invite
    } else {
        Onboarding::Create
    };
    let user = service::create_user(
        &state.db,
        &state.config,
        &principal,
        input,
        Some(&password),
        onboarding,
    )
    .await
    .map_err(|err| ui::fail_with_submitted(err, || submitted))?;
    let notice = match onboarding {
        Onboarding::Invite => "user_invited",
        Onboarding::Create => "user_created",
    };
    ui::redirect_plain_form(&format!("/users/{}?notice={notice}", user.id));
    Ok(user.id)
}

/// "Resend invitation" on a user who hasn't confirmed yet.
#[server(endpoint = "users/resend")]
pub async fn resend_confirmation(id: String) -> Result<(), ApiError> {
    use crate::server::services::users as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::resend_confirmation(&state.db, &state.config, &principal, &id)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&format!("/users/{id}?notice=confirmation_resent"));
    Ok(())
}

/// Whether the signed-in user may delete their own account, and why not.
#[server(endpoint = "me/can_delete")]
pub async fn can_delete_me() -> Result<CanDelete, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once("can_delete_me".to_string(), || async move {
        use crate::server::services::users as service;
        use crate::server::ui;

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        service::can_delete_me(&state.db, &principal)
            .await
            .map_err(ui::fail)
    })
    .await
}

/// "Delete my account": with the password; the session ends and the browser lands on sign-in.
#[server(endpoint = "me/delete")]
pub async fn delete_me(#[server(default)] password: String) -> Result<(), ApiError> {
    use crate::server::services::users as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::delete_me(&state.db, &principal, &password)
        .await
        .map_err(ui::fail)?;
    ui::clear_session_cookie(&state);
    ui::redirect_plain_form("/login?notice=account_deleted");
    Ok(())
}

/// A Super Admin makes a user a partner, or stops them being one.
#[server(endpoint = "users/partner")]
pub async fn set_partner(id: String, partner: bool) -> Result<(), ApiError> {
    use crate::server::services::users as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::set_partner(&state.db, &principal, &id, partner)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&format!("/users/{id}?notice=user_saved"));
    Ok(())
}

/// "Unlock" on a locked user's page.
#[server(endpoint = "users/unlock")]
pub async fn unlock_user(id: String) -> Result<(), ApiError> {
    use crate::server::services::users as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::unlock(&state.db, &principal, &id)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&format!("/users/{id}?notice=user_unlocked"));
    Ok(())
}

/// "Hand over" on a user's page: `to` takes over the customer organizations and pending
/// invitations `from` holds.
#[server(endpoint = "users/hand_over")]
pub async fn hand_over(
    from: String,
    #[server(default)] to: String,
) -> Result<HandedOver, ApiError> {
    use crate::server::services::partners;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    if to.trim().is_empty() {
        return Err(ui::fail(crate::server::AppError::invalid(
            "to",
            "choose who takes over",
        )));
    }
    let handed = partners::hand_over(&state.db, &principal, &from, &to)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&format!("/users/{from}?notice=handed_over"));
    Ok(handed)
}

/// `/users/import`: the uploaded CSV (`file`) checked (`dry_run=true`) or imported. Every bad row
/// comes back as a 422 whose fields are `rows[<line>].<column>`, so the plain form post (no
/// JavaScript) shows them too; a clean check answers the counts, an import goes to the users.
#[server(endpoint = "users/import", input = server_fn::codec::MultipartFormData)]
pub async fn import_users(
    data: server_fn::codec::MultipartData,
) -> Result<crate::domain::user::ImportReport, ApiError> {
    use crate::domain::FieldError;
    use crate::server::services::user_import;
    use crate::server::{ui, AppError};

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let mut form = data
        .into_inner()
        .ok_or_else(|| ui::fail(AppError::BadRequest("The upload can't be read.".into())))?;
    let mut file = None;
    let mut dry_run = false;
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("file") => {
                let bytes = field.bytes().await.map_err(|e| {
                    ui::fail(AppError::BadRequest(format!(
                        "The upload can't be read: {e}"
                    )))
                })?;
                file = Some(bytes);
            }
            Some("dry_run") => dry_run = field.text().await.is_ok_and(|v| v == "true"),
            _ => {}
        }
    }
    let bytes = file
        .filter(|b| !b.is_empty())
        .ok_or_else(|| ui::fail(AppError::invalid("file", "choose a CSV file")))?;
    let report = user_import::import_users(&state.db, &state.config, &principal, &bytes, dry_run)
        .await
        .map_err(ui::fail)?;
    if !report.errors.is_empty() {
        let errors = report
            .errors
            .iter()
            .map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.field), e.message.clone()))
            .collect();
        return Err(ui::fail(AppError::Invalid(errors)));
    }
    if dry_run {
        ui::redirect_plain_form(&format!(
            "/users/import?notice=import_checked&created={}&updated={}",
            report.created, report.updated
        ));
    } else {
        ui::redirect_plain_form("/users?notice=users_imported");
    }
    Ok(report)
}
