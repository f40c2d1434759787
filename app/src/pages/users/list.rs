use crate::api::users::list_users;
use crate::components::data_list::{Column, DataList, ListFilter, ListText};
use crate::components::notice::Notice;
use crate::domain::list::{ListParams, Page};
use crate::domain::time::format_short;
use crate::domain::user::{UserSummary, USER_SORTS};
use crate::domain::Role;
use crate::error::ApiError;
use leptos::prelude::*;
use leptos_meta::Title;

const TEXT: ListText = ListText {
    base: "/users",
    noun: "users",
    search_label: "Search users",
    search_placeholder: "Email, username or name",
    default_sort: "email",
};

fn columns() -> Vec<Column<UserSummary>> {
    vec![
        Column::new("email", "Email", |u: &UserSummary| {
            view! { <a href=format!("/users/{}", u.id)>{u.email.clone()}</a> }.into_any()
        })
        .sortable(),
        Column::new("last_name", "Name", |u: &UserSummary| {
            // No name set: the cell stays empty rather than repeating the email.
            let name = u.display_name();
            if name == u.email {
                String::new().into_any()
            } else {
                name.into_any()
            }
        })
        .sortable(),
        Column::new("role", "Role", |u: &UserSummary| {
            view! { <span class="badge">{u.role.as_str()}</span> }.into_any()
        })
        .sortable(),
        Column::new("organization", "Organization", |u: &UserSummary| {
            let organization = &u.organization;
            view! { <a href=format!("/organizations/{}", organization.id)>{organization.name.clone()}</a> }
                .into_any()
        }),
        Column::new("last_sign_in_at", "Last sign-in", |u: &UserSummary| {
            u.last_sign_in_at
                .as_ref()
                .map(format_short)
                .unwrap_or_else(|| "never".into())
                .into_any()
        })
        .sortable(),
        Column::new("created_at", "Created", |u: &UserSummary| {
            format_short(&u.created_at).into_any()
        })
        .sortable(),
    ]
}

async fn fetch(p: ListParams) -> Result<Page<UserSummary>, ApiError> {
    let role = p.filter("role");
    let organization_id = p.filter("organization_id");
    list_users(p.q, p.sort, p.page, p.per_page, role, organization_id).await
}

fn filters() -> Vec<ListFilter> {
    let mut roles = vec![(String::new(), "Any role".to_string())];
    roles.extend(
        Role::ALL
            .iter()
            .map(|role| (role.as_str().to_string(), role.as_str().to_string())),
    );
    vec![
        ListFilter {
            key: "role",
            label: "Role",
            options: roles,
        },
        // Set by an organization's "Members" link.
        ListFilter {
            key: "organization_id",
            label: "One organization's members.",
            options: Vec::new(),
        },
    ]
}

/// The users the signed-in admin may see; the whole state is in the URL, so it works without
/// JavaScript too.
#[component]
pub fn UserListPage() -> impl IntoView {
    view! {
        <Title text="Users"/>
        <Notice/>
        <div class="page-header">
            <div>
                <h1>"Users"</h1>
                <p class="muted">"Search, filter and open the users you administer."</p>
            </div>
            <div class="page-actions">
                <a class="btn" href="/users/import">"Import"</a>
                <a class="btn btn-primary" href="/users/new">"Invite"</a>
            </div>
        </div>
        <DataList text=TEXT sorts=&USER_SORTS columns=columns() fetch=fetch export_href=export_href filters=filters()/>
    }
}

/// The export takes the list's search, filters and sort.
fn export_href(params: &ListParams) -> String {
    crate::url::with_query(
        "/v2/users/export",
        &[
            ("q", params.q.clone().filter(|q| !q.trim().is_empty())),
            ("q[role]", params.filter("role")),
            ("q[organization_id]", params.filter("organization_id")),
            ("sort_by", params.sort.clone()),
        ],
    )
}
