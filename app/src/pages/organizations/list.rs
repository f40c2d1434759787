use crate::api::organizations::list_organizations;
use crate::components::pagination::Pagination;
use crate::domain::list::{ListParams, Sort};
use crate::domain::organization::ORGANIZATION_SORTS;
use crate::domain::time::format_short;
use crate::domain::user::CurrentUser;
use crate::domain::Role;
use crate::url::with_query;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

const PER_PAGE_CHOICES: [&str; 4] = ["10", "25", "50", "100"];

/// The list keeps its whole state in the URL (`?q=&sort=&page=&per_page=`): a search is a link,
/// and search, sort and paging all work without JavaScript.
#[component]
pub fn OrganizationListPage() -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        ListParams {
            q: q.get("q"),
            sort: q.get("sort"),
            page: q.get("page"),
            per_page: q.get("per_page"),
        }
    });
    let page = Resource::new(
        move || params.get(),
        |p| list_organizations(p.q, p.sort, p.page, p.per_page),
    );

    let current_sort = move || {
        params
            .read()
            .sort
            .as_deref()
            .and_then(|s| Sort::parse(s, &ORGANIZATION_SORTS).ok())
            .unwrap_or(Sort {
                field: "name".into(),
                descending: false,
            })
    };
    let href = move |sort: Option<String>, page: Option<u32>, per_page: Option<String>| {
        let p = params.get_untracked();
        with_query(
            "/organizations",
            &[
                ("q", p.q.clone()),
                ("sort", sort),
                ("page", page.filter(|n| *n > 1).map(|n| n.to_string())),
                ("per_page", per_page),
            ],
        )
    };

    let sort_header = move |field: &'static str, label: &'static str| {
        let sorted = move || {
            let sort = current_sort();
            (sort.field == field).then_some(sort.descending)
        };
        let aria_sort = move || match sorted() {
            Some(true) => "descending",
            Some(false) => "ascending",
            None => "none",
        };
        let link = move || {
            let next = Sort {
                field: field.to_string(),
                descending: sorted() == Some(false),
            };
            href(Some(next.to_param()), None, params.read().per_page.clone())
        };
        let arrow = move || match sorted() {
            Some(true) => "▼",
            Some(false) => "▲",
            None => "",
        };
        view! {
            <th scope="col" aria-sort=aria_sort>
                <a href=link class="sort-link">{label}<span class="sort-arrow" aria-hidden="true">{arrow}</span></a>
            </th>
        }
    };

    let search_value = move || params.read().q.clone().unwrap_or_default();
    let per_page_value = move || {
        params
            .read()
            .per_page
            .clone()
            .unwrap_or_else(|| "25".into())
    };
    let sort_value = move || params.read().sort.clone().unwrap_or_default();
    let can_create = user.role == Role::SuperAdmin;

    view! {
        <Title text="Organizations"/>
        <div class="page-header">
            <div>
                <h1>"Organizations"</h1>
                <p class="muted">"Search, sort and open the organizations you administer."</p>
            </div>
            <div class="page-actions">
                <a class="btn" href=move || format!("/v2/organizations/export?{}", export_query(&params.get())) download>"Export CSV"</a>
                {can_create.then(|| view! { <a class="btn btn-primary" href="/organizations/new">"New organization"</a> })}
            </div>
        </div>
        <Form method="GET" action="/organizations" attr:class="toolbar" attr:role="search">
            <div class="field field-inline">
                <label for="organization-search">"Search organizations"</label>
                <input id="organization-search" type="search" name="q" value=search_value placeholder="Name or company name"/>
            </div>
            <input type="hidden" name="sort" value=sort_value/>
            <div class="field field-inline">
                <label for="per-page">"Per page"</label>
                <select id="per-page" name="per_page" on:change=move |ev| {
                    #[cfg(feature = "hydrate")]
                    {
                        use wasm_bindgen::JsCast;
                        if let Some(form) = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                            .and_then(|select| select.form())
                        {
                            let _ = form.request_submit();
                        }
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = ev;
                }>
                    {PER_PAGE_CHOICES.into_iter().map(|n| view! {
                        <option value=n selected=move || per_page_value() == n>{n}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="btn">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <div class="card" aria-busy="true"><p class="muted">"Loading organizations…"</p></div> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(err) => EitherOf3::A(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                    Ok(result) if result.items.is_empty() => EitherOf3::B(view! {
                        <div class="card empty-state">
                            <h2>"No organizations found"</h2>
                            <p class="muted">
                                {if params.read_untracked().q.is_some() { "Try another search." } else { "Nothing here yet." }}
                            </p>
                        </div>
                    }),
                    Ok(result) => {
                        let meta = result.meta;
                        EitherOf3::C(view! {
                            <div class="card table-card">
                                <div class="table-wrap">
                                    <table class="table">
                                        <caption class="sr-only">"Organizations"</caption>
                                        <thead>
                                            <tr>
                                                {sort_header("name", "Name")}
                                                {sort_header("company_name", "Company name")}
                                                {sort_header("country", "Country")}
                                                <th scope="col">"City"</th>
                                                <th scope="col" class="numeric">"Users"</th>
                                                {sort_header("created_at", "Created")}
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {result.items.into_iter().map(|o| {
                                                let a = o.attributes;
                                                view! {
                                                    <tr>
                                                        <td><a href=format!("/organizations/{}", o.id)>{a.name}</a></td>
                                                        <td>{a.company_name}</td>
                                                        <td>{a.country.unwrap_or_default()}</td>
                                                        <td>{a.city.unwrap_or_default()}</td>
                                                        <td class="numeric">{a.users_count}</td>
                                                        <td>{format_short(&a.created_at)}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pagination meta href=move |n| href(params.read_untracked().sort.clone(), Some(n), params.read_untracked().per_page.clone())/>
                            </div>
                        })
                    }
                }
            })}
        </Transition>
    }
}

/// The export takes the list's filters (the UI's `q` searches names) and sort.
fn export_query(params: &ListParams) -> String {
    let mut pairs = Vec::new();
    if let Some(q) = params.q.as_deref().filter(|q| !q.trim().is_empty()) {
        pairs.push(format!("q={}", crate::url::encode_component(q)));
    }
    if let Some(sort) = params.sort.as_deref().filter(|s| !s.is_empty()) {
        pairs.push(format!("sort_by={}", crate::url::encode_component(sort)));
    }
    pairs.join("&")
}
