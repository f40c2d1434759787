use super::cookie;
use crate::domain::Role;
use crate::server::request::RequestMeta;
use crate::server::services::auth as auth_service;
use crate::server::{AppError, AppState};
use axum::extract::FromRequestParts;
use http::request::Parts;

/// How the caller proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Bearer <session token>`.
    BearerSession,
    /// The browser's session cookie.
    Cookie,
    /// `Authorization: Basic <personal access token>`.
    AccessToken,
}

/// The authenticated caller, as every service sees it.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user_id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub role: Role,
    pub email: String,
    pub username: String,
    pub partner: bool,
    /// The session this request rides on (absent for access tokens).
    pub session_id: Option<String>,
    /// Set while an admin acts as this user.
    pub impersonator_id: Option<String>,
    pub credential: Credential,
    pub meta: RequestMeta,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role >= Role::Admin
    }
}

/// The credential a request carries, before it is checked.
pub enum PresentedCredential {
    Bearer(String),
    Basic(String),
    Cookie(String),
}

pub fn presented_credential(parts: &Parts) -> Result<Option<PresentedCredential>, AppError> {
    if let Some(value) = parts.headers.get(http::header::AUTHORIZATION) {
        let value = value
            .to_str()
            .map_err(|_| {
                AppError::Unauthorized("The Authorization header is not readable.".into())
            })?
            .trim();
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        let token = token.trim().to_string();
        if token.is_empty() {
            return Err(AppError::Unauthorized(
                "The Authorization header has no token.".into(),
            ));
        }
        return match scheme.to_ascii_lowercase().as_str() {
            "bearer" => Ok(Some(PresentedCredential::Bearer(token))),
            "basic" => Ok(Some(PresentedCredential::Basic(token))),
            _ => Err(AppError::Unauthorized(
                "Use 'Authorization: Bearer <token>' or 'Authorization: Basic <access token>'."
                    .into(),
            )),
        };
    }
    Ok(cookie::session_token(&parts.headers).map(PresentedCredential::Cookie))
}

/// Requires a signed-in caller: 401 otherwise. Used by REST handlers and, through
/// `leptos_axum::extract_with_state`, by server functions.
pub struct AuthUser(pub Principal);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeAuthUser::from_request_parts(parts, state).await?.0 {
            Some(principal) => Ok(AuthUser(principal)),
            None => Err(AppError::Unauthorized(
                "You need to sign in before continuing.".into(),
            )),
        }
    }
}

/// The caller if signed in. A presented but invalid bearer token is still a 401 (a client bug
/// should not silently become an anonymous request); an expired cookie is just "signed out".
pub struct MaybeAuthUser(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(MaybeAuthUser(Some(principal.clone())));
        }
        let meta = RequestMeta::from_parts(parts);
        let principal = match presented_credential(parts)? {
            None => None,
            Some(PresentedCredential::Cookie(token)) => {
                auth_service::authenticate_session(
                    &state.db,
                    &state.config,
                    &token,
                    Credential::Cookie,
                    meta,
                )
                .await?
            }
            Some(PresentedCredential::Bearer(token)) => Some(
                auth_service::authenticate_session(
                    &state.db,
                    &state.config,
                    &token,
                    Credential::BearerSession,
                    meta,
                )
                .await?
                .ok_or_else(|| {
                    AppError::Unauthorized("The token is invalid or has expired.".into())
                })?,
            ),
            Some(PresentedCredential::Basic(token)) => Some(
                auth_service::authenticate_access_token(&state.db, &token, meta)
                    .await?
                    .ok_or_else(|| {
                        AppError::Unauthorized("The access token is invalid or was revoked.".into())
                    })?,
            ),
        };
        if let Some(principal) = &principal {
            parts.extensions.insert(principal.clone());
        }
        Ok(MaybeAuthUser(principal))
    }
}
