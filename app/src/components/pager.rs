//! Previous / next links under a list, with where the reader is.

use leptos::prelude::*;
use model::list::page_count;

#[component]
pub fn Pager<H>(
    /// The current page, 0-based.
    page: u32,
    page_size: u32,
    /// Items in the whole filtered list.
    total: u64,
    /// What the list holds, plural ("environments").
    noun: &'static str,
    /// The list's URL at a page, keeping its search, order and filters.
    href: H,
    #[prop(default = "‹ Previous")] previous: &'static str,
    #[prop(default = "Next ›")] next: &'static str,
    /// The navigation's name: two pagers on one page need names of their own.
    #[prop(default = "Pages")]
    label: &'static str,
) -> impl IntoView
where
    H: Fn(u32) -> String,
{
    let pages = page_count(total, page_size);
    let prev = (page > 0).then(|| href(page - 1));
    let after = (page + 1 < pages).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label=label>
            {prev.map(|h| view! { <a href=h rel="prev">{previous}</a> })}
            <span data-testid="page-status">
                {format!("Page {} of {} · {total} {noun}", page + 1, pages.max(1))}
            </span>
            {after.map(|h| view! { <a href=h rel="next">{next}</a> })}
        </nav>
    }
}
