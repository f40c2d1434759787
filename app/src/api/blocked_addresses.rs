//! The server functions of `/blocked_addresses`, through the same service as
//! `/v2/blocked_addresses`. Lifting is a plain form post too: without JavaScript it returns to the
//! page with a notice.

use crate::domain::blocked_address::BlockedAddress;
use crate::error::ApiError;
use leptos::prelude::*;

#[server(endpoint = "blocked_addresses/list")]
pub async fn list_blocked_addresses() -> Result<Vec<BlockedAddress>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once("list_blocked_addresses".to_string(), || async move {
        use crate::server::services::blocked_addresses as service;
        use crate::server::ui;

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        service::list(&state.db, &state.config, &principal)
            .await
            .map_err(ui::fail)
    })
    .await
}

/// "Lift" on one address.
#[server(endpoint = "blocked_addresses/lift")]
pub async fn lift_blocked_address(address: String) -> Result<(), ApiError> {
    use crate::server::services::blocked_addresses as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::lift(&state.db, &state.config, &principal, &address)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form("/blocked_addresses?notice=address_unblocked");
    Ok(())
}
