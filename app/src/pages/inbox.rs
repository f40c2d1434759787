//! `/notifications`: the signed-in user's inbox, built on the shared list: filters (unread or
//! read, type), mark read or unread, delete, mark all read or seen. Every button is a form post
//! that returns here without JavaScript; with it, the list and the bell update in place.

use crate::api::inbox::{list_inbox, MarkAllNotifications, MarkNotification};
use crate::components::bell::InboxRevision;
use crate::components::data_list::{Column, DataList, ListFilter, ListText};
use crate::components::notice::Notice;
use crate::components::toast::use_toasts;
use crate::domain::inbox::{
    type_label, InboxNotification, ACCOUNT_NOTIFICATION_TYPES, INBOX_SORTS,
};
use crate::domain::list::{ListParams, Page};
use crate::domain::notification::NOTIFICATION_NAMES;
use crate::domain::time::format_short;
use crate::error::ApiError;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

const TEXT: ListText = ListText {
    base: "/notifications",
    noun: "notifications",
    search_label: "Search notifications",
    search_placeholder: "Title or text",
    default_sort: "created_at:desc",
};

/// What the rows' buttons need: the action, and the address to come back to without JavaScript.
#[derive(Clone, Copy)]
struct RowActions {
    mark: ServerAction<MarkNotification>,
    back: Memo<String>,
}

fn row_actions() -> RowActions {
    use_context::<RowActions>().expect("RowActions is provided by InboxPage")
}

/// One button as a form of its own (a form post names its action in a hidden field).
fn row_button(
    id: String,
    action: &'static str,
    label: &'static str,
    class: &'static str,
    title: String,
) -> impl IntoView {
    let actions = row_actions();
    view! {
        <ActionForm action=actions.mark attr:class="inline-form">
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="action" value=action/>
            <input type="hidden" name="back" value=move || actions.back.get()/>
            <button type="submit" class=class aria-label=title
                disabled=move || actions.mark.pending().get()>{label}</button>
        </ActionForm>
    }
}

fn columns() -> Vec<Column<InboxNotification>> {
    vec![
        Column::new("title", "Notification", |n: &InboxNotification| {
            let a = &n.attributes;
            let title = match a.url.clone() {
                Some(url) => {
                    Either::Left(view! { <a href=url class="inbox-title">{a.title.clone()}</a> })
                }
                None => Either::Right(view! { <span class="inbox-title">{a.title.clone()}</span> }),
            };
            view! {
                <div class="inbox-item" class:unread=!a.read>
                    {(!a.read).then(|| view! { <span class="unread-dot" aria-hidden="true"></span><span class="sr-only">"Unread: "</span> })}
                    <div>
                        {title}
                        <p class="muted small">{a.body.clone()}</p>
                    </div>
                </div>
            }
            .into_any()
        }),
        Column::new("notification_type", "Type", |n: &InboxNotification| {
            view! { <span class="badge">{type_label(&n.attributes.notification_type)}</span> }
                .into_any()
        })
        .sortable(),
        Column::new("created_at", "Received", |n: &InboxNotification| {
            format_short(&n.attributes.created_at).into_any()
        })
        .sortable(),
        Column::new("actions", "Actions", |n: &InboxNotification| {
            let title = &n.attributes.title;
            let toggle = if n.attributes.read {
                Either::Left(row_button(
                    n.id.clone(),
                    "unread",
                    "Mark unread",
                    "btn btn-sm",
                    format!("Mark “{title}” unread"),
                ))
            } else {
                Either::Right(row_button(
                    n.id.clone(),
                    "read",
                    "Mark read",
                    "btn btn-sm",
                    format!("Mark “{title}” read"),
                ))
            };
            view! {
                <div class="row-actions">
                    {toggle}
                    {row_button(n.id.clone(), "delete", "Delete", "btn btn-sm btn-danger-outline", format!("Delete “{title}”"))}
                </div>
            }
            .into_any()
        }),
    ]
}

async fn fetch(p: ListParams) -> Result<Page<InboxNotification>, ApiError> {
    let read = p.filter("read");
    let notification_type = p.filter("notification_type");
    list_inbox(p.q, p.sort, p.page, p.per_page, read, notification_type).await
}

fn filters() -> Vec<ListFilter> {
    let mut types = vec![(String::new(), "Any type".to_string())];
    types.extend(
        NOTIFICATION_NAMES
            .iter()
            .chain(ACCOUNT_NOTIFICATION_TYPES.iter())
            .map(|t| (t.to_string(), type_label(t).to_string())),
    );
    vec![
        ListFilter {
            key: "read",
            label: "Show",
            options: vec![
                (String::new(), "All".to_string()),
                ("false".to_string(), "Unread".to_string()),
                ("true".to_string(), "Read".to_string()),
            ],
        },
        ListFilter {
            key: "notification_type",
            label: "Type",
            options: types,
        },
    ]
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let mark = ServerAction::<MarkNotification>::new();
    let mark_all = ServerAction::<MarkAllNotifications>::new();
    let location = use_location();
    let back = Memo::new(move |_| {
        let search = location.search.get();
        if search.is_empty() {
            "/notifications".to_string()
        } else {
            format!("/notifications?{}", search.trim_start_matches('?'))
        }
    });
    provide_context(RowActions { mark, back });
    let toasts = use_toasts();
    let revision = use_context::<InboxRevision>();
    Effect::new(move |_| match mark.value().get() {
        Some(Ok(action)) => {
            if action == "delete" {
                toasts.success("Notification deleted");
            }
            if let Some(revision) = revision {
                revision.bump();
            }
        }
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
    Effect::new(move |_| match mark_all.value().get() {
        Some(Ok(changed)) => {
            toasts.success(match changed {
                0 => "Nothing to mark".to_string(),
                1 => "1 notification marked".to_string(),
                n => format!("{n} notifications marked"),
            });
            if let Some(revision) = revision {
                revision.bump();
            }
        }
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
    let reload = Signal::derive(move || (mark.version().get() + mark_all.version().get()) as u64);
    let all_button = move |action: &'static str, label: &'static str| {
        view! {
            <ActionForm action=mark_all attr:class="inline-form">
                <input type="hidden" name="action" value=action/>
                <input type="hidden" name="back" value=move || back.get()/>
                <button type="submit" class="btn" disabled=move || mark_all.pending().get()>{label}</button>
            </ActionForm>
        }
    };
    view! {
        <Title text="Notifications"/>
        <div class="page-header">
            <div>
                <h1>"Notifications"</h1>
                <p class="muted">"What happened in your organization and to your account, newest first."</p>
            </div>
            <div class="page-actions">
                {all_button("read_all", "Mark all read")}
                {all_button("seen_all", "Mark all seen")}
                <a class="btn" href="/me/notifications">"Preferences"</a>
            </div>
        </div>
        <Notice/>
        <DataList text=TEXT sorts=&INBOX_SORTS columns=columns() fetch=fetch filters=filters() reload/>
    }
}
