//! The "Two-factor authentication" card of `/me/security`: set up an authenticator app (QR code
//! and key) or text messages, confirm with the first code, keep the recovery codes (shown once,
//! to copy or download), choose the default method, generate new codes, and turn it all off with
//! the password. Every action is a plain form post that works before the wasm loads; with it, the
//! same happens in place with a toast, and the destructive ones ask first.

use crate::api::two_factor::{
    get_two_factor, CancelTwoFactorSetup, ConfirmTwoFactor, DisableTwoFactor,
    RegenerateRecoveryCodes, SetDefaultTwoFactorMethod, StartSmsSetup, StartTotpSetup,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::copy::{CopyButton, CopyField};
use crate::components::form_field::FormField;
use crate::components::form_state::initial_error;
use crate::components::toast::use_toasts;
use crate::domain::two_factor::{OtpMethod, PendingSetup, TwoFactorState};
use crate::error::ApiError;
use crate::resources::resource;
use leptos::either::{Either, EitherOf3};
use leptos::html;
use leptos::prelude::*;
use server_fn::ServerFn;

/// A 422 a plain form post came back with goes next to its field; anything else is said once.
fn split_initial(err: Option<ApiError>) -> (Option<ApiError>, Option<String>) {
    match err {
        Some(err) if err.status == 422 => (Some(err), None),
        Some(err) => (None, Some(err.message)),
        None => (None, None),
    }
}

#[component]
pub fn TwoFactorCard() -> impl IntoView {
    let toasts = use_toasts();
    let start_totp = ServerAction::<StartTotpSetup>::new();
    let start_sms = ServerAction::<StartSmsSetup>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let cancel = ServerAction::<CancelTwoFactorSetup>::new();
    let regenerate = ServerAction::<RegenerateRecoveryCodes>::new();
    let default_method = ServerAction::<SetDefaultTwoFactorMethod>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let info = resource(
        move || {
            (
                start_totp.version().get(),
                start_sms.version().get(),
                confirm.version().get(),
                cancel.version().get(),
                regenerate.version().get(),
                default_method.version().get(),
                disable.version().get(),
            )
        },
        |_| get_two_factor(),
    );

    let (sms_initial, sms_refused) = split_initial(initial_error(start_sms));
    let (confirm_initial, confirm_refused) = split_initial(initial_error(confirm));
    let (disable_initial, disable_refused) = split_initial(initial_error(disable));
    let sms_errors = RwSignal::new(sms_initial);
    let confirm_errors = RwSignal::new(confirm_initial);
    let disable_errors = RwSignal::new(disable_initial);
    // A refusal that isn't about a field (too many codes, too many texts), after a plain post.
    let refused = RwSignal::new(sms_refused.or(confirm_refused).or(disable_refused));
    // The codes generated in place (with JavaScript); a plain form post's come with `info`.
    let issued = RwSignal::new(None::<Vec<String>>);
    let confirming_regenerate = RwSignal::new(false);
    let confirming_disable = RwSignal::new(false);
    let disable_form = NodeRef::<html::Form>::new();
    let password = NodeRef::<html::Input>::new();

    let on_error = move |err: ApiError, errors: Option<RwSignal<Option<ApiError>>>| match errors {
        Some(errors) if err.status == 422 => errors.set(Some(err)),
        _ => toasts.error(err.message),
    };
    Effect::new(move |_| match start_totp.value().get() {
        Some(Ok(())) => toasts
            .success("Scan the code with your authenticator app, then enter the code it shows."),
        Some(Err(err)) => on_error(err, None),
        None => {}
    });
    Effect::new(move |_| match start_sms.value().get() {
        Some(Ok(())) => {
            sms_errors.set(None);
            toasts.success("A code is on its way to your phone.");
        }
        Some(Err(err)) => on_error(err, Some(sms_errors)),
        None => {}
    });
    Effect::new(move |_| match confirm.value().get() {
        Some(Ok(codes)) => {
            confirm_errors.set(None);
            issued.set(Some(codes.recovery_codes));
            toasts.success(
                "Two-factor authentication is on. Keep your recovery codes somewhere safe.",
            );
        }
        Some(Err(err)) => on_error(err, Some(confirm_errors)),
        None => {}
    });
    Effect::new(move |_| match cancel.value().get() {
        Some(Ok(())) => {
            confirm_errors.set(None);
            toasts.success("Set-up cancelled.");
        }
        Some(Err(err)) => on_error(err, None),
        None => {}
    });
    Effect::new(move |_| match regenerate.value().get() {
        Some(Ok(codes)) => {
            confirming_regenerate.set(false);
            issued.set(Some(codes.recovery_codes));
            toasts.success("New recovery codes generated: the old ones no longer work.");
        }
        Some(Err(err)) => {
            confirming_regenerate.set(false);
            on_error(err, None);
        }
        None => {}
    });
    Effect::new(move |_| match default_method.value().get() {
        Some(Ok(())) => toasts.success("Default method saved."),
        Some(Err(err)) => on_error(err, None),
        None => {}
    });
    Effect::new(move |_| match disable.value().get() {
        Some(Ok(())) => {
            confirming_disable.set(false);
            disable_errors.set(None);
            issued.set(None);
            toasts.success("Two-factor authentication is off.");
        }
        Some(Err(err)) => {
            confirming_disable.set(false);
            on_error(err, Some(disable_errors));
        }
        None => {}
    });

    let regenerate_url = RegenerateRecoveryCodes::url();
    let disable_url = DisableTwoFactor::url();
    let actions = SetupActions {
        start_totp,
        start_sms,
        confirm,
        cancel,
        sms_errors,
        confirm_errors,
    };
    view! {
        <section class="card form form-narrow security-card" id="two-factor" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">"Two-factor authentication"</h2>
            <p class="muted">
                "With two-factor authentication, signing in asks for a code from your phone as well as your password: "
                "a stolen password alone is not enough."
            </p>
            {move || refused.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(state) => {
                            let just_issued = state.just_issued_codes.clone();
                            let enabled = state.enabled();
                            Either::Left(view! {
                                {move || issued.get().or_else(|| just_issued.clone()).map(|codes| view! { <IssuedRecoveryCodes codes/> })}
                                <TwoFactorStatus state=state.clone()/>
                                <SetupSection state=state.clone() actions/>
                                {enabled.then(|| view! {
                                    <DefaultMethodForm state=state.clone() action=default_method/>
                                    <div class="form-actions">
                                        <form method="post" action=regenerate_url on:submit=move |ev| {
                                            ev.prevent_default();
                                            confirming_regenerate.set(true);
                                        }>
                                            <button type="submit" class="btn" disabled=move || regenerate.pending().get()>"Generate new recovery codes"</button>
                                        </form>
                                    </div>
                                    <form method="post" action=disable_url novalidate node_ref=disable_form
                                        class="two-factor-disable"
                                        on:submit=move |ev| {
                                            ev.prevent_default();
                                            confirming_disable.set(true);
                                        }>
                                        <h3>"Turn off"</h3>
                                        <FormField errors=disable_errors key="password" id="two-factor-password" label="Your password"
                                            input_type="password" autocomplete="current-password" node_ref=password
                                            hint="Signing in asks only for your password again, and the recovery codes stop working."/>
                                        <div class="form-actions">
                                            <button type="submit" class="btn btn-danger-outline" disabled=move || disable.pending().get()>
                                                "Turn off two-factor authentication"
                                            </button>
                                        </div>
                                    </form>
                                })}
                            })
                        }
                        Err(err) => Either::Right(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                    }
                })}
            </Transition>
        </section>
        <ConfirmDialog
            open=confirming_regenerate
            title="Generate new recovery codes?"
            message="The codes you have now stop working at once."
            confirm_label="Generate new codes"
            busy=Signal::derive(move || regenerate.pending().get())
            on_confirm=Callback::new(move |_| {
                regenerate.dispatch(RegenerateRecoveryCodes {});
            })
        />
        <ConfirmDialog
            open=confirming_disable
            title="Turn off two-factor authentication?"
            message="Anyone with your password can sign in as you again."
            confirm_label="Turn it off"
            busy=Signal::derive(move || disable.pending().get())
            on_confirm=Callback::new(move |_| {
                let typed = password.get_untracked().map(|input| input.value()).unwrap_or_default();
                if let Some(form) = disable_form.get_untracked() {
                    form.reset();
                }
                disable.dispatch(DisableTwoFactor { password: typed });
            })
        />
    }
}

