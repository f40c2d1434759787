//! The notification screens' server functions: the signed-in user's preferences
//! (`/me/notifications`) and an organization's defaults (`/organizations/{id}/notifications`).
//! The cards post `pref[...]` fields (see `domain::notification::params_from_form`), so a plain
//! form post without JavaScript saves the same way.

use crate::domain::notification::{NotificationDefault, NotificationPreference};
use crate::error::ApiError;
use leptos::prelude::*;
use std::collections::BTreeMap;

#[server(endpoint = "me/notifications")]
pub async fn list_my_preferences() -> Result<Vec<NotificationPreference>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once("list_my_preferences".to_string(), || async move {
        use crate::server::services::notification_preferences as service;
        use crate::server::ui;

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        service::list_mine(&state.db, &principal)
            .await
            .map_err(ui::fail)
    })
    .await
}

/// One card of `/me/notifications`: `pref[enabled]`, the params' boxes, `pref[email]` and
/// `pref[in_app]` (an unchecked box sends nothing).
#[server(endpoint = "me/notifications/save")]
pub async fn save_my_preference(
    name: String,
    #[server(default)] pref: BTreeMap<String, String>,
) -> Result<NotificationPreference, ApiError> {
    use crate::domain::notification::{params_from_form, Channels, ChannelsChange};
    use crate::server::services::notification_preferences::{self as service, PreferenceChange};
    use crate::server::{ui, AppError};

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let params = params_from_form(&pref).map_err(|e| ui::fail(AppError::Invalid(e)))?;
    let change = PreferenceChange {
        enabled: Some(pref.contains_key("enabled")),
        params,
        channels: Some(ChannelsChange::both(Channels {
            email: pref.contains_key("email"),
            in_app: pref.contains_key("in_app"),
        })),
    };
    let saved = service::set_mine(&state.db, &principal, &name, change)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form("/me/notifications?notice=preferences_saved");
    Ok(saved)
}

#[server(endpoint = "organizations/notification_defaults")]
pub async fn get_notification_defaults(
    organization_id: String,
) -> Result<Vec<NotificationDefault>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(
        format!("get_notification_defaults:{:?}", (&organization_id,)),
        || async move {
            use crate::server::services::notification_preferences as service;
            use crate::server::ui;

            let state = ui::state()?;
            let principal = ui::principal(&state).await?;
            service::get_defaults(&state.db, &principal, &organization_id)
                .await
                .map_err(ui::fail)
        },
    )
    .await
}

/// One card of an organization's "Notification defaults": `pref[enabled]`, `pref[locked]` and
/// the params' boxes.
#[server(endpoint = "organizations/notification_defaults/save")]
pub async fn save_notification_default(
    organization_id: String,
    name: String,
    #[server(default)] pref: BTreeMap<String, String>,
) -> Result<NotificationDefault, ApiError> {
    use crate::domain::notification::params_from_form;
    use crate::server::services::notification_preferences::{self as service, DefaultChange};
    use crate::server::{ui, AppError};

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let params = params_from_form(&pref).map_err(|e| ui::fail(AppError::Invalid(e)))?;
    let change = DefaultChange {
        enabled: Some(pref.contains_key("enabled")),
        params,
        locked: Some(pref.contains_key("locked")),
    };
    let saved = service::set_defaults(
        &state.db,
        &principal,
        &organization_id,
        vec![(name.clone(), change)],
    )
    .await
    .map_err(ui::fail)?
    .into_iter()
    .find(|d| d.name == name)
    .ok_or_else(|| ui::fail(AppError::not_found("Notification default")))?;
    ui::redirect_plain_form(&format!(
        "/organizations/{organization_id}/notifications?notice=defaults_saved"
    ));
    Ok(saved)
}
