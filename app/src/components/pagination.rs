//! "Showing 51–75 of 2,001 · First · Previous · Page [3] of 81 · Next · Last", as plain links and a
//! GET form, so paging works without JavaScript.

use crate::domain::list::{ListParams, PageMeta};
use crate::domain::text::group_thousands;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Form;

#[component]
pub fn Pagination(
    meta: PageMeta,
    /// The link to page `n` with the rest of the list's state.
    href: impl Fn(u64) -> String + Copy + Send + Sync + 'static,
    /// The list's path, for the page-number form.
    base: &'static str,
    /// The list's state, carried by the page-number form.
    params: ListParams,
    /// The navigation landmark's name (two of these on a page need different names).
    #[prop(into)]
    label: String,
    /// Told when the user follows one of the links (the list then moves focus to the new rows).
    on_navigate: Callback<()>,
) -> impl IntoView {
    let total_pages = meta.total_pages.max(1);
    let page = u64::from(meta.page);
    let first = if meta.total_count == 0 {
        0
    } else {
        (page - 1) * u64::from(meta.per_page) + 1
    };
    let last = (page * u64::from(meta.per_page)).min(meta.total_count);
    let link = move |target: Option<u64>,
                     text: &'static str,
                     name: &'static str,
                     rel: &'static str| match target {
        Some(n) => Either::Left(view! {
            <a class="btn" href=href(n) rel=rel aria-label=name on:click=move |_| on_navigate.run(())>{text}</a>
        }),
        None => Either::Right(view! {
            <span class="btn" aria-disabled="true" aria-label=name>{text}</span>
        }),
    };
    let hidden = |name: String, value: Option<String>| {
        value
            .filter(|v| !v.is_empty())
            .map(|value| view! { <input type="hidden" name=name value=value/> })
    };
    let filters: Vec<(String, Option<String>)> = params
        .filter_pairs()
        .into_iter()
        .map(|(key, value)| (key.to_string(), value))
        .collect();
    view! {
        <nav class="pagination" aria-label=label>
            <span class="pagination-summary">
                {format!("Showing {}–{} of {}{}", group_thousands(first), group_thousands(last),
                    if meta.total_capped { "more than " } else { "" }, group_thousands(meta.total_count))}
            </span>
            <div class="pagination-links">
                {link((page > 1).then_some(1), "«", "First page", "first")}
                {link((page > 1).then(|| page - 1), "‹ Previous", "Previous page", "prev")}
                <Form method="GET" action=base attr:class="pagination-jump">
                    {hidden("q".into(), params.q)}
                    {filters.into_iter().map(|(key, value)| hidden(key, value)).collect_view()}
                    {hidden("sort".into(), params.sort)}
                    {hidden("per_page".into(), params.per_page)}
                    <label>
                        "Page "
                        <input type="number" name="page" min="1" max=total_pages.to_string()
                            value=page.to_string() inputmode="numeric" class="page-input"/>
                        {format!(" of {}{}", group_thousands(total_pages), if meta.total_capped { "+" } else { "" })}
                    </label>
                    <button type="submit" class="btn" on:click=move |_| on_navigate.run(())>"Go"</button>
                </Form>
                {link((page < meta.total_pages).then(|| page + 1), "Next ›", "Next page", "next")}
                {link((page < meta.total_pages).then_some(meta.total_pages), "»", "Last page", "last")}
            </div>
        </nav>
    }
}
