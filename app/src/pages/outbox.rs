//! `/outbox` (Super Admin): every email Steward wrote, newest first, with what became of it and,
//! for one that waits or failed, why. Built on the shared list.

use crate::api::outbox::list_outbox;
use crate::components::data_list::{Column, DataList, ListFilter, ListText};
use crate::domain::list::{ListParams, Page};
use crate::domain::outbox::{OutboxMessage, OUTBOX_SORTS, OUTBOX_STATUSES};
use crate::domain::time::format_short;
use crate::error::ApiError;
use leptos::prelude::*;
use leptos_meta::Title;

const TEXT: ListText = ListText {
    base: "/outbox",
    noun: "messages",
    search_label: "Search messages",
    search_placeholder: "Recipient or subject",
    default_sort: "created_at:desc",
};

fn columns() -> Vec<Column<OutboxMessage>> {
    vec![
        Column::new("created_at", "Written", |m: &OutboxMessage| {
            format_short(&m.attributes.created_at).into_any()
        })
        .sortable(),
        Column::new("recipient", "To", |m: &OutboxMessage| {
            m.attributes.recipient.clone().into_any()
        })
        .sortable(),
        Column::new("subject", "Message", |m: &OutboxMessage| {
            let a = &m.attributes;
            // The body itself, to read a link when no SMTP server is configured.
            view! {
                <details class="outbox-message">
                    <summary>{a.subject.clone()}</summary>
                    <pre class="outbox-body">{a.body_text.clone()}</pre>
                </details>
            }
            .into_any()
        }),
        Column::new("status", "Status", |m: &OutboxMessage| {
            let a = &m.attributes;
            let class = match a.status.as_str() {
                "failed" => "badge badge-danger",
                "pending" => "badge badge-warning",
                _ => "badge",
            };
            view! {
                <span class=class>{a.status.clone()}</span>
                {a.last_error.clone().map(|e| view! { <p class="small muted">{e}</p> })}
            }
            .into_any()
        })
        .sortable(),
        Column::new("attempts", "Attempts", |m: &OutboxMessage| {
            m.attributes.attempts.to_string().into_any()
        }),
    ]
}

async fn fetch(p: ListParams) -> Result<Page<OutboxMessage>, ApiError> {
    let status = p.filter("status");
    list_outbox(p.q, p.sort, p.page, p.per_page, status).await
}

fn filters() -> Vec<ListFilter> {
    let mut statuses = vec![(String::new(), "Any status".to_string())];
    statuses.extend(
        OUTBOX_STATUSES
            .iter()
            .map(|s| (s.to_string(), s.to_string())),
    );
    vec![ListFilter {
        key: "status",
        label: "Status",
        options: statuses,
    }]
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    view! {
        <Title text="Outbox"/>
        <div class="page-header">
            <div>
                <h1>"Outbox"</h1>
                <p class="muted">"Every email Steward sends. Without an SMTP server they stay here (status “stored”); a message that waits shows why."</p>
            </div>
        </div>
        <DataList text=TEXT sorts=&OUTBOX_SORTS columns=columns() fetch=fetch filters=filters()/>
    }
}
