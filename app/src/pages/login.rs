use super::account::AuthCard;
use crate::api::auth::{login_error_message, second_step_methods, SignInMethods};
use crate::components::notice::Notice;
use crate::resources::resource;
use leptos::either::Either;
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
            Some(step) => Either::Left(view! { <SecondStep step next=next()/> }),
            None => Either::Right(view! { <PasswordStep/> }),
        }}
    }
}

/// The second step: the code of the authenticator app (or the one texted), or a recovery code.
/// The state of the sign-in waits in an HttpOnly cookie; each form is a plain post. The page
/// offers only the methods the user has (read from that state), and starts over when it expired.
#[component]
fn SecondStep(step: String, next: String) -> impl IntoView {
    let methods = resource(|| (), |_| second_step_methods());
    view! {
        <AuthCard title="Two-factor authentication">
            <Notice/>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new({
                    let (step, next) = (step.clone(), next.clone());
                    async move {
                        match methods.await {
                            Ok(Some(methods)) => Either::Left(view! { <SecondStepForms step next methods/> }),
                            _ => Either::Right(view! {
                                <div class="alert alert-error" role="alert">{login_error_message("otp_expired")}</div>
                                <p><a class="btn btn-block" href="/login">"Sign in again"</a></p>
                            }),
                        }
                    }
                })}
            </Suspense>
            <p class="small"><a href="/login">"Start over"</a></p>
        </AuthCard>
    }
}

/// Which form the second step shows: the one asked for, when the user has that method.
fn effective_step(step: &str, methods: SignInMethods) -> &'static str {
    match step {
        "recovery" => "recovery",
        "sms" if methods.sms => "sms",
        _ if methods.totp => "totp",
        _ => "sms",
    }
}

#[component]
fn SecondStepForms(step: String, next: String, methods: SignInMethods) -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query
            .read()
            .get("error")
            .map(|code| login_error_message(&code))
    };
    let step = effective_step(&step, methods);
    let other = |to: &str| {
        crate::url::with_query(
            "/login",
            &[
                ("step", Some(to.to_string())),
                ("next", Some(next.clone()).filter(|n| !n.is_empty())),
            ],
        )
    };
    let back_to_code = other(if methods.totp { "totp" } else { "sms" });
    let use_recovery = other("recovery");
    // The switch between the two code methods, when the user has both.
    let switch = match step {
        "totp" if methods.sms => Some((other("sms"), "Use a text message")),
        "sms" if methods.totp => Some((other("totp"), "Use the authenticator app")),
        _ => None,
    };
    view! {
        {move || error().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
        {if step == "recovery" {
            Either::Left(view! {
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
            let sms = step == "sms";
            Either::Right(view! {
                <form method="post" action="/api/sign_in/second_factor" class="form">
                    <input type="hidden" name="next" value=next.clone()/>
                    <input type="hidden" name="step" value=step/>
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
                    {switch.map(|(href, label)| view! { " · " <a href=href>{label}</a> })}
                </p>
            })
        }}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_shown_is_one_the_user_has() {
        let totp_only = SignInMethods {
            totp: true,
            sms: false,
        };
        let sms_only = SignInMethods {
            totp: false,
            sms: true,
        };
        let both = SignInMethods {
            totp: true,
            sms: true,
        };
        assert_eq!(effective_step("sms", totp_only), "totp");
        assert_eq!(effective_step("totp", sms_only), "sms");
        assert_eq!(effective_step("sms", both), "sms");
        assert_eq!(effective_step("totp", both), "totp");
        assert_eq!(effective_step("recovery", sms_only), "recovery");
        assert_eq!(effective_step("anything", both), "totp");
    }
}
