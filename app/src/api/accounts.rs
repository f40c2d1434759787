//! The public account pages' server functions: forgot and reset password, accept an invitation,
//! confirm an address. No session: the emailed token is the credential.

use crate::domain::Role;
use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What `/invitation/{token}` shows before it is accepted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub email: String,
    pub organization_name: String,
    pub role: Role,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(with = "crate::domain::time::millis")]
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The invitation behind a token, or `None` when it is unknown, used or expired.
#[server(endpoint = "invitation/get")]
pub async fn get_invitation(token: String) -> Result<Option<InvitationView>, ApiError> {
    use crate::server::services::accounts as service;
    use crate::server::{ui, AppError};

    let state = ui::state()?;
    match service::invitation_details(&state.db, &token).await {
        Ok(details) => Ok(Some(InvitationView {
            email: details.email,
            organization_name: details.organization_name,
            role: details.role,
            first_name: details.first_name,
            last_name: details.last_name,
            expires_at: details.expires_at,
        })),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(err) => Err(ui::fail(err)),
    }
}

/// Accepts the invitation and signs in (the session cookie comes with the answer).
#[server(endpoint = "invitation/accept")]
pub async fn accept_invitation(
    token: String,
    #[server(default)] first_name: String,
    #[server(default)] last_name: String,
    #[server(default)] password: String,
    #[server(default)] password_confirmation: String,
) -> Result<(), ApiError> {
    use crate::server::services::accounts::{self as service, Acceptance};
    use crate::server::ui;

    let state = ui::state()?;
    let meta = ui::request_meta();
    let signed_in = service::accept_invitation(
        &state.db,
        &state.config,
        Acceptance {
            token: &token,
            password: &password,
            password_confirmation: &password_confirmation,
            first_name: Some(&first_name),
            last_name: Some(&last_name),
        },
        &meta,
    )
    .await
    .map_err(|err| {
        ui::fail_with_submitted(err, || {
            vec![
                ("first_name".into(), first_name.clone()),
                ("last_name".into(), last_name.clone()),
            ]
        })
    })?;
    ui::set_session_cookie(&state, &signed_in);
    ui::redirect_plain_form("/?notice=welcome");
    Ok(())
}

/// What `/confirm/{token}` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmationView {
    pub email: String,
    pub needs_password: bool,
}

#[server(endpoint = "confirmation/get")]
pub async fn get_confirmation(token: String) -> Result<Option<ConfirmationView>, ApiError> {
    use crate::server::services::accounts as service;
    use crate::server::{ui, AppError};

    let state = ui::state()?;
    match service::confirmation_details(&state.db, &token).await {
        Ok(details) => Ok(Some(ConfirmationView {
            email: details.email,
            needs_password: details.needs_password,
        })),
        Err(AppError::NotFound(_)) => Ok(None),
        Err(err) => Err(ui::fail(err)),
    }
}

#[server(endpoint = "confirmation/confirm")]
pub async fn confirm_account(
    token: String,
    #[server(default)] password: String,
    #[server(default)] password_confirmation: String,
) -> Result<(), ApiError> {
    use crate::server::services::accounts as service;
    use crate::server::ui;

    let state = ui::state()?;
    service::confirm(
        &state.db,
        &token,
        Some((&password, &password_confirmation)),
        &ui::request_meta(),
    )
    .await
    .map_err(ui::fail)?;
    ui::redirect_plain_form("/login?notice=confirmed");
    Ok(())
}

#[server(endpoint = "password/forgot")]
pub async fn forgot_password(#[server(default)] email: String) -> Result<(), ApiError> {
    use crate::server::services::accounts as service;
    use crate::server::ui;

    let state = ui::state()?;
    service::request_password_reset(&state.db, &state.config, &email, &ui::request_meta())
        .await
        .map_err(|err| ui::fail_with_submitted(err, || vec![("email".into(), email.clone())]))?;
    ui::redirect_plain_form("/password/forgot?notice=reset_sent");
    Ok(())
}

#[server(endpoint = "password/reset")]
pub async fn reset_password(
    token: String,
    #[server(default)] password: String,
    #[server(default)] password_confirmation: String,
) -> Result<(), ApiError> {
    use crate::server::services::accounts as service;
    use crate::server::ui;

    let state = ui::state()?;
    service::reset_password(
        &state.db,
        &state.config,
        &token,
        &password,
        &password_confirmation,
        &ui::request_meta(),
    )
    .await
    .map_err(ui::fail)?;
    ui::redirect_plain_form("/login?notice=password_reset");
    Ok(())
}
