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
