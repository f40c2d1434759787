//! The server functions of `/me/security`'s "Two-factor authentication" card, through the same
//! service as `/v2/user/2fa/...`. Every action is a plain form post too: without JavaScript it
//! returns to `/me/security#two-factor` with a notice, and recovery codes just generated ride
//! there in a short-lived cookie (shown once, like the access token).

use crate::domain::two_factor::{RecoveryCodes, TwoFactorState};
use crate::error::ApiError;
use leptos::prelude::*;

/// Where every action of the card returns to without JavaScript.
#[cfg(feature = "ssr")]
fn back_to_card(notice: &str) -> String {
    format!("/me/security?notice={notice}#two-factor")
}

/// Recovery codes in the hand-over cookie: `.` joins them (codes are `[a-z2-9-]`, and a cookie
/// value can't hold a space or a comma).
#[cfg(feature = "ssr")]
const CODE_SEPARATOR: char = '.';

#[cfg(feature = "ssr")]
fn hand_over_codes(state: &crate::server::AppState, codes: &RecoveryCodes) {
    crate::server::ui::hand_over_issued_secret(
        state,
        crate::server::auth::cookie::ISSUED_RECOVERY_CODES_COOKIE,
        &codes.recovery_codes.join(&CODE_SEPARATOR.to_string()),
    );
}

/// The card's state, and the recovery codes a plain form post has just generated (shown once).
#[server(endpoint = "me/two_factor")]
pub async fn get_two_factor() -> Result<TwoFactorState, ApiError> {
    // Once per page render (see `ui::read_once`): the handed-over codes are taken on the first read.
    crate::server::ui::read_once("get_two_factor".to_string(), || async move {
        use crate::server::services::two_factor as service;
        use crate::server::ui;

        let state = ui::state()?;
        // Before the first await (see `get_access_token`).
        let handed_over = ui::take_issued_secret(
            &state,
            crate::server::auth::cookie::ISSUED_RECOVERY_CODES_COOKIE,
        );
        let principal = ui::principal(&state).await?;
        let mut view = service::state(&state.db, &state.config, &principal)
            .await
            .map_err(ui::fail)?;
        if let Some(joined) = handed_over {
            let codes: Vec<String> = joined.split(CODE_SEPARATOR).map(str::to_string).collect();
            let unused =
                service::unused_recovery_codes(&state.db, &state.config, &principal, &codes)
                    .await
                    .map_err(ui::fail)?;
            view.just_issued_codes = (!unused.is_empty()).then_some(unused);
        }
        Ok(view)
    })
    .await
}

/// "Set up an authenticator app": a new secret and its QR code wait for the first code.
#[server(endpoint = "me/two_factor/totp")]
pub async fn start_totp_setup() -> Result<(), ApiError> {
    use crate::server::services::two_factor as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::enable(&state.db, &state.config, &principal, Some("totp"), None)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&back_to_card("two_factor_setup_started"));
    Ok(())
}

/// "Text me a code": the set-up of sign-in by text message starts with a code to `phone`.
#[server(endpoint = "me/two_factor/sms")]
pub async fn start_sms_setup(phone: String) -> Result<(), ApiError> {
    use crate::server::services::two_factor as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::enable(
        &state.db,
        &state.config,
        &principal,
        Some("sms"),
        Some(&phone),
    )
    .await
    .map_err(|err| ui::fail_with_submitted(err, || vec![("phone".into(), phone.clone())]))?;
    ui::redirect_plain_form(&back_to_card("two_factor_sms_sent"));
    Ok(())
}

/// The first code of the method being set up: it is on, and here are the recovery codes.
#[server(endpoint = "me/two_factor/confirm")]
pub async fn confirm_two_factor(otp_attempt: String) -> Result<RecoveryCodes, ApiError> {
    use crate::server::services::two_factor as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let codes = service::verify(&state.db, &state.config, &principal, &otp_attempt)
        .await
        .map_err(ui::fail)?;
    hand_over_codes(&state, &codes);
    ui::redirect_plain_form(&back_to_card("two_factor_enabled"));
    Ok(codes)
}

/// "Cancel" on a set-up waiting for its first code.
#[server(endpoint = "me/two_factor/cancel")]
pub async fn cancel_two_factor_setup() -> Result<(), ApiError> {
    use crate::server::services::two_factor as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::cancel_setup(&state.db, &principal)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form("/me/security#two-factor");
    Ok(())
}

/// "Generate new codes": the old ones stop working.
#[server(endpoint = "me/two_factor/recovery_codes")]
pub async fn regenerate_recovery_codes() -> Result<RecoveryCodes, ApiError> {
    use crate::server::services::two_factor as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let codes = service::regenerate_recovery_codes(&state.db, &state.config, &principal)
        .await
        .map_err(ui::fail)?;
    hand_over_codes(&state, &codes);
    ui::redirect_plain_form(&back_to_card("recovery_codes_generated"));
    Ok(codes)
}

/// The method sign-in asks for first (`totp` or `sms`; it must be on).
#[server(endpoint = "me/two_factor/default_method")]
pub async fn set_default_two_factor_method(method: String) -> Result<(), ApiError> {
    use crate::server::services::two_factor as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::set_default_method(&state.db, &principal, Some(&method))
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&back_to_card("default_method_saved"));
    Ok(())
}

/// "Turn off two-factor authentication", proven with the password.
#[server(endpoint = "me/two_factor/disable")]
pub async fn disable_two_factor(password: String) -> Result<(), ApiError> {
    use crate::server::services::two_factor as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::disable(&state.db, &state.config, &principal, &password)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&back_to_card("two_factor_disabled"));
    Ok(())
}
