//! `/audit` (administrators): every change made through any surface, on the shared list, with
//! filters for the action, the target's kind and the period (and, from an event's page, one actor
//! or one target); `/audit/{id}`: one event with each changed field's before and after, and both
//! identities when an admin acted as someone else.

use crate::api::audit::{get_audit_event, list_audit, AuditQuery};
use crate::components::data_list::{Column, DataList, ListFilter, ListText};
use crate::components::record_page::{Breadcrumbs, RecordMissing};
use crate::domain::audit::{action_label, AuditEvent, AuditParty, AUDIT_ACTIONS, AUDIT_SORTS};
use crate::domain::list::{ListParams, Page};
use crate::domain::session::describe_device;
use crate::domain::time::format_short;
use crate::domain::user::CurrentUser;
use crate::domain::Role;
use crate::error::ApiError;
use crate::resources::once_resource;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

const TEXT: ListText = ListText {
    base: "/audit",
    noun: "events",
    search_label: "Search events",
    search_placeholder: "Action or kind of target",
    default_sort: "created_at:desc",
};

/// The kinds of target events name, for the filter.
const TARGET_TYPES: [(&str, &str); 7] = [
    ("organizations", "Organizations"),
    ("users", "Users"),
    ("sessions", "Sessions"),
    ("events", "Events"),
    ("notification_preferences", "Notification preferences"),
    ("instance", "Instance settings"),
    ("addresses", "Addresses (sign-in limit)"),
];

fn party_label(party: &Option<AuditParty>, nobody: &str) -> String {
    match party {
        Some(AuditParty {
            email: Some(email), ..
        }) => email.clone(),
        Some(_) => "A deleted user".into(),
        None => nobody.into(),
    }
}

fn columns() -> Vec<Column<AuditEvent>> {
    vec![
        Column::new("created_at", "When", |e: &AuditEvent| {
            view! { <a href=format!("/audit/{}", e.id)>{format_short(&e.attributes.created_at)}</a> }
                .into_any()
        })
        .sortable(),
        Column::new("action", "Action", |e: &AuditEvent| {
            action_label(&e.attributes.action).into_any()
        })
        .sortable(),
        Column::new("actor", "By", |e: &AuditEvent| {
            let a = &e.attributes;
            view! {
                {party_label(&a.actor, "Steward")}
                {a.impersonator.as_ref().map(|_| view! {
                    <span class="small muted">{format!(" (acting: {})", party_label(&a.impersonator, ""))}</span>
                })}
            }
            .into_any()
        }),
        Column::new("target_type", "Target", |e: &AuditEvent| {
            let label = e.target_label();
            match e.target_href() {
                Some(href) => view! { <a href=href>{label}</a> }.into_any(),
                None => label.into_any(),
            }
        })
        .sortable(),
        Column::new("ip", "IP address", |e: &AuditEvent| {
            e.attributes
                .ip
                .clone()
                .unwrap_or_else(|| "—".into())
                .into_any()
        }),
    ]
}

async fn fetch(p: ListParams) -> Result<Page<AuditEvent>, ApiError> {
    let query = AuditQuery {
        action: p.filter("action"),
        target_type: p.filter("target_type"),
        actor_id: p.filter("actor_id"),
        target_id: p.filter("target_id"),
        period: p.filter("period"),
        q: p.q,
        sort: p.sort,
        page: p.page,
        per_page: p.per_page,
    };
    list_audit(query).await
}

fn filters() -> Vec<ListFilter> {
    let with_any = |any: &str, options: &[(&str, &str)]| {
        std::iter::once((String::new(), any.to_string()))
            .chain(options.iter().map(|(v, l)| (v.to_string(), l.to_string())))
            .collect::<Vec<_>>()
    };
    let mut actions: Vec<(&str, &str)> = AUDIT_ACTIONS.to_vec();
    actions.sort_by_key(|(_, label)| *label);
    vec![
        ListFilter {
            key: "action",
            label: "Action",
            options: with_any("Any action", &actions),
        },
        ListFilter {
            key: "target_type",
            label: "Target",
            options: with_any("Any target", &TARGET_TYPES),
        },
        ListFilter {
            key: "period",
            label: "Period",
            options: with_any(
                "Any time",
                &[
                    ("24h", "Last 24 hours"),
                    ("7d", "Last 7 days"),
                    ("30d", "Last 30 days"),
                    ("90d", "Last 90 days"),
                ],
            ),
        },
        // Set by the links of an event's page; shown as removable notes.
        ListFilter {
            key: "actor_id",
            label: "By one user",
            options: Vec::new(),
        },
        ListFilter {
            key: "target_id",
            label: "One target",
            options: Vec::new(),
        },
    ]
}

