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
    use crate::server::services::auth::{self as service, SignInOutcome};
    use crate::server::ui;
    use crate::server::AppError;

    let state = ui::state()?;
    let meta = ui::request_meta();
    match service::sign_in(&state.db, &state.config, &username, &password, &meta).await {
        Ok(SignInOutcome::SignedIn(signed_in)) => {
            ui::set_session_cookie(&state, &signed_in);
            leptos_axum::redirect(&safe_next(next.as_deref()));
        }
        Ok(SignInOutcome::SecondFactorRequired(challenge)) => {
            // The state waits in an HttpOnly cookie; the page asks for the code.
            ui::set_otp_state_cookie(&state, &challenge.otp_session_state);
            leptos_axum::redirect(&second_step_url(
                challenge.default_method.as_str(),
                None,
                next.as_deref(),
            ));
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

/// The second step of the login page: `step` is `totp`, `sms` or `recovery`.
#[cfg(feature = "ssr")]
fn second_step_url(step: &str, error: Option<&str>, next: Option<&str>) -> String {
    crate::url::with_query(
        "/login",
        &[
            ("step", Some(step.to_string())),
            ("error", error.map(str::to_string)),
            (
                "next",
                next.filter(|n| safe_next(Some(n)) == *n)
                    .map(str::to_string),
            ),
        ],
    )
}

/// The login page's second step posts here natively: a code (`otp_attempt`) or a recovery code,
/// with the state the first step left in a cookie. Always a redirect: to `next` when signed in,
/// back to the step with an error code when not, to the first step when the sign-in expired.
#[server(endpoint = "sign_in/second_factor")]
pub async fn sign_in_second_factor(
    otp_attempt: Option<String>,
    recovery_code: Option<String>,
    step: Option<String>,
    next: Option<String>,
) -> Result<(), ApiError> {
    use crate::server::services::auth::{self as service, INVALID_SECOND_FACTOR};
    use crate::server::services::two_factor::SecondFactor;
    use crate::server::ui;
    use crate::server::AppError;

    let state = ui::state()?;
    let meta = ui::request_meta();
    let otp_state = ui::otp_state().unwrap_or_default();
    let step = match step.as_deref() {
        Some("sms") => "sms",
        Some("recovery") => "recovery",
        _ => "totp",
    };
    let factor = match &recovery_code {
        Some(code) => SecondFactor::RecoveryCode(code),
        None => SecondFactor::Otp(otp_attempt.as_deref().unwrap_or_default()),
    };
    match service::sign_in_second_step(&state.db, &state.config, &otp_state, factor, &meta).await {
        Ok(signed_in) => {
            ui::clear_otp_state_cookie(&state);
            ui::set_session_cookie(&state, &signed_in);
            leptos_axum::redirect(&safe_next(next.as_deref()));
        }
        Err(err) => {
            let target = match &err {
                AppError::Invalid(errors)
                    if errors.iter().any(|e| e.field == "otp_session_state") =>
                {
                    None
                }
                AppError::Invalid(_) => Some("otp_blank"),
                AppError::TooManyRequests { .. } => Some("rate_limited"),
                AppError::Unauthorized(m) if m == INVALID_SECOND_FACTOR => Some("otp_invalid"),
                AppError::Unauthorized(_) => None,
                _ => {
                    let _ = err.to_api_error();
                    Some("failed")
                }
            };
            match target {
                Some(code) => {
                    leptos_axum::redirect(&second_step_url(step, Some(code), next.as_deref()))
                }
                // No (live) sign-in to finish: start again.
                None => {
                    ui::clear_otp_state_cookie(&state);
                    leptos_axum::redirect(&crate::url::with_query(
                        "/login",
                        &[
                            ("error", Some("otp_expired".to_string())),
                            ("next", next.filter(|n| safe_next(Some(n)) == *n)),
                        ],
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The second factors of the sign-in waiting in the cookie, so the page offers only the user's
/// own; `None` when there is no live one (expired, used, or never started).
#[server(endpoint = "sign_in/methods")]
pub async fn second_step_methods() -> Result<Option<SignInMethods>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once("second_step_methods".to_string(), || async move {
        use crate::server::services::two_factor;
        use crate::server::{ui, AppError};

        let state = ui::state()?;
        let Some(otp_state) = ui::otp_state() else {
            return Ok(None);
        };
        match two_factor::challenge_methods(&state.db, &otp_state).await {
            Ok(methods) => Ok(Some(SignInMethods {
                totp: methods.totp,
                sms: methods.sms,
            })),
            Err(AppError::Unauthorized(_) | AppError::NotFound(_)) => Ok(None),
            Err(err) => Err(ui::fail(err)),
        }
    })
    .await
}

/// What `second_step_methods` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInMethods {
    pub totp: bool,
    pub sms: bool,
}

/// "Text me a new code" on the second step.
#[server(endpoint = "sign_in/send_sms")]
pub async fn send_sign_in_code(next: Option<String>) -> Result<(), ApiError> {
    use crate::server::services::two_factor;
    use crate::server::ui;
    use crate::server::AppError;

    let state = ui::state()?;
    let otp_state = ui::otp_state().unwrap_or_default();
    let outcome = two_factor::send_sms_otp(&state.db, &state.config, &otp_state).await;
    let error = match &outcome {
        Ok(()) => None,
        Err(AppError::TooManyRequests { .. }) => Some("sms_rate_limited"),
        Err(AppError::Invalid(_)) => Some("sms_unavailable"),
        Err(AppError::Unauthorized(_)) => {
            ui::clear_otp_state_cookie(&state);
            leptos_axum::redirect("/login?error=otp_expired");
            return Ok(());
        }
        Err(err) => {
            let _ = err.to_api_error();
            Some("failed")
        }
    };
    let mut url = second_step_url("sms", error, next.as_deref());
    if error.is_none() {
        url.push_str(if url.contains('?') {
            "&notice=sms_sent"
        } else {
            "?notice=sms_sent"
        });
    }
    leptos_axum::redirect(&url);
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
        "otp_invalid" => "That code is not right, or it was used already. Try the next one.",
        "otp_blank" => "Enter the code.",
        "otp_expired" => "That sign-in has expired. Sign in again.",
        "sms_rate_limited" => "Too many text messages. Try again later, or use a recovery code.",
        "sms_unavailable" => "Your account has no sign-in by text message.",
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
