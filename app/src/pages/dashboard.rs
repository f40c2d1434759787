use crate::api::dashboard::get_dashboard_summary;
use crate::domain::time::format_short;
use crate::domain::user::CurrentUser;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let summary = OnceResource::new(get_dashboard_summary());
    view! {
        <Title text="Dashboard"/>
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
                                <span class="stat-value">{summary.organizations}</span>
                            </a>
                            <div class="card stat">
                                <span class="stat-label">"Users"</span>
                                <span class="stat-value">{summary.users}</span>
                            </div>
                        </section>
                        <section class="card">
                            <h2>"Recent activity"</h2>
                            {if summary.recent.is_empty() {
                                Either::Left(view! { <p class="muted">"Nothing has happened yet."</p> })
                            } else {
                                Either::Right(view! {
                                    <div class="table-wrap">
                                        <table class="table">
                                            <thead>
                                                <tr>
                                                    <th scope="col">"When"</th>
                                                    <th scope="col">"Who"</th>
                                                    <th scope="col">"Action"</th>
                                                    <th scope="col">"Target"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {summary.recent.into_iter().map(|item| view! {
                                                    <tr>
                                                        <td>{format_short(&item.created_at)}</td>
                                                        <td>{item.actor.unwrap_or_else(|| "system".into())}</td>
                                                        <td><code>{item.action}</code></td>
                                                        <td>{format!("{} {}", item.target_type, item.target_id.unwrap_or_default())}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                })
                            }}
                        </section>
                    }),
                }
            })}
        </Suspense>
    }
}
