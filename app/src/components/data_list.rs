//! The list every collection screen is built from: a search box, sortable column headers,
//! per-page choice, a CSV link, pagination (top and bottom, with a page number you can type),
//! loading and empty states. Its whole state lives in the URL (`?q=&sort=&page=&per_page=`), so a
//! search is a link and everything works as plain links and GET forms before (or without) the
//! wasm; once hydrated the router does the same in place.

use crate::components::pagination::Pagination;
use crate::domain::list::{ListParams, Page, PageMeta, Sort};
use crate::domain::text::group_thousands;
use crate::error::ApiError;
use crate::resources::resource;
use crate::url::with_query;
use leptos::either::{Either, EitherOf4};
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

pub const PER_PAGE_CHOICES: [&str; 4] = ["10", "25", "50", "100"];

/// One column: its header, how a row shows in it, and whether it sorts (by `key`).
pub struct Column<T> {
    pub key: &'static str,
    pub label: &'static str,
    pub sortable: bool,
    pub numeric: bool,
    pub cell: fn(&T) -> AnyView,
}

impl<T> Column<T> {
    pub fn new(key: &'static str, label: &'static str, cell: fn(&T) -> AnyView) -> Column<T> {
        Column {
            key,
            label,
            sortable: false,
            numeric: false,
            cell,
        }
    }

    pub fn sortable(mut self) -> Column<T> {
        self.sortable = true;
        self
    }

    pub fn numeric(mut self) -> Column<T> {
        self.numeric = true;
        self
    }
}

/// A choice that narrows the list (`role`: User, Admin, Super Admin), kept in the URL under `key`.
#[derive(Clone)]
pub struct ListFilter {
    pub key: &'static str,
    pub label: &'static str,
    /// `(value, label)`; the empty value ("any") comes first by itself. Without options the filter
    /// has no control: it is set by a link (an organization's members) and shown as a removable
    /// note.
    pub options: Vec<(String, String)>,
}

/// What a list screen says about itself.
#[derive(Clone, Copy)]
pub struct ListText {
    /// Its path (`/organizations`): links and forms point here.
    pub base: &'static str,
    /// Plural noun, lower case ("organizations"): captions, empty states, the loading line.
    pub noun: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    /// As the server sorts without `sort`: `email`, or `created_at:desc`.
    pub default_sort: &'static str,
}

/// The list's URL state, with the values of the filters named `filter_keys`.
pub fn use_list_params(filter_keys: Vec<&'static str>) -> Memo<ListParams> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        ListParams {
            q: q.get("q"),
            sort: q.get("sort"),
            page: q.get("page"),
            per_page: q.get("per_page"),
            filters: filter_keys
                .iter()
                .map(|key| (key.to_string(), q.get(key).unwrap_or_default()))
                .collect(),
        }
    })
}

