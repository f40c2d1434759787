use super::account::AuthCard;
use crate::api::auth::login_error_message;
use crate::components::notice::Notice;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Plain HTML forms posting to the `sign_in` server functions: they work before (or without) the
/// wasm, and a full page load afterwards starts the signed-in app with a clean state.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    // After the password, for an account with 2FA: `?step=totp|sms|recovery`.
    let step = move || query.read().get("step");
    view! {
        {move || match step() {
            Some(step) => leptos::either::Either::Left(view! { <SecondStep step next=next()/> }),
            None => leptos::either::Either::Right(view! { <PasswordStep/> }),
        }}
    }
}

/// The second step: the code of the authenticator app (or the one texted), or a recovery code.
/// The state of the sign-in waits in an HttpOnly cookie; each form is a plain post.
#[component]
fn SecondStep(step: String, next: String) -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query
            .read()
            .get("error")
            .map(|code| login_error_message(&code))
    };
    let recovery = step == "recovery";
    let sms = step == "sms";
    let other = |to: &str| {
        crate::url::with_query(
            "/login",
            &[
                ("step", Some(to.to_string())),
                ("next", Some(next.clone()).filter(|n| !n.is_empty())),
            ],
        )
    };
    let (back_to_code, use_recovery, use_app, use_sms) = (
        other("totp"),
        other("recovery"),
        other("totp"),
        other("sms"),
    );
    view! {
        <AuthCard title="Two-factor authentication">
            <Notice/>
            {move || error().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
            {if recovery {
                leptos::either::Either::Left(view! {
                    <form method="post" action="/api/sign_in/second_factor" class="form">
                        <input type="hidden" name="next" value=next.clone()/>
                        <input type="hidden" name="step" value="recovery"/>
                        <p class="muted">"Enter one of the recovery codes you saved when you turned two-factor authentication on. Each works once."</p>
                        <div class="field">
                            <label for="recovery_code">"Recovery code"</label>
                            <input id="recovery_code" name="recovery_code" type="text" autocomplete="off" spellcheck="false" required autofocus placeholder="xxxxx-xxxxx"/>
                        </div>
                        <button type="submit" class="btn btn-primary btn-block">"Sign in"</button>
                    </form>
                    <p class="small"><a href=back_to_code>"Use a code instead"</a></p>
                })
            } else {
                leptos::either::Either::Right(view! {
                    <form method="post" action="/api/sign_in/second_factor" class="form">
                        <input type="hidden" name="next" value=next.clone()/>
                        <input type="hidden" name="step" value=if sms { "sms" } else { "totp" }/>
                        <p class="muted">{if sms {
                            "We texted a six-digit code to your phone. Enter it to finish signing in."
                        } else {
                            "Open your authenticator app and enter the six-digit code it shows for Steward."
                        }}</p>
                        <div class="field">
                            <label for="otp_attempt">{if sms { "Code from the text message" } else { "Authentication code" }}</label>
                            <input id="otp_attempt" name="otp_attempt" type="text" inputmode="numeric" pattern="[0-9 ]*" autocomplete="one-time-code" required autofocus/>
                        </div>
                        <button type="submit" class="btn btn-primary btn-block">"Verify"</button>
                    </form>
                    {sms.then(|| view! {
                        <form method="post" action="/api/sign_in/send_sms" class="form-inline">
                            <input type="hidden" name="next" value=next.clone()/>
                            <button type="submit" class="btn btn-link">"Text me a new code"</button>
                        </form>
                    })}
                    <p class="small">
                        <a href=use_recovery>"Use a recovery code"</a>
                        " · "
                        {if sms {
                            view! { <a href=use_app>"Use the authenticator app"</a> }.into_any()
                        } else {
                            view! { <a href=use_sms>"Use a text message"</a> }.into_any()
                        }}
                    </p>
                })
            }}
            <p class="small"><a href="/login">"Start over"</a></p>
        </AuthCard>
    }
}

/// The first step: email or username, and password.
#[component]
fn PasswordStep() -> impl IntoView {
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
