//! The server functions of `/me/security`'s "Access token" and "Active sessions" cards, through
//! the same services as `/v2/user/access_token` and `/v2/user/sessions`. Every action is a plain
//! form post too: without JavaScript it returns to `/me/security` with a notice.

use crate::domain::list::Page;
use crate::domain::session::{AccessTokenView, ActiveSession, IssuedAccessToken};
use crate::error::ApiError;
use leptos::prelude::*;

/// The sessions the card lists: the 50 used most recently (a client that signs in on every run
/// can have many more; the API pages through them all).
#[server(endpoint = "me/sessions")]
pub async fn list_sessions() -> Result<Page<ActiveSession>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once("list_sessions".to_string(), || async move {
        use crate::domain::list::ListQuery;
        use crate::server::services::sessions::{self as service, LIST_SPEC};
        use crate::server::{ui, AppError};

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        let pairs = [("per_page".to_string(), "50".to_string())];
        let query = ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now())
            .map_err(|errors| ui::fail(AppError::Invalid(errors)))?;
        service::list_mine(&state.db, &state.config, &principal, &query)
            .await
            .map_err(ui::fail)
    })
    .await
}

/// "Sign out" on one session. Ending the current one is signing out: the browser lands on
/// sign-in. Answers whether that was the current session.
#[server(endpoint = "me/sessions/revoke")]
pub async fn revoke_session(id: String) -> Result<bool, ApiError> {
    use crate::server::services::sessions as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::revoke_mine(&state.db, &principal, &id)
        .await
        .map_err(ui::fail)?;
    let current = principal.session_id.as_deref() == Some(id.as_str());
    if current {
        ui::clear_session_cookie(&state);
        ui::redirect_plain_form("/login?notice=signed_out");
    } else {
        ui::redirect_plain_form("/me/security?notice=session_revoked#sessions");
    }
    Ok(current)
}

/// "Sign out everywhere else". Answers how many sessions ended.
#[server(endpoint = "me/sessions/revoke_others")]
pub async fn revoke_other_sessions() -> Result<u64, ApiError> {
    use crate::server::services::sessions as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let ended = service::revoke_others(&state.db, &principal)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form("/me/security?notice=other_sessions_revoked#sessions");
    Ok(ended)
}

/// The access token's status, and the token a plain form post has just generated (shown once).
#[server(endpoint = "me/access_token")]
pub async fn get_access_token() -> Result<AccessTokenView, ApiError> {
    // Once per page render (see `ui::read_once`): the handed-over token is taken on the first read.
    crate::server::ui::read_once("get_access_token".to_string(), || async move {
        use crate::server::services::access_tokens as service;
        use crate::server::ui;

        let state = ui::state()?;
        // Before the first await: this reads the request and writes the response through the
        // render's context, which a page build that Leptos discards may no longer have after it.
        let handed_over =
            ui::take_issued_secret(&state, crate::server::auth::cookie::ISSUED_TOKEN_COOKIE);
        let principal = ui::principal(&state).await?;
        let status = service::status(&state.db, &principal)
            .await
            .map_err(ui::fail)?;
        let mut just_issued = None;
        if let Some(raw) = handed_over {
            if service::is_current(&state.db, &principal, &raw)
                .await
                .map_err(ui::fail)?
            {
                just_issued = Some(raw);
            }
        }
        Ok(AccessTokenView {
            status,
            just_issued,
        })
    })
    .await
}

/// "Generate token" (or "Generate a new token", which replaces the one there is).
#[server(endpoint = "me/access_token/generate")]
pub async fn generate_access_token() -> Result<IssuedAccessToken, ApiError> {
    use crate::server::services::access_tokens as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let issued = service::generate(&state.db, &principal)
        .await
        .map_err(ui::fail)?;
    ui::hand_over_issued_secret(
        &state,
        crate::server::auth::cookie::ISSUED_TOKEN_COOKIE,
        &issued.access_token,
    );
    ui::redirect_plain_form("/me/security?notice=access_token_generated#access-token");
    Ok(issued)
}

/// "Revoke token".
#[server(endpoint = "me/access_token/revoke")]
pub async fn revoke_access_token() -> Result<(), ApiError> {
    use crate::server::services::access_tokens as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::revoke(&state.db, &principal)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form("/me/security?notice=access_token_revoked#access-token");
    Ok(())
}
