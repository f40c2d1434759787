use super::account::AuthCard;
use crate::api::auth::login_error_message;
use crate::components::notice::Notice;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A plain HTML form posting to the `sign_in` server function: it works before (or without) the
/// wasm, and a full page load afterwards starts the signed-in app with a clean state.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query
            .read()
            .get("error")
            .map(|code| login_error_message(&code))
    };
    let next = move || query.read().get("next").unwrap_or_default();
    // After a failed attempt the form comes back with the email or username it was sent with.
    let username = move || query.read().get("username").unwrap_or_default();
    // What is typed in the first field, so "Forgot password?" can carry an email address along.
    let typed = RwSignal::new(query.read_untracked().get("username").unwrap_or_default());
    view! {
        <AuthCard title="Sign in">
                <Notice/>
                {move || error().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
                <form method="post" action="/api/sign_in" class="form">
                    <input type="hidden" name="next" value=next/>
                    <div class="field">
                        <label for="username">"Email or username"</label>
                        <input id="username" name="username" type="text" autocomplete="username" required autofocus=move || username().is_empty() value=username
                            on:input=move |ev| typed.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required autofocus=move || !username().is_empty()/>
                    </div>
                    <button type="submit" class="btn btn-primary btn-block">"Sign in"</button>
                </form>
                <p class="small"><a href=move || {
                    let typed = typed.get();
                    if typed.contains('@') {
                        format!("/password/forgot?email={}", crate::url::encode_component(&typed))
                    } else {
                        "/password/forgot".to_string()
                    }
                }>"Forgot password?"</a></p>
                <p class="muted small">
                    "API clients: " <code>"POST /auth/sign_in"</code> " — see the " <a href="/docs">"API reference"</a> "."
                </p>
        </AuthCard>
    }
}