/// The actions a set-up needs, handed down together.
#[derive(Clone, Copy)]
struct SetupActions {
    start_totp: ServerAction<StartTotpSetup>,
    start_sms: ServerAction<StartSmsSetup>,
    confirm: ServerAction<ConfirmTwoFactor>,
    cancel: ServerAction<CancelTwoFactorSetup>,
    sms_errors: RwSignal<Option<ApiError>>,
    confirm_errors: RwSignal<Option<ApiError>>,
}

/// On or off, and which methods.
#[component]
fn TwoFactorStatus(state: TwoFactorState) -> impl IntoView {
    if !state.enabled() {
        return Either::Left(view! {
            <p><span class="badge badge-muted">"Off"</span>" Signing in asks only for your password."</p>
        });
    }
    let on_off = |on: bool| if on { "On" } else { "Off" };
    let sms = match (&state.phone_hint, state.sms_enabled) {
        (Some(hint), true) => format!("On · {hint}"),
        (_, on) => on_off(on).to_string(),
    };
    let default = state.default_method.map(OtpMethod::label).unwrap_or("—");
    Either::Right(view! {
        <p><span class="badge">"On"</span>" Signing in asks for a code after your password."</p>
        <dl class="details">
            <dt>"Authenticator app"</dt><dd>{on_off(state.totp_enabled)}</dd>
            <dt>"Text message"</dt><dd>{sms}</dd>
            <dt>"Asked for first"</dt><dd>{default}</dd>
            <dt>"Recovery codes left"</dt><dd>{format!("{} of 10", state.recovery_codes_remaining)}</dd>
        </dl>
    })
}

