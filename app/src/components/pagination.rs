//! "Previous · Page 2 of 9 · Next" as plain links, so paging works without JavaScript.

use crate::domain::list::PageMeta;
use leptos::prelude::*;

#[component]
pub fn Pagination(meta: PageMeta, href: impl Fn(u32) -> String + 'static) -> impl IntoView {
    let total_pages = meta.total_pages.max(1);
    let first = if meta.total_count == 0 {
        0
    } else {
        (u64::from(meta.page) - 1) * u64::from(meta.per_page) + 1
    };
    let last = (u64::from(meta.page) * u64::from(meta.per_page)).min(meta.total_count);
    let previous = (meta.page > 1).then(|| href(meta.page - 1));
    let next = (u64::from(meta.page) < meta.total_pages).then(|| href(meta.page + 1));
    view! {
        <nav class="pagination" aria-label="Pagination">
            <span class="pagination-summary">
                {format!("Showing {first}–{last} of {}", meta.total_count)}
            </span>
            <div class="pagination-links">
                {match previous {
                    Some(url) => view! { <a class="btn" href=url rel="prev">"Previous"</a> }.into_any(),
                    None => view! { <span class="btn" aria-disabled="true">"Previous"</span> }.into_any(),
                }}
                <span class="pagination-page">{format!("Page {} of {}", meta.page, total_pages)}</span>
                {match next {
                    Some(url) => view! { <a class="btn" href=url rel="next">"Next"</a> }.into_any(),
                    None => view! { <span class="btn" aria-disabled="true">"Next"</span> }.into_any(),
                }}
            </div>
        </nav>
    }
}
