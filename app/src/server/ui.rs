//! What server functions share: the state leptos_axum provides, the caller, and turning a service
//! error into the wire error with the right HTTP status.

use super::auth::{MaybeAuthUser, Principal};
use super::error::into_server_fn_error;
use super::request::RequestMeta;
use super::{AppError, AppState};
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use http::request::Parts;
use leptos::prelude::use_context;
use std::sync::Arc;
use tokio::sync::OnceCell;

pub fn state() -> Result<AppState, ApiError> {
    use_context::<AppState>()
        .ok_or_else(|| fail(AppError::Internal("AppState was not provided".into())))
}

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>()
        .ok_or_else(|| AppError::Internal("request parts were not provided".into()))
}

pub fn request_meta() -> RequestMeta {
    use_context::<Parts>()
        .map(|p| RequestMeta::from_parts(&p))
        .unwrap_or_default()
}

/// The caller of this request, resolved once however many server functions a page render calls
/// (the layout's current user and the page's own data each need it).
#[derive(Clone, Default)]
pub struct PrincipalCache(Arc<OnceCell<Option<Principal>>>);

/// The signed-in caller, if any.
pub async fn maybe_principal(state: &AppState) -> Result<Option<Principal>, ApiError> {
    let resolve = || async {
        let mut parts = parts()?;
        MaybeAuthUser::from_request_parts(&mut parts, state)
            .await
            .map(|MaybeAuthUser(principal)| principal)
    };
    match use_context::<PrincipalCache>() {
        Some(cache) => cache
            .0
            .get_or_try_init(resolve)
            .await
            .cloned()
            .map_err(fail),
        None => resolve().await.map_err(fail),
    }
}

/// The signed-in caller, or 401.
pub async fn principal(state: &AppState) -> Result<Principal, ApiError> {
    maybe_principal(state).await?.ok_or_else(|| {
        fail(AppError::Unauthorized(
            "You need to sign in before continuing.".into(),
        ))
    })
}

/// A service error as the UI receives it (status set on the response).
pub fn fail(err: AppError) -> ApiError {
    into_server_fn_error(err)
}

/// Whether this server-function call is a browser's own form submission (the page had no wasm
/// yet, or none at all): it asks for HTML, and is answered with a redirect. The wasm client asks
/// for JSON.
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// After a plain form post succeeded: go to `path` (the JavaScript version navigates itself).
pub fn redirect_plain_form(path: &str) {
    if is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}

/// A failed plain form post echoes what was submitted, so the form shows it again.
pub fn fail_with_submitted(
    err: AppError,
    submitted: impl FnOnce() -> Vec<(String, String)>,
) -> ApiError {
    let body = fail(err);
    if is_plain_form_post() && body.status == 422 {
        body.with_submitted(submitted())
    } else {
        body
    }
}

/// Hands the browser the session of a sign-in (the login form, an accepted invitation).
pub fn set_session_cookie(state: &AppState, signed_in: &super::services::auth::SignedIn) {
    append_cookie(&super::auth::cookie::session_cookie(
        &signed_in.token,
        signed_in.expires_in_secs,
        state.config.secure_cookies,
    ));
}

/// Takes the session cookie away (signed out, account deleted).
pub fn clear_session_cookie(state: &AppState) {
    append_cookie(&super::auth::cookie::clear_session_cookie(
        state.config.secure_cookies,
    ));
}

fn append_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