/// A set-up waiting for its code, or the ways to add a method that is off.
#[component]
fn SetupSection(state: TwoFactorState, actions: SetupActions) -> impl IntoView {
    if let Some(pending) = state.pending {
        return EitherOf3::A(view! { <PendingSetupForm pending actions/> });
    }
    if state.totp_enabled && state.sms_enabled {
        return EitherOf3::B(());
    }
    let enabled = state.enabled();
    let SetupActions {
        start_totp,
        start_sms,
        sms_errors,
        ..
    } = actions;
    EitherOf3::C(view! {
        <div class="two-factor-methods">
            {(!state.totp_enabled).then(|| view! {
                <div class="two-factor-method">
                    <h3>{if enabled { "Add an authenticator app" } else { "Authenticator app" }}</h3>
                    <p class="small muted">"An app such as 1Password, Google Authenticator or Authy shows a new code every 30 seconds, even offline."</p>
                    <ActionForm action=start_totp>
                        <button type="submit" class="btn btn-primary" disabled=move || start_totp.pending().get()>
                            "Set up an authenticator app"
                        </button>
                    </ActionForm>
                </div>
            })}
            {(!state.sms_enabled).then(|| view! {
                <div class="two-factor-method">
                    <h3>{if enabled { "Add text messages" } else { "Text message (SMS)" }}</h3>
                    <ActionForm action=start_sms attr:novalidate=true>
                        <FormField errors=sms_errors key="phone" id="two-factor-phone" label="Mobile phone number" input_type="tel"
                            autocomplete="tel" hint="+ and the country code, such as +1 555 010 4567."/>
                        <div class="form-actions">
                            <button type="submit" class="btn" disabled=move || start_sms.pending().get()>"Text me a code"</button>
                        </div>
                    </ActionForm>
                </div>
            })}
        </div>
    })
}

