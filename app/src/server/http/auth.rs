//! `/auth/sign_in` and `/auth/sign_out` (API.md §2), also served under `/v2/auth`.

use super::extract::JsonBody;
use super::openapi::Endpoint;
use crate::server::auth::cookie::{clear_session_cookie, session_cookie};
use crate::server::auth::AuthUser;
use crate::server::request::RequestMeta;
use crate::server::services::auth::{self as auth_service, SignedIn};
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post, MethodRouter};
use axum::Json;
use http::header::SET_COOKIE;
use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn endpoints() -> Vec<Endpoint> {
    fn sign_in_route() -> MethodRouter<AppState> {
        post(sign_in)
    }
    fn sign_out_route() -> MethodRouter<AppState> {
        delete(sign_out)
    }
    let sign_in_doc = |endpoint: Endpoint| {
        endpoint
            .public()
            .doc(
                "Authentication",
                "Sign in",
                "Exchanges a username (or email) and password for a session token. Wrong password and \
                 unknown user give the same 401; repeated failures lock the account; failures are \
                 rate-limited per IP (429). Also sets the browser session cookie.",
            )
            .body(json!({
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}}
            }))
            .response(200, "Signed in", Some(json!({"type": "object", "properties": {
                "status": {"type": "integer"}, "status_text": {"type": "string"}, "username": {"type": "string"},
                "token": {"type": "string"}, "sign_in_count": {"type": "integer"}, "role": {"type": "string"},
                "timezone": {"type": "string"}, "verified": {"type": "boolean"}, "provider": {"const": "email"},
                "organization": {"type": "object", "properties": {"uuid": {"type": "string"}, "name": {"type": "string"}}}
            }})))
            .response(429, "Too many failed attempts from this address", None)
    };
    let sign_out_doc = |endpoint: Endpoint| {
        endpoint
            .doc(
                "Authentication",
                "Sign out",
                "Revokes the session token (or cookie) used for this request.",
            )
            .response(204, "Signed out", None)
    };
    vec![
        sign_in_doc(Endpoint::new("post", "/auth/sign_in", sign_in_route)),
        sign_in_doc(Endpoint::new("post", "/v2/auth/sign_in", sign_in_route)),
        sign_out_doc(Endpoint::new("delete", "/auth/sign_out", sign_out_route)),
        sign_out_doc(Endpoint::new("delete", "/v2/auth/sign_out", sign_out_route)),
    ]
}

#[derive(Deserialize)]
struct SignInBody {
    username: Option<String>,
    email: Option<String>,
    #[serde(default)]
    password: String,
}

pub fn sign_in_body(signed_in: &SignedIn) -> Value {
    json!({
        "status": 200,
        "status_text": "OK",
        "username": signed_in.username,
        "token": signed_in.token,
        "sign_in_count": signed_in.sign_in_count,
        "role": signed_in.role,
        "timezone": signed_in.timezone,
        "verified": signed_in.verified,
        "provider": "email",
        "organization": { "uuid": signed_in.organization_id, "name": signed_in.organization_name },
    })
}

async fn sign_in(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<SignInBody>,
) -> Result<Response, AppError> {
    let username = body.username.or(body.email).unwrap_or_default();
    let signed_in =
        auth_service::sign_in(&state.db, &state.config, &username, &body.password, &meta).await?;
    let cookie = session_cookie(
        &signed_in.token,
        signed_in.expires_in_secs,
        state.config.secure_cookies,
    );
    Ok(([(SET_COOKIE, cookie)], Json(sign_in_body(&signed_in))).into_response())
}

async fn sign_out(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Response, AppError> {
    auth_service::sign_out(&state.db, &principal).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            SET_COOKIE,
            clear_session_cookie(state.config.secure_cookies),
        )],
    )
        .into_response())
}
