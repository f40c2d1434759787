use crate::api::docs::api_reference;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

/// The API reference, rendered on the server from the same endpoint list as the OpenAPI document;
/// it needs no internet access.
#[component]
pub fn DocsPage() -> impl IntoView {
    let endpoints = OnceResource::new(api_reference());
    view! {
        <Title text="API reference"/>
        <main id="main" class="content docs">
            <div class="page-header">
                <div>
                    <h1>"API reference"</h1>
                    <p class="muted">
                        "Machine-readable: " <a href="/v2/openapi.json">"/v2/openapi.json"</a>
                        " (OpenAPI 3.1). Authenticate with " <code>"Authorization: Bearer <token>"</code>
                        " from " <code>"POST /auth/sign_in"</code> ". Errors always have the body "
                        <code>"{status, status_text, message, errors[]}"</code> "."
                    </p>
                </div>
                <a class="btn" href="/">"Back to the app"</a>
            </div>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Err(err) => Either::Left(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                        Ok(list) => Either::Right(list.into_iter().map(|e| {
                            let anchor = format!("{}-{}", e.method.to_lowercase(), e.path.replace(['/', '{', '}', '.'], "-"));
                            view! {
                                <section class="card endpoint" id=anchor>
                                    <h2>
                                        <span class=format!("method method-{}", e.method.to_lowercase())>{e.method.clone()}</span>
                                        " " <code>{e.path.clone()}</code>
                                    </h2>
                                    <p><strong>{e.summary.clone()}</strong> <span class="muted">{format!(" · {}", e.tag)}</span>
                                        {(!e.authenticated).then(|| view! { <span class="badge">"public"</span> })}
                                    </p>
                                    <p>{e.description.clone()}</p>
                                    {(!e.parameters.is_empty()).then(|| view! {
                                        <table class="table compact">
                                            <thead><tr><th scope="col">"Parameter"</th><th scope="col">"In"</th><th scope="col">"Description"</th></tr></thead>
                                            <tbody>
                                                {e.parameters.into_iter().map(|(name, location, description)| view! {
                                                    <tr><td><code>{name}</code></td><td>{location}</td><td>{description}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    })}
                                </section>
                            }
                        }).collect_view()),
                    }
                })}
            </Suspense>
        </main>
    }
}