#[component]
pub fn DataList<T, Fut>(
    text: ListText,
    /// Sortable fields, as the server accepts them.
    sorts: &'static [&'static str],
    columns: Vec<Column<T>>,
    /// Loads one page for the URL state (a server function).
    fetch: fn(ListParams) -> Fut,
    /// The CSV export of the same filters, if the collection has one.
    #[prop(optional)]
    export_href: Option<fn(&ListParams) -> String>,
    /// Choices beside the search box (role, organization, …).
    #[prop(optional)]
    filters: Vec<ListFilter>,
    /// Loads the page again whenever it changes (after an action on a row, say).
    #[prop(optional, into)]
    reload: Option<Signal<u64>>,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + Send + 'static,
{
    let params = use_list_params(filters.iter().map(|f| f.key).collect());
    let page = resource(
        move || (params.get(), reload.map(|r| r.get()).unwrap_or_default()),
        move |(p, _)| fetch(p),
    );
    let pending = RwSignal::new(false);
    let results = NodeRef::<html::Div>::new();
    // Set when the user pages or sorts, so that focus follows them to the new rows (see
    // `focus_results`) instead of falling back to the page when the link they used is replaced.
    let move_focus = RwSignal::new(false);
    let focus_results = move || {
        // An effect runs once the rows it belongs to are in the document.
        Effect::new(move |_| {
            if move_focus.get_untracked() {
                move_focus.set(false);
                if let Some(region) = results.get_untracked() {
                    let _ = region.focus();
                }
            }
        });
    };

    let href = move |sort: Option<String>, page: Option<u64>, per_page: Option<String>| {
        let p = params.get_untracked();
        let mut pairs = vec![("q", p.q.clone())];
        pairs.extend(p.filter_pairs());
        pairs.extend([
            ("sort", sort),
            ("page", page.filter(|n| *n > 1).map(|n| n.to_string())),
            ("per_page", per_page),
        ]);
        with_query(text.base, &pairs)
    };
    let current_sort = move || {
        params
            .read()
            .sort
            .as_deref()
            .and_then(|s| Sort::parse(s, sorts).ok())
            .or_else(|| Sort::parse(text.default_sort, sorts).ok())
            .unwrap_or(Sort {
                field: text.default_sort.into(),
                descending: false,
            })
    };
    let columns = StoredValue::new(columns);

    let header = move |column: &Column<T>| {
        let (key, label, numeric) = (column.key, column.label, column.numeric);
        if !column.sortable {
            return Either::Left(view! { <th scope="col" class:numeric=numeric>{label}</th> });
        }
        let sorted = move || {
            let sort = current_sort();
            (sort.field == key).then_some(sort.descending)
        };
        let aria_sort = move || match sorted() {
            Some(true) => "descending",
            Some(false) => "ascending",
            None => "none",
        };
        let link = move || {
            let next = Sort {
                field: key.to_string(),
                descending: sorted() == Some(false),
            };
            href(Some(next.to_param()), None, params.read().per_page.clone())
        };
        let arrow = move || match sorted() {
            Some(true) => "▼",
            Some(false) => "▲",
            None => "",
        };
        Either::Right(view! {
            <th scope="col" class:numeric=numeric aria-sort=aria_sort>
                <a href=link class="sort-link" on:click=move |_| move_focus.set(true)>
                    {label}<span class="sort-arrow" aria-hidden="true">{arrow}</span>
                </a>
            </th>
        })
    };

    let page_href = move |n: u64| {
        let p = params.get_untracked();
        href(p.sort.clone(), Some(n), p.per_page.clone())
    };
    let pager = move |meta: PageMeta, position: &'static str| {
        view! {
            <Pagination meta href=page_href base=text.base params=params.get_untracked()
                label=position on_navigate=Callback::new(move |_| move_focus.set(true))/>
        }
    };

    let body = move |result: Result<Page<T>, ApiError>| match result {
        Err(err) => EitherOf4::A(view! {
            <div class="alert alert-error" role="alert">{err.message}</div>
        }),
        Ok(result) if result.items.is_empty() && result.meta.total_count > 0 => {
            // Past the last page (an old link, or a row deleted meanwhile): say so and offer a way back.
            let last = result.meta.total_pages;
            EitherOf4::B(view! {
                <div class="card empty-state">
                    <h2>{format!("Page {} is past the end", result.meta.page)}</h2>
                    <p class="muted">{if last == 1 { format!("There is 1 page of {}.", text.noun) } else { format!("There are {} pages of {}.", group_thousands(last), text.noun) }}</p>
                    <a class="btn" href=page_href(last)>"Go to the last page"</a>
                </div>
            })
        }
        Ok(result) if result.items.is_empty() => {
            let searched = params
                .read_untracked()
                .q
                .clone()
                .filter(|q| !q.trim().is_empty());
            EitherOf4::C(view! {
                <div class="card empty-state">
                    {match searched {
                        Some(q) => Either::Left(view! {
                            <h2>{format!("No {} match “{q}”", text.noun)}</h2>
                            <p class="muted">"Check the spelling or search for part of the name."</p>
                            <a class="btn" href=text.base>"Clear the search"</a>
                        }),
                        None => Either::Right(view! {
                            <h2>{format!("No {} yet", text.noun)}</h2>
                        }),
                    }}
                </div>
            })
        }
        Ok(result) => {
            let meta = result.meta;
            focus_results();
            EitherOf4::D(view! {
                {meta.total_capped.then(|| view! {
                    <p class="muted list-hint">{format!(
                        "More than {} {} match; refine the search to narrow them down.",
                        group_thousands(meta.total_count), text.noun
                    )}</p>
                })}
                {pager(meta, "Pagination, top")}
                <div class="card table-card">
                    <table class="table stackable">
                        <caption class="sr-only">{format!("{}, page {} of {}", capitalized(text.noun), meta.page, meta.total_pages.max(1))}</caption>
                        <thead>
                            <tr>{move || columns.with_value(|cols| cols.iter().map(header).collect_view())}</tr>
                        </thead>
                        <tbody>
                            {result.items.into_iter().map(|item| view! {
                                <tr>
                                    {columns.with_value(|cols| cols.iter().map(|c| view! {
                                        <td class:numeric=c.numeric data-label=c.label>{(c.cell)(&item)}</td>
                                    }).collect_view())}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                {pager(meta, "Pagination, bottom")}
            })
        }
    };

    let search_id = format!("{}-search", text.noun);
    let per_page_id = format!("{}-per-page", text.noun);
    view! {
        <Form method="GET" action=text.base attr:class="toolbar" attr:role="search">
            <div class="field field-inline">
                <label for=search_id.clone()>{text.search_label}</label>
                <input id=search_id type="search" name="q" maxlength="200"
                    value=move || params.read().q.clone().unwrap_or_default()
                    placeholder=text.search_placeholder/>
            </div>
            {filters.into_iter().map(|filter| {
                let id = format!("{}-{}", text.noun, filter.key);
                let key = filter.key;
                let chosen = move || params.read().filter(key).unwrap_or_default();
                if filter.options.is_empty() {
                    // Kept through searches and paging; "Show all" drops it.
                    let without = move || {
                        let p = params.get();
                        let mut pairs = vec![("q", p.q.clone())];
                        pairs.extend(p.filter_pairs().into_iter().filter(|(k, _)| *k != key));
                        pairs.push(("sort", p.sort.clone()));
                        with_query(text.base, &pairs)
                    };
                    return Either::Left(move || (!chosen().is_empty()).then(|| view! {
                        <input type="hidden" name=key value=chosen/>
                        <p class="filter-note">
                            {filter.label} " " <a href=without>"Show all"</a>
                        </p>
                    }));
                }
                Either::Right(view! {
                    <div class="field field-inline">
                        <label for=id.clone()>{filter.label}</label>
                        <select id=id name=key>
                            {filter.options.into_iter().map(|(value, label)| {
                                let selected_value = value.clone();
                                view! { <option value=value selected=move || chosen() == selected_value>{label}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                })
            }).collect_view()}
            <input type="hidden" name="sort" value=move || params.read().sort.clone().unwrap_or_default()/>
            <PerPage id=per_page_id current=Signal::derive(move || params.read().per_page.clone().unwrap_or_else(|| "25".into()))/>
            <button type="submit" class="btn">"Search"</button>
            {export_href.map(|export| view! {
                <a class="btn toolbar-end" href=move || export(&params.get()) download>"Export CSV"</a>
            })}
        </Form>
        <div class="list-status" role="status" aria-live="polite">
            {move || pending.get().then(|| format!("Loading {}…", text.noun))}
        </div>
        <div class="list-results" node_ref=results tabindex="-1" aria-label=capitalized(text.noun)
            aria-busy=move || pending.get().to_string() class:is-loading=move || pending.get()>
            <Transition set_pending=pending.write_only() fallback=move || view! {
                <div class="card" aria-busy="true"><p class="muted">{format!("Loading {}…", text.noun)}</p></div>
            }>
                {move || Suspend::new(async move { body(page.await) })}
            </Transition>
        </div>
    }
}

fn capitalized(noun: &str) -> String {
    let mut chars = noun.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The per-page choice. With the wasm it applies at once when picked with the mouse, but not on
/// every ArrowDown (Chrome fires `change` for each): keyboard users apply it with Enter or by
/// leaving the field. Without the wasm the Search button submits it.
#[component]
fn PerPage(id: String, current: Signal<String>) -> impl IntoView {
    let changed_by_keyboard = StoredValue::new(false);
    let submit = move |ev: &leptos::ev::Event| {
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
    };
    view! {
        <div class="field field-inline">
            <label for=id.clone()>"Per page"</label>
            <select id=id name="per_page"
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && changed_by_keyboard.get_value() {
                        changed_by_keyboard.set_value(false);
                        ev.prevent_default();
                        submit(&ev);
                    } else if ev.key().starts_with("Arrow") || ev.key() == "Home" || ev.key() == "End" {
                        changed_by_keyboard.set_value(true);
                    }
                }
                on:change=move |ev| {
                    if !changed_by_keyboard.get_value() {
                        submit(&ev);
                    }
                }
                on:blur=move |ev| {
                    if changed_by_keyboard.get_value() {
                        changed_by_keyboard.set_value(false);
                        submit(&ev);
                    }
                }>
                {PER_PAGE_CHOICES.into_iter().map(|n| view! {
                    <option value=n selected=move || current.get() == n>{n}</option>
                }).collect_view()}
            </select>
        </div>
    }
}
