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

/// What a page render has read, by server function and arguments. Leptos' `<Suspense>` may build
/// a page twice on the server (it walks its children again to find nested resources, re-running
/// the router's outlet), and each build creates the page's resources afresh: two reads, moments
/// apart. The HTML comes from one build while the browser hydrates with the other's serialized
/// data, so when a parallel writer changed the data in between, hydration failed. Within one
/// request, the second read gets the first's answer.
#[derive(Clone, Default)]
pub struct PageReads(Arc<std::sync::Mutex<PageReadMap>>);

type PageReadMap =
    std::collections::HashMap<String, Arc<OnceCell<Arc<dyn std::any::Any + Send + Sync>>>>;

/// Runs `read` once per page render for `key` (the server function and its arguments); outside a
/// page render (a server function called by the browser) it simply runs.
pub async fn read_once<T, F, Fut>(key: String, read: F) -> Result<T, ApiError>
where
    T: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let Some(reads) = use_context::<PageReads>() else {
        return read().await;
    };
    let cell = {
        let mut map = reads.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key).or_default().clone()
    };
    let value = cell
        .get_or_try_init(|| async {
            read()
                .await
                .map(|v| Arc::new(v) as Arc<dyn std::any::Any + Send + Sync>)
        })
        .await?;
    Ok(value
        .downcast_ref::<T>()
        .expect("one type of answer per page read key")
        .clone())
}

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

/// After a plain form post generated a secret shown once (an access token, recovery codes): it
/// rides to `/me/security` in a short-lived cookie (see `cookie::ISSUED_TOKEN_COOKIE`); with
/// JavaScript the page shows the answer itself.
pub fn hand_over_issued_secret(state: &AppState, cookie_name: &str, value: &str) {
    if is_plain_form_post() {
        append_cookie(&super::auth::cookie::issued_secret_cookie(
            cookie_name,
            value,
            state.config.secure_cookies,
        ));
    }
}

/// The secret a plain form post just generated, taken away as it is read: shown once.
pub fn take_issued_secret(state: &AppState, cookie_name: &str) -> Option<String> {
    let value = use_context::<Parts>()
        .and_then(|parts| super::auth::cookie::cookie_value(&parts.headers, cookie_name))?;
    append_cookie(&super::auth::cookie::clear_issued_secret_cookie(
        cookie_name,
        state.config.secure_cookies,
    ));
    Some(value)
}

/// The browser is between its password and its second factor: the state waits in a cookie.
pub fn set_otp_state_cookie(state: &AppState, otp_session_state: &str) {
    append_cookie(&super::auth::cookie::otp_state_cookie(
        otp_session_state,
        state.config.secure_cookies,
    ));
}

pub fn clear_otp_state_cookie(state: &AppState) {
    append_cookie(&super::auth::cookie::clear_otp_state_cookie(
        state.config.secure_cookies,
    ));
}

/// The `otp_session_state` the browser holds, if any (read before any await).
pub fn otp_state() -> Option<String> {
    use_context::<Parts>().and_then(|parts| {
        super::auth::cookie::cookie_value(&parts.headers, super::auth::cookie::OTP_STATE_COOKIE)
    })
}

/// The browser starts impersonating: the user's session replaces the admin's, and the revert
/// token waits in its own cookie for "Stop impersonating".
pub fn set_impersonation_cookies(
    state: &AppState,
    started: &super::services::impersonation::Impersonation,
) {
    append_cookie(&super::auth::cookie::session_cookie(
        &started.token,
        started.expires_in_secs,
        state.config.secure_cookies,
    ));
    append_cookie(&super::auth::cookie::revert_cookie(
        &started.revert_token,
        started.expires_in_secs,
        state.config.secure_cookies,
    ));
}

/// The revert token the browser holds, if any (read before any await, like every context read).
pub fn revert_token() -> Option<String> {
    use_context::<Parts>().and_then(|parts| {
        super::auth::cookie::cookie_value(&parts.headers, super::auth::cookie::REVERT_COOKIE)
    })
}

/// After "Stop impersonating": the admin's new session, and no revert token any more.
pub fn end_impersonation_cookies(state: &AppState, signed_in: &super::services::auth::SignedIn) {
    set_session_cookie(state, signed_in);
    append_cookie(&super::auth::cookie::clear_revert_cookie(
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

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::prelude::{provide_context, Owner};
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn counted(calls: &Arc<AtomicUsize>, key: &str) -> usize {
        let calls = Arc::clone(calls);
        read_once(key.to_string(), || async move {
            Ok::<_, ApiError>(calls.fetch_add(1, Ordering::SeqCst) + 1)
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_page_render_reads_each_key_once_and_every_build_gets_the_same_answer() {
        let owner = Owner::new();
        owner.set();
        let calls = Arc::new(AtomicUsize::new(0));
        // Without a page render (a server function the browser called) every call reads.
        assert_eq!(counted(&calls, "list:1").await, 1);
        assert_eq!(counted(&calls, "list:1").await, 2);

        provide_context(PageReads::default());
        let first = counted(&calls, "list:1").await;
        assert_eq!(
            counted(&calls, "list:1").await,
            first,
            "the second build's read"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        // Other arguments are another read.
        assert_eq!(counted(&calls, "list:2").await, 4);
    }
}
