//! "Impersonate" on a user's page and the banner's "Stop impersonating", through the same service
//! as `/auth/impersonate`. In the browser the user's session replaces the admin's (whose own
//! browser session ends: stopping signs them in anew), and the revert token waits in an
//! `HttpOnly` cookie. Both are plain form posts that work without JavaScript.

use crate::error::ApiError;
use leptos::prelude::*;

/// Starts acting as user `id`; the console requires a reason.
#[server(endpoint = "impersonate")]
pub async fn impersonate(id: String, #[server(default)] reason: String) -> Result<(), ApiError> {
    use crate::server::services::{auth, impersonation as service};
    use crate::server::{ui, AppError};

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    if reason.trim().is_empty() {
        return Err(ui::fail_with_submitted(
            AppError::invalid("reason", "can't be blank: say why, for the audit trail"),
            || vec![("reason".to_string(), reason.clone())],
        ));
    }
    let started = service::start(&state.db, &principal, &id, Some(&reason))
        .await
        .map_err(|err| {
            ui::fail_with_submitted(err, || vec![("reason".to_string(), reason.clone())])
        })?;
    // The admin's own browser session ends here: "Stop impersonating" signs them in anew.
    auth::sign_out(&state.db, &principal)
        .await
        .map_err(ui::fail)?;
    ui::set_impersonation_cookies(&state, &started);
    ui::redirect_plain_form("/?notice=impersonating");
    Ok(())
}

/// Back to the admin's own session.
#[server(endpoint = "impersonate/stop")]
pub async fn stop_impersonating() -> Result<(), ApiError> {
    use crate::server::services::impersonation as service;
    use crate::server::ui;

    let state = ui::state()?;
    let revert = ui::revert_token().unwrap_or_default();
    let principal = ui::principal(&state).await?;
    let signed_in = service::stop(&state.db, &state.config, &principal, &revert)
        .await
        .map_err(ui::fail)?;
    ui::end_impersonation_cookies(&state, &signed_in);
    ui::redirect_plain_form("/users?notice=impersonation_ended");
    Ok(())
}