/// Step two of a set-up: the QR code and key (an app), or where the code went (a text), and the
/// field for the first code.
#[component]
fn PendingSetupForm(pending: PendingSetup, actions: SetupActions) -> impl IntoView {
    let SetupActions {
        confirm,
        cancel,
        confirm_errors,
        ..
    } = actions;
    let intro = match (pending.method, pending.totp, pending.qr_svg) {
        (OtpMethod::Totp, Some(setup), qr) => Either::Left(view! {
            <h3>"Set up your authenticator app"</h3>
            <ol class="steps">
                <li>"Scan this QR code with the app, or type the set-up key into it."</li>
                <li>"Enter the 6-digit code the app shows."</li>
            </ol>
            {qr.map(|svg| view! { <div class="qr-code" role="img" aria-label="QR code of the set-up key" inner_html=svg></div> })}
            <CopyField id="totp-secret" label="Set-up key" value=setup.secret
                hint="Keep it private: whoever has it can make your codes."/>
        }),
        (_, _, _) => Either::Right(view! {
            <h3>"Confirm your phone"</h3>
            <p>
                "We texted a code to "
                <strong>{pending.phone_hint.unwrap_or_else(|| "your phone".into())}</strong>
                ". It works for 10 minutes."
            </p>
        }),
    };
    let label = match pending.method {
        OtpMethod::Totp => "Code from the app",
        OtpMethod::Sms => "Code from the text message",
    };
    view! {
        <div class="two-factor-setup">
            {intro}
            <ActionForm action=confirm attr:novalidate=true>
                <FormField errors=confirm_errors key="otp_attempt" id="two-factor-code" label=label
                    autocomplete="one-time-code" inputmode="numeric"/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || confirm.pending().get()>
                        {move || if confirm.pending().get() { "Checking…" } else { "Turn on" }}
                    </button>
                </div>
            </ActionForm>
            <ActionForm action=cancel>
                <button type="submit" class="btn btn-link" disabled=move || cancel.pending().get()>"Cancel the set-up"</button>
            </ActionForm>
        </div>
    }
}

/// Which method sign-in asks for first, when both are on.
#[component]
fn DefaultMethodForm(
    state: TwoFactorState,
    action: ServerAction<SetDefaultTwoFactorMethod>,
) -> impl IntoView {
    (state.totp_enabled && state.sms_enabled).then(|| {
        let current = state.default_method;
        view! {
            <ActionForm action attr:class="inline-form">
                <label class="field-label" for="two-factor-default">"Ask first for"</label>
                <select id="two-factor-default" name="method">
                    {[OtpMethod::Totp, OtpMethod::Sms].into_iter().map(|method| view! {
                        <option value=method.as_str() selected=current == Some(method)>{method.label()}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="btn btn-sm" disabled=move || action.pending().get()>"Save"</button>
            </ActionForm>
        }
    })
}

/// Recovery codes the one time they are shown: copy them, or download them as a text file.
#[component]
fn IssuedRecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = codes.join("\n") + "\n";
    // A data: link downloads without JavaScript; the codes are [a-z0-9-] and new lines.
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        text.replace('\n', "%0A")
    );
    view! {
        <div class="alert alert-success issued-codes" role="status">
            <h3>"Your recovery codes"</h3>
            <p>"If you lose your phone, each code signs you in once. Keep them somewhere safe: they are shown only now."</p>
            <ul class="recovery-codes mono" aria-label="Recovery codes">
                {codes.into_iter().map(|code| view! { <li>{code}</li> }).collect_view()}
            </ul>
            <div class="form-actions">
                <CopyButton text label="Copy the codes"/>
                <a class="btn btn-sm" href=download download="steward-recovery-codes.txt">"Download"</a>
            </div>
        </div>
    }
}
