use crate::api::dashboard::get_dashboard_summary;
use crate::domain::text::group_thousands;
use crate::domain::time::{format_millis, format_short};
use crate::domain::user::CurrentUser;
use crate::resources::once_resource;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let summary = once_resource(get_dashboard_summary());
    view! {
        <Title text="Dashboard"/>
        <crate::components::notice::Notice/>
        <div class="page-header">
            <div>
                <h1>"Dashboard"</h1>
                <p class="muted">{format!("Signed in as {} ({})", user.email, user.role)}</p>
            </div>
        </div>
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading figures…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Err(err) => Either::Left(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                    Ok(summary) => Either::Right(view! {
                        <section class="stats" aria-label="Counts">
                            <a class="card stat" href="/organizations">
                                <span class="stat-label">"Organizations"</span>
                                <span class="stat-value">{group_thousands(summary.organizations)}</span>
                            </a>
                            <div class="card stat">
                                <span class="stat-label">"Users"</span>
                                <span class="stat-value">{group_thousands(summary.users)}</span>
                            </div>
                        </section>
                        <section class="card" aria-labelledby="recent-activity">
                            <h2 id="recent-activity">"Recent activity"</h2>
                            {if summary.recent.is_empty() {
                                Either::Left(view! { <p class="muted">"Nothing has happened yet."</p> })
                            } else {
                                Either::Right(view! {
                                    <ol class="activity">
                                        {summary.recent.into_iter().map(|item| {
                                            let target = item.names_target().then(|| match item.target_href() {
                                                Some(href) => Either::Left(view! { <a href=href>{item.target_label()}</a> }),
                                                None => Either::Right(view! { <span>{item.target_label()}</span> }),
                                            });
                                            view! {
                                                <li>
                                                    <time datetime=format_millis(&item.created_at)>{format_short(&item.created_at)}</time>
                                                    <span class="activity-text">
                                                        <strong>{item.actor_label()}</strong>
                                                        " " {item.verb()} " " {target}
                                                    </span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ol>
                                })
                            }}
                        </section>
                    }),
                }
            })}
        </Suspense>
    }
}
