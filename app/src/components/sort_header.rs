//! The header of a sortable column: a link to the same list sorted by it, flipping the
//! direction when the list is already sorted by it.

use leptos::prelude::*;
use model::list::{Direction, Order, SortField};

#[component]
pub fn SortHeader<F, H>(
    current: Order<F>,
    field: F,
    label: &'static str,
    /// The list's URL for an order (page reset to the first).
    href: H,
    /// The direction a first click sorts in.
    #[prop(default = Direction::Asc)]
    first: Direction,
) -> impl IntoView
where
    F: SortField + Send + Sync,
    H: Fn(Order<F>) -> String,
{
    let active = current.field == field;
    let direction = if active {
        current.direction.flip()
    } else {
        first
    };
    let (aria, arrow) = match (active, current.direction) {
        (false, _) => ("none", ""),
        (true, Direction::Asc) => ("ascending", " ▲"),
        (true, Direction::Desc) => ("descending", " ▼"),
    };
    view! {
        <th aria-sort=aria scope="col">
            <a href=href(Order { field, direction }) data-sort=field.name()>{label}{arrow}</a>
        </th>
    }
}
