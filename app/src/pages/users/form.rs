//! The user attributes of seed `003_*` (plus username and role), each with its label and, after a
//! 422, its error next to it. The checks happen on the server, with the same parser the REST API
//! uses.

use crate::domain::list::Choice;
use crate::domain::user::{UserFieldKind, UserInput, LOCALES, USER_FIELDS};
use crate::domain::Role;
use crate::error::ApiError;
use leptos::either::EitherOf4;
use leptos::prelude::*;

#[component]
pub fn UserFields(
    initial: UserInput,
    errors: RwSignal<Option<ApiError>>,
    /// The roles the signed-in admin may give (never above their own).
    roles: Vec<Role>,
    /// Where the admin may move the user; without any (a user's own profile, an Admin with no
    /// customers) there is no organization to choose.
    #[prop(optional)]
    organizations: Vec<Choice>,
) -> impl IntoView {
    USER_FIELDS
        .iter()
        .filter(|spec| spec.kind != UserFieldKind::Organization || !organizations.is_empty())
        .filter(|spec| spec.kind != UserFieldKind::Role || !roles.is_empty())
        .map(|spec| {
            let key = spec.key;
            let id = format!("user-{key}");
            let error_id = format!("{id}-error");
            let name = format!("user[{key}]");
            let value = initial.get(key).unwrap_or_default().to_string();
            let message = move || errors.with(|e| e.as_ref().and_then(|e| e.field_message(key)));
            let invalid = move || message().is_some().to_string();
            let described_by = {
                let error_id = error_id.clone();
                move || message().is_some().then(|| error_id.clone())
            };
            let required = matches!(
                spec.kind,
                UserFieldKind::Email
                    | UserFieldKind::Username
                    | UserFieldKind::Role
                    | UserFieldKind::Organization
            );
            let input = match spec.kind {
                UserFieldKind::Role => {
                    let current = value.clone();
                    EitherOf4::A(view! {
                        <select id=id.clone() name=name aria-invalid=invalid aria-describedby=described_by>
                            {roles.iter().map(|role| {
                                let role = role.as_str();
                                view! { <option value=role selected=current == role>{role}</option> }
                            }).collect_view()}
                        </select>
                    })
                }
                UserFieldKind::Organization => {
                    let current = value.clone();
                    EitherOf4::D(view! {
                        <select id=id.clone() name=name aria-invalid=invalid aria-describedby=described_by>
                            {organizations.iter().map(|o| {
                                view! { <option value=o.id.clone() selected=current == o.id>{o.label.clone()}</option> }
                            }).collect_view()}
                        </select>
                    })
                }
                UserFieldKind::Locale => {
                    let current = value.clone();
                    EitherOf4::A(view! {
                        <select id=id.clone() name=name aria-invalid=invalid aria-describedby=described_by>
                            {LOCALES.iter().map(|locale| {
                                view! { <option value=*locale selected=current == *locale>{locale_name(locale)}</option> }
                            }).collect_view()}
                        </select>
                    })
                }
                UserFieldKind::LongText => EitherOf4::B(view! {
                    <textarea id=id.clone() name=name rows="3" aria-invalid=invalid aria-describedby=described_by>{value}</textarea>
                }),
                kind => {
                    let mode = match kind {
                        UserFieldKind::Email => "email",
                        UserFieldKind::Site => "url",
                        _ => "text",
                    };
                    let placeholder = (kind == UserFieldKind::Timezone).then_some("e.g. Europe/Athens");
                    EitherOf4::C(view! {
                        <input
                            id=id.clone()
                            name=name
                            type="text"
                            inputmode=mode
                            value=value
                            placeholder=placeholder
                            aria-required=required.to_string()
                            aria-invalid=invalid
                            aria-describedby=described_by
                        />
                    })
                }
            };
            let wide = matches!(spec.kind, UserFieldKind::LongText) || key == "address";
            view! {
                <div class="field" class:field-wide=wide class:field-invalid=move || message().is_some()>
                    <div class="field-label">
                        <label for=id>{spec.label}</label>
                        {required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
                    </div>
                    {input}
                    {move || message().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
                </div>
            }
        })
        .collect_view()
}

fn locale_name(code: &str) -> &'static str {
    match code {
        "en" => "English",
        "de" => "Deutsch",
        "el" => "Ελληνικά",
        "es" => "Español",
        "fr" => "Français",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "pt" => "Português",
        _ => "Other",
    }
}
