use crate::api::docs::{api_reference, EndpointDoc, FieldDoc};
use crate::resources::once_resource;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

/// The API reference, rendered on the server from the OpenAPI document the router is built with;
/// it needs no internet access.
#[component]
pub fn DocsPage() -> impl IntoView {
    let endpoints = once_resource(api_reference());
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
                        <code>"{status, status_text, message, errors[]}"</code>
                        ", each of " <code>"errors"</code> " naming a " <code>"field"</code> " and its "
                        <code>"message"</code> "."
                    </p>
                </div>
                <a class="btn" href="/">"Back to the app"</a>
            </div>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Err(err) => Either::Left(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                        Ok(list) => Either::Right(view! {
                            <div class="docs-layout">
                                <Contents endpoints=list.clone()/>
                                <div class="docs-endpoints">
                                    {list.into_iter().map(|e| view! { <Endpoint endpoint=e/> }).collect_view()}
                                </div>
                            </div>
                        }),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn anchor(endpoint: &EndpointDoc) -> String {
    format!(
        "{}-{}",
        endpoint.method.to_lowercase(),
        endpoint.path.replace(['/', '{', '}', '.'], "-")
    )
}

/// The table of contents: the endpoints by tag, in the order they first appear.
#[component]
fn Contents(endpoints: Vec<EndpointDoc>) -> impl IntoView {
    let mut tags: Vec<String> = Vec::new();
    for endpoint in &endpoints {
        if !tags.contains(&endpoint.tag) {
            tags.push(endpoint.tag.clone());
        }
    }
    view! {
        <nav class="card docs-contents" aria-label="Endpoints">
            <h2>"Contents"</h2>
            {tags.into_iter().map(|tag| {
                let items = endpoints.iter().filter(|e| e.tag == tag).map(|e| view! {
                    <li>
                        <a href=format!("#{}", anchor(e))>
                            <span class=format!("method method-{}", e.method.to_lowercase())>{e.method.clone()}</span>
                            " " <Prose text=e.summary.clone()/>
                        </a>
                    </li>
                }).collect_view();
                view! { <h3>{tag}</h3><ul>{items}</ul> }
            }).collect_view()}
        </nav>
    }
}

#[component]
fn Endpoint(endpoint: EndpointDoc) -> impl IntoView {
    let e = endpoint;
    let owner = format!("{} {}", e.method, e.path);
    view! {
        <section class="card endpoint" id=anchor(&e) aria-labelledby=format!("{}-title", anchor(&e))>
            <h2 id=format!("{}-title", anchor(&e))>
                <span class=format!("method method-{}", e.method.to_lowercase())>{e.method.clone()}</span>
                " " <code>{e.path.clone()}</code>
            </h2>
            <p>
                <strong><Prose text=e.summary.clone()/></strong>
                <span class="muted">{format!(" · {}", e.tag)}</span>
                {(!e.authenticated).then(|| view! { <span class="badge">"public"</span> })}
            </p>
            <p><Prose text=e.description.clone()/></p>
            {(!e.parameters.is_empty()).then(|| view! { <Fields caption="Parameters" fields=e.parameters.clone() located=true owner=owner.clone()/> })}
            {(!e.request.is_empty()).then(|| view! { <Fields caption="Request body (JSON)" fields=e.request.clone() located=false owner=owner.clone()/> })}
            <div class="table-scroll" tabindex="0" role="region" aria-label=format!("{owner}: Responses")>
            <table class="table compact">
                <caption>"Responses"</caption>
                <thead><tr><th scope="col">"Status"</th><th scope="col">"Meaning"</th><th scope="col">"Body"</th></tr></thead>
                <tbody>
                    {e.responses.iter().map(|r| view! {
                        <tr>
                            <td><code>{r.status.clone()}</code></td>
                            <td><Prose text=r.description.clone()/></td>
                            <td>{match (&r.content_type, r.status.starts_with('2')) {
                                (None, _) => "none".to_string(),
                                (Some(_), false) => "the error body".to_string(),
                                (Some(kind), true) => kind.clone(),
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            {e.responses.iter().filter(|r| !r.fields.is_empty()).map(|r| view! {
                <Fields caption=format!("{} response body", r.status) fields=r.fields.clone() located=false owner=owner.clone()/>
            }).collect_view()}
        </section>
    }
}

#[component]
fn Fields(
    #[prop(into)] caption: String,
    fields: Vec<FieldDoc>,
    located: bool,
    /// `POST /auth/sign_in`: the region's name says whose table it is.
    owner: String,
) -> impl IntoView {
    // A region of its own that takes focus, so that a keyboard can scroll it on a narrow screen.
    let label = format!("{owner}: {caption}");
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
        <table class="table compact">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    {located.then(|| view! { <th scope="col">"In"</th> })}
                    <th scope="col">"Type"</th>
                    <th scope="col">"Description"</th>
                </tr>
            </thead>
            <tbody>
                {fields.into_iter().map(|f| view! {
                    <tr>
                        <td>
                            <code>{f.name}</code>
                            {f.required.then(|| view! { " " <span class="badge">"required"</span> })}
                        </td>
                        {located.then(|| view! { <td>{f.location.clone()}</td> })}
                        <td>{f.kind}</td>
                        <td><Prose text=f.description/></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

/// Text whose `backticked` spans are code, as the documentation comments write them.
#[component]
fn Prose(text: String) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            let part = part.to_string();
            if i % 2 == 1 {
                Either::Left(view! { <code>{part}</code> })
            } else {
                Either::Right(part)
            }
        })
        .collect_view()
}
