use crate::api::organizations::list_organizations;
use crate::components::data_list::{Column, DataList, ListText};
use crate::components::notice::Notice;
use crate::domain::list::{ListParams, Page};
use crate::domain::organization::{OrganizationSummary, ORGANIZATION_SORTS};
use crate::domain::text::group_thousands;
use crate::domain::time::format_short;
use crate::domain::user::CurrentUser;
use crate::domain::Role;
use crate::error::ApiError;
use leptos::prelude::*;
use leptos_meta::Title;

const TEXT: ListText = ListText {
    base: "/organizations",
    noun: "organizations",
    search_label: "Search organizations",
    search_placeholder: "Name or company name",
    default_sort: "name",
};

fn columns() -> Vec<Column<OrganizationSummary>> {
    vec![
        Column::new("name", "Name", |o: &OrganizationSummary| {
            view! { <a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a> }.into_any()
        })
        .sortable(),
        Column::new("company_name", "Company name", |o: &OrganizationSummary| {
            o.company_name.clone().into_any()
        })
        .sortable(),
        Column::new("country", "Country", |o: &OrganizationSummary| {
            o.country.clone().unwrap_or_default().into_any()
        })
        .sortable(),
        Column::new("city", "City", |o: &OrganizationSummary| {
            o.city.clone().unwrap_or_default().into_any()
        }),
        Column::new("users_count", "Users", |o: &OrganizationSummary| {
            group_thousands(o.users_count.max(0) as u64).into_any()
        })
        .numeric(),
        Column::new("created_at", "Created", |o: &OrganizationSummary| {
            format_short(&o.created_at).into_any()
        })
        .sortable(),
    ]
}

async fn fetch(p: ListParams) -> Result<Page<OrganizationSummary>, ApiError> {
    list_organizations(p.q, p.sort, p.page, p.per_page).await
}

/// The list keeps its whole state in the URL: a search is a link, and search, sort and paging all
/// work without JavaScript.
#[component]
pub fn OrganizationListPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let can_create = user.role == Role::SuperAdmin;
    view! {
        <Title text="Organizations"/>
        <Notice/>
        <div class="page-header">
            <div>
                <h1>"Organizations"</h1>
                <p class="muted">"Search, sort and open the organizations you administer."</p>
            </div>
            <div class="page-actions">
                {can_create.then(|| view! { <a class="btn btn-primary" href="/organizations/new">"New organization"</a> })}
            </div>
        </div>
        <DataList text=TEXT sorts=&ORGANIZATION_SORTS columns=columns() fetch=fetch export_href=export_href/>
    }
}

/// The export takes the list's search (the UI's `q` searches names) and sort.
fn export_href(params: &ListParams) -> String {
    crate::url::with_query(
        "/v2/organizations/export",
        &[
            ("q", params.q.clone().filter(|q| !q.trim().is_empty())),
            ("sort_by", params.sort.clone()),
        ],
    )
}