#[component]
pub fn AuditPage() -> impl IntoView {
    // Lifting a blocked address is a Super Admin's (the service decides; this only hides the link).
    let super_admin = use_context::<CurrentUser>().is_some_and(|u| u.role == Role::SuperAdmin);
    view! {
        <Title text="Audit"/>
        <div class="page-header">
            <div>
                <h1>"Audit"</h1>
                <p class="muted">"Every change made in Steward, by anyone, through the console or the API. Times in UTC."</p>
            </div>
            {super_admin.then(|| view! { <a class="btn" href="/blocked_addresses">"Blocked addresses"</a> })}
        </div>
        <DataList text=TEXT sorts=&AUDIT_SORTS columns=columns() fetch=fetch filters=filters()/>
    }
}

#[component]
pub fn AuditEventPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .unwrap_or_default();
    let event = once_resource(get_audit_event(id));
    view! {
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading the event…"</p> }>
            {move || Suspend::new(async move {
                match event.await {
                    Ok(event) => Either::Left(view! { <AuditEventDetail event/> }),
                    Err(err) => Either::Right(view! {
                        <RecordMissing err noun="Audit event" parent_href="/audit" parent_label="Audit"/>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditEventDetail(event: AuditEvent) -> impl IntoView {
    let title = action_label(&event.attributes.action);
    let fields = event.changed_fields();
    let target_label = event.target_label();
    let target_href = event.target_href();
    let a = event.attributes;
    let when = format!("{} UTC", format_short(&a.created_at));
    let by_actor = a
        .actor
        .as_ref()
        .map(|actor| format!("/audit?actor_id={}", actor.id));
    let on_target = a
        .target_id
        .as_ref()
        .map(|id| format!("/audit?target_id={id}"));
    view! {
        <Title text=title.clone()/>
        <Breadcrumbs parent_href="/audit" parent_label="Audit" current=title.clone()/>
        <div class="page-header">
            <div>
                <h1>{title}</h1>
                <p class="muted">{when}<span class="sr-only">", action code "</span>" · "<code>{a.action.clone()}</code></p>
            </div>
        </div>
        <section class="card" aria-labelledby="audit-who">
            <h2 id="audit-who">"Who and what"</h2>
            <dl class="details">
                <dt>"By"</dt>
                <dd>{party_label(&a.actor, "Steward itself")}</dd>
                {a.impersonator.as_ref().map(|_| view! {
                    <dt>"Acting admin"</dt>
                    <dd>{format!("{} (impersonating the user above)", party_label(&a.impersonator, ""))}</dd>
                })}
                <dt>"Target"</dt>
                <dd>{match target_href {
                    Some(href) => Either::Left(view! { <a href=href>{target_label}</a> }),
                    None => Either::Right(target_label),
                }}</dd>
                <dt>"IP address"</dt>
                <dd>{a.ip.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Device"</dt>
                <dd title=a.user_agent.clone().unwrap_or_default()>{describe_device(a.user_agent.as_deref())}</dd>
            </dl>
            <p class="row-actions">
                {by_actor.map(|href| view! { <a class="btn btn-sm" href=href>"Everything by this user"</a> })}
                {on_target.map(|href| view! { <a class="btn btn-sm" href=href>"Everything on this target"</a> })}
            </p>
        </section>
        <section class="card security-card" aria-labelledby="audit-changes">
            <h2 id="audit-changes">"Changes"</h2>
            {if fields.is_empty() {
                Either::Left(view! { <p class="muted">"This action records no field changes."</p> })
            } else {
                Either::Right(view! {
                    <div class="table-wrap">
                        <table class="table stackable">
                            <caption class="sr-only">"Each changed field, before and after (secrets hidden)"</caption>
                            <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                            <tbody>
                                {fields.into_iter().map(|(field, before, after)| view! {
                                    <tr>
                                        <td data-label="Field"><code>{field}</code></td>
                                        <td data-label="Before">{before}</td>
                                        <td data-label="After">{after}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })
            }}
        </section>
    }
}
