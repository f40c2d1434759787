use crate::domain::user::CurrentUser;
use crate::error::ApiError;
use leptos::prelude::*;

/// The sign-in form posts here natively (it works before the wasm loads); the answer is always a
/// redirect: to `next` when signed in, back to `/login?error=<code>` when not.
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<(), ApiError> {
    use crate::server::services::auth as service;
    use crate::server::ui;
    use crate::server::AppError;

    let state = ui::state()?;
    let meta = ui::request_meta();
    match service::sign_in(&state.db, &state.config, &username, &password, &meta).await {
        Ok(signed_in) => {
            ui::set_session_cookie(&state, &signed_in);
            leptos_axum::redirect(&safe_next(next.as_deref()));
        }
        Err(err) => {
            let code = match &err {
                AppError::Invalid(_) => "blank",
                AppError::TooManyRequests { .. } => "rate_limited",
                AppError::Unauthorized(m) if m.contains("confirm") => "unconfirmed",
                AppError::Unauthorized(_) => "invalid",
                _ => {
                    // Log (and redact) anything unexpected the usual way.
                    let _ = err.to_api_error();
                    "failed"
                }
            };
            // Back to the form with what was typed (never the password) and where it was going.
            leptos_axum::redirect(&crate::url::with_query(
                "/login",
                &[
                    ("error", Some(code.to_string())),
                    ("username", Some(username.trim().to_string())),
                    ("next", next.filter(|n| safe_next(Some(n)) == *n)),
                ],
            ));
        }
    }
    Ok(())
}

/// Only same-site paths: `/organizations`, never `//evil.example` or `https://...`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

/// What the login page says for each `?error=` code (codes, not text, so nobody can put words in
/// our mouth through a link).
pub fn login_error_message(code: &str) -> &'static str {
    match code {
        "invalid" => "Invalid email or password.",
        "blank" => "Enter your email or username and your password.",
        "unconfirmed" => "You have to confirm your email address before continuing.",
        "rate_limited" => "Too many failed sign-in attempts from this address. Try again later.",
        _ => "Sign-in failed. Please try again.",
    }
}

/// Ends the browser session and returns to the login page.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    use crate::server::services::auth as service;
    use crate::server::ui;

    let state = ui::state()?;
    if let Some(principal) = ui::maybe_principal(&state).await? {
        service::sign_out(&state.db, &principal)
            .await
            .map_err(ui::fail)?;
    }
    ui::clear_session_cookie(&state);
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None` when signed out.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once("get_current_user".to_string(), || async move {
        use crate::server::services::users;
        use crate::server::ui;

        let state = ui::state()?;
        let Some(principal) = ui::maybe_principal(&state).await? else {
            return Ok(None);
        };
        let counts = crate::server::services::inbox::counts(&state.db, &principal)
            .await
            .map_err(ui::fail)?;
        let impersonator_email =
            crate::server::services::impersonation::impersonator_email(&state.db, &principal)
                .await
                .map_err(ui::fail)?;
        Ok(Some(CurrentUser {
            unread_notifications: counts.unread,
            impersonator_email,
            ..users::current_user(&principal)
        }))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(
            safe_next(Some("/organizations?page=2")),
            "/organizations?page=2"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
