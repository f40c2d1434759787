//! The inbox's server functions (`/notifications` and the bell): the signed-in user's own
//! notifications, through the same service as `/v2/notifications`. Every action is a form post
//! too: without JavaScript it returns to the page it came from.

use crate::domain::inbox::{InboxCounts, InboxNotification};
use crate::domain::list::Page;
use crate::error::ApiError;
use leptos::prelude::*;

/// Where a plain form post returns: the inbox, with the list state it was showing.
#[cfg(feature = "ssr")]
fn back_to(back: Option<String>, notice: &str) -> String {
    let back = back
        .filter(|b| b == "/notifications" || b.starts_with("/notifications?"))
        .unwrap_or_else(|| "/notifications".to_string());
    // The list's state stays; an earlier notice goes.
    let mut pairs: Vec<&str> = back
        .split_once('?')
        .map(|(_, query)| {
            query
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("notice="))
                .collect()
        })
        .unwrap_or_default();
    let notice = format!("notice={notice}");
    pairs.push(&notice);
    format!("/notifications?{}", pairs.join("&"))
}

/// The inbox page's URL state.
#[server(endpoint = "notifications/list")]
pub async fn list_inbox(
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    read: Option<String>,
    notification_type: Option<String>,
) -> Result<Page<InboxNotification>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(
        format!(
            "list_inbox:{:?}",
            (&q, &sort, &page, &per_page, &read, &notification_type)
        ),
        || async move {
            use crate::domain::list::{ListParams, ListQuery};
            use crate::server::services::inbox::{self as service, LIST_SPEC};
            use crate::server::{ui, AppError};

            let state = ui::state()?;
            let principal = ui::principal(&state).await?;
            let params = ListParams {
                q,
                sort,
                page,
                per_page,
                filters: [("read", read), ("notification_type", notification_type)]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
                    .collect(),
            };
            let query = ListQuery::parse(&params.to_pairs(), &LIST_SPEC, chrono::Utc::now())
                .map_err(|errors| ui::fail(AppError::Invalid(errors)))?;
            let page = service::list(&state.db, &principal, &query)
                .await
                .map_err(ui::fail)?;
            Ok(Page {
                items: page.items,
                meta: page.meta,
            })
        },
    )
    .await
}

/// The bell's figures (it polls this).
#[server(endpoint = "notifications/counts")]
pub async fn get_inbox_counts() -> Result<InboxCounts, ApiError> {
    use crate::server::services::inbox as service;
    use crate::server::ui;

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    service::counts(&state.db, &principal)
        .await
        .map_err(ui::fail)
}

/// One notification's buttons: `read`, `unread` or `delete`. Answers the action done.
#[server(endpoint = "notifications/mark")]
pub async fn mark_notification(
    id: String,
    action: String,
    back: Option<String>,
) -> Result<String, ApiError> {
    use crate::server::services::inbox::{self as service, Mark};
    use crate::server::{ui, AppError};

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let notice = match action.as_str() {
        "read" => service::mark(&state.db, &principal, &id, Mark::Read).await,
        "unread" => service::mark(&state.db, &principal, &id, Mark::Unread).await,
        "delete" => service::delete(&state.db, &principal, &id).await,
        _ => Err(AppError::invalid(
            "action",
            "must be read, unread or delete",
        )),
    }
    .map(|()| {
        if action == "delete" {
            "notification_deleted"
        } else {
            "notification_marked"
        }
    })
    .map_err(ui::fail)?;
    ui::redirect_plain_form(&back_to(back, notice));
    Ok(action)
}

/// "Mark all read" and "Mark all seen": `read_all` or `seen_all`.
#[server(endpoint = "notifications/mark_all")]
pub async fn mark_all_notifications(action: String, back: Option<String>) -> Result<u64, ApiError> {
    use crate::server::services::inbox::{self as service, Mark};
    use crate::server::{ui, AppError};

    let state = ui::state()?;
    let principal = ui::principal(&state).await?;
    let mark = match action.as_str() {
        "read_all" => Mark::Read,
        "seen_all" => Mark::Seen,
        _ => {
            return Err(ui::fail(AppError::invalid(
                "action",
                "must be read_all or seen_all",
            )))
        }
    };
    let changed = service::mark_all(&state.db, &principal, mark)
        .await
        .map_err(ui::fail)?;
    ui::redirect_plain_form(&back_to(back, "notifications_marked"));
    Ok(changed)
}
