//! The notification policy screens' server functions: an organization's policy
//! (`/organizations/{id}/policy`) and the instance default (`/settings/notification_policy`),
//! through the same service as ZITADEL's `/management/v1/policies/notification`. The forms post
//! `pref[password_change]`, ... (a checked box), so a plain form post saves the same way.

use crate::domain::notification::NotificationPolicy;
use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A policy as the screens show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub policy: NotificationPolicy,
    /// The organization follows the instance default (always true for the default itself).
    pub is_default: bool,
}

/// The form's boxes as a policy: a checked box is on.
pub fn policy_from_form(pref: &BTreeMap<String, String>) -> NotificationPolicy {
    NotificationPolicy {
        password_change: pref.contains_key("password_change"),
        email_change: pref.contains_key("email_change"),
        second_factor_removed: pref.contains_key("second_factor_removed"),
        account_locked: pref.contains_key("account_locked"),
    }
}

#[server(endpoint = "organizations/notification_policy")]
pub async fn get_notification_policy(organization_id: String) -> Result<PolicyView, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(
        format!("get_notification_policy:{organization_id}"),
        || async move {
            use crate::server::services::notification_policy as service;
            use crate::server::ui;

            let state = ui::state()?;
            let principal = ui::principal(&state).await?;
            let applied = service::get_managed(&state.db, &principal, &organization_id)
                .await
                .map_err(ui::fail)?;
            Ok(PolicyView {
                policy: applied.policy,
                is_default: applied.is_default,
            })
        },
    )
    .await
}

#[server(endpoint = "organizations/notification_policy/save")]
pub async fn save_notification_policy(
    organization_id: String,
    #[server(default)] pref: BTreeMap<String, String>,
) -> Result<PolicyView, ApiError> {
    use crate::server::services::notification_policy as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let policy = policy_from_form(&pref);
    service::set(&state.db, &principal, Some(&organization_id), policy)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&format!(
        "/organizations/{organization_id}/policy?notice=policy_saved"
    ));
    Ok(PolicyView {
        policy,
        is_default: false,
    })
}

#[server(endpoint = "organizations/notification_policy/reset")]
pub async fn reset_notification_policy(organization_id: String) -> Result<PolicyView, ApiError> {
    use crate::server::services::notification_policy as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::reset(&state.db, &principal, Some(&organization_id))
        .await
        .map_err(ui::fail)?;
    let applied = service::get(&state.db, &principal, Some(&organization_id))
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&format!(
        "/organizations/{organization_id}/policy?notice=policy_reset"
    ));
    Ok(PolicyView {
        policy: applied.policy,
        is_default: true,
    })
}

#[server(endpoint = "settings/notification_policy")]
pub async fn get_instance_notification_policy() -> Result<PolicyView, ApiError> {
    crate::server::ui::read_once(
        "get_instance_notification_policy".to_string(),
        || async move {
            use crate::server::services::notification_policy as service;
            use crate::server::ui;

            let state = ui::state()?;
            ui::principal(&state).await?;
            let applied = service::get_default(&state.db).await.map_err(ui::fail)?;
            Ok(PolicyView {
                policy: applied.policy,
                is_default: true,
            })
        },
    )
    .await
}

#[server(endpoint = "settings/notification_policy/save")]
pub async fn save_instance_notification_policy(
    #[server(default)] pref: BTreeMap<String, String>,
) -> Result<PolicyView, ApiError> {
    use crate::server::services::notification_policy as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let policy = policy_from_form(&pref);
    service::set_default(&state.db, &principal, policy)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form("/settings/notification_policy?notice=policy_saved");
    Ok(PolicyView {
        policy,
        is_default: true,
    })
}
