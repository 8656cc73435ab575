//! One side of a transfer list. Each pane fetches its own page into its own signals, so a
//! search or a page change updates that pane only: nothing else on the page reloads, blanks,
//! scrolls or loses focus, and the old rows stay until the new ones arrive.

use super::staging::{Mark, Staging};
use super::{Side, SidePage, TransferItem, TransferSource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::error::ApiError;
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

/// How long typing must pause before a pane searches.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);
/// Staged items listed at the top of a pane at most; a search narrows the rest.
const INCOMING_SHOWN: usize = 100;

type Row = (TransferItem, Mark);

#[derive(Clone, Copy)]
pub struct Pane {
    pub side: Side,
    /// What is in the search box now; `search` follows it once typing pauses.
    typed: RwSignal<String>,
    pub search: RwSignal<String>,
    pub page: RwSignal<u32>,
    data: RwSignal<Option<Result<SidePage, ApiError>>>,
    loading: RwSignal<bool>,
    /// Chosen items, kept across searches and pages until they are moved.
    pub selected: RwSignal<BTreeMap<Uuid, TransferItem>>,
    /// The row that holds the list's one Tab stop.
    active: RwSignal<Option<Uuid>>,
    generation: StoredValue<u64>,
}

impl Pane {
    pub fn new(side: Side) -> Self {
        Pane {
            side,
            typed: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
            page: RwSignal::new(0),
            data: RwSignal::new(None),
            loading: RwSignal::new(false),
            selected: RwSignal::new(BTreeMap::new()),
            active: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Fetches the pane's page whenever its search, its page or `version` (bumped by a save)
    /// changes. An answer overtaken by a newer request is dropped.
    pub fn load(self, source: TransferSource, page_size: u32, version: RwSignal<u32>) {
        Effect::new(move |_| {
            let (search, page, _) = (self.search.get(), self.page.get(), version.get());
            let generation = self.generation.get_value() + 1;
            self.generation.set_value(generation);
            self.loading.set(true);
            let fetch = (source.page)(self.side, search, page, page_size);
            spawn_local(async move {
                let result = fetch.await;
                if self.generation.get_value() != generation {
                    return;
                }
                // Everything on the last page was moved away: show the page before it.
                if let Ok((items, total)) = &result {
                    let last = total.div_ceil(u64::from(page_size)).max(1) as u32 - 1;
                    if items.is_empty() && page > last {
                        self.page.set(last);
                        return;
                    }
                }
                self.data.set(Some(result));
                self.loading.set(false);
            });
        });
    }

    pub fn searching(&self) -> bool {
        self.search.with(|s| !s.trim().is_empty())
    }

    pub fn on_server(&self) -> u64 {
        self.data
            .with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(|(_, n)| *n))
            .unwrap_or(0)
    }

    /// The selected items, and the selection cleared.
    pub fn take_selected(&self) -> Vec<TransferItem> {
        let chosen = self.selected.get_untracked();
        self.selected.set(BTreeMap::new());
        chosen.into_values().collect()
    }

    /// What the pane lists: the items staged into it that match its search, then the server's
    /// page, each marked.
    fn rows(&self, staging: RwSignal<Staging>) -> Memo<Vec<Row>> {
        let p = *self;
        Memo::new(move |_| {
            let search = p.search.get();
            staging.with(|s| {
                let mut rows: Vec<Row> = s
                    .incoming_matching(p.side, &search)
                    .into_iter()
                    .take(INCOMING_SHOWN)
                    .map(|i| (i, Mark::Incoming))
                    .collect();
                p.data.with(|d| {
                    if let Some(Ok((items, _))) = d {
                        rows.extend(items.iter().map(|i| (i.clone(), s.mark(p.side, &i.id))));
                    }
                });
                rows
            })
        })
    }
}

/// The pane: a heading with its counts, a search box that searches as you type, the list
/// (one Tab stop, arrow keys move within it) and its pager.
#[component]
pub fn PaneView(
    pane: Pane,
    staging: RwSignal<Staging>,
    noun: String,
    page_size: u32,
) -> impl IntoView {
    let p = pane;
    let (title, base) = match p.side {
        Side::Available => ("Available", "available"),
        Side::Assigned => ("Assigned", "assigned"),
    };
    let rows = p.rows(staging);
    // The row whose checkbox takes Tab: the one last focused while it is still listed, else
    // the first that can be chosen.
    let tab_stop = Memo::new(move |_| {
        rows.with(|rows| {
            let choosable = || rows.iter().filter(|(_, m)| *m != Mark::Leaving);
            let active = p.active.get();
            choosable()
                .find(|(i, _)| Some(i.id) == active)
                .or_else(|| choosable().next())
                .map(|(i, _)| i.id)
        })
    });
    let count = move || {
        if p.data.with(Option::is_none) {
            return "…".to_string();
        }
        staging.with(|s| s.count_words(p.side, p.on_server(), p.searching()))
    };
    let selected_words = move || {
        let n = p.selected.with(BTreeMap::len);
        (n > 0).then(|| format!("{n} selected"))
    };
    let pages = move || {
        p.on_server()
            .div_ceil(u64::from(page_size))
            .max(1)
            .min(u64::from(u32::MAX)) as u32
    };
    let on_input = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        p.typed.set(typed.clone());
        set_timeout(
            move || {
                if p.typed.get_untracked() == typed && p.search.get_untracked() != typed {
                    p.search.set(typed);
                    p.page.set(0);
                }
            },
            SEARCH_DEBOUNCE,
        );
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = p.typed.get_untracked();
        if p.search.get_untracked() != typed {
            p.search.set(typed);
            p.page.set(0);
        }
    };
    let item_id = move |id: Uuid| format!("{base}-item-{id}");
    // Arrow keys, Home and End move between the list's checkboxes; Space ticks one.
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let ids: Vec<Uuid> = rows.with_untracked(|r| {
            r.iter()
                .filter(|(_, m)| *m != Mark::Leaving)
                .map(|(i, _)| i.id)
                .collect()
        });
        if ids.is_empty() {
            return;
        }
        let at = tab_stop
            .get_untracked()
            .and_then(|t| ids.iter().position(|i| *i == t))
            .unwrap_or(0);
        let to = match ev.key().as_str() {
            "ArrowDown" => (at + 1).min(ids.len() - 1),
            "ArrowUp" => at.saturating_sub(1),
            "Home" => 0,
            "End" => ids.len() - 1,
            _ => return,
        };
        ev.prevent_default();
        p.active.set(Some(ids[to]));
        if let Some(el) = document().get_element_by_id(&item_id(ids[to])) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    };
    let moving_word = match p.side {
        Side::Available => "to remove",
        Side::Assigned => "to add",
    };
    let leaving_word = match p.side {
        Side::Available => "to add",
        Side::Assigned => "to remove",
    };
    let empty_words = {
        let noun = noun.clone();
        move || {
            let search = p.search.get();
            if !search.trim().is_empty() {
                format!("No {noun} match “{}”.", search.trim())
            } else if p.side == Side::Assigned {
                format!("No {noun} assigned yet.")
            } else {
                format!("No other {noun}.")
            }
        }
    };
    let row_view = move |(item, mark): Row| {
        let id = item.id;
        let chosen = item.clone();
        let toggle = move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            let chosen = chosen.clone();
            p.selected.update(|s| {
                if on {
                    s.insert(id, chosen);
                } else {
                    s.remove(&id);
                }
            });
        };
        let words = view! {
            <span class="item-label">{item.label.clone()}</span>
            <span class="item-detail">{item.detail.clone()}</span>
            {(!item.elsewhere.is_empty()).then(|| view! { <span class="item-elsewhere">{item.elsewhere.clone()}</span> })}
        };
        match mark {
            Mark::Leaving => view! {
                <li class="leaving" data-testid="transfer-item">
                    <span class="item-row">{words}<span class="item-pending">{leaving_word}</span></span>
                </li>
            }
            .into_any(),
            _ => view! {
                <li class:pending=mark == Mark::Incoming data-testid="transfer-item">
                    <label>
                        <input type="checkbox" id=item_id(id)
                            tabindex=move || if tab_stop.get() == Some(id) { "0" } else { "-1" }
                            prop:checked=move || p.selected.with(|s| s.contains_key(&id))
                            on:focus=move |_| p.active.set(Some(id))
                            on:change=toggle />
                        {words}
                        {(mark == Mark::Incoming).then(|| view! { <span class="item-pending">{moving_word}</span> })}
                    </label>
                </li>
            }
            .into_any(),
        }
    };
    let search_label = format!("Search {base} {noun}");
    view! {
        <section class="transfer-pane" aria-labelledby=format!("{noun}-{base}-title") data-testid=format!("pane-{base}")>
            <h3 id=format!("{noun}-{base}-title")>
                // The noun, for screen readers, makes each pane's name its own: a page may hold
                // two transfer lists (a workspace's environments and teams).
                {title} <span class="visually-hidden">{format!(" {noun}")}</span> " "
                <span class="count" data-testid=format!("count-{base}") aria-live="polite">{count}</span>
                {move || selected_words().map(|w| view! {
                    " " <span class="selected-count" data-testid=format!("selected-{base}")>{w}</span>
                    <button type="button" class="btn-link" on:click=move |_| p.selected.set(BTreeMap::new())>"Clear"</button>
                })}
            </h3>
            <form class="transfer-search" on:submit=on_submit>
                <input type="search" aria-label=search_label placeholder="Search" autocomplete="off"
                    prop:value=move || p.typed.get() on:input=on_input />
            </form>
            <ul class="transfer-items" aria-label=format!("{title} {noun}") aria-busy=move || p.loading.get().to_string()
                class:updating=move || p.loading.get() && p.data.with(Option::is_some)
                on:keydown=on_keydown>
                {move || match p.data.get() {
                    None => Some(view! { <li class="loading">"Loading…"</li> }.into_any()),
                    Some(Err(e)) => Some(view! { <li class="field-error">{e.error}</li> }.into_any()),
                    Some(Ok(_)) if rows.with(Vec::is_empty) => Some(view! { <li class="empty">{empty_words()}</li> }.into_any()),
                    Some(Ok(_)) => None,
                }}
                <For each=move || rows.get() key=|(item, mark)| (item.id, *mark) children=row_view />
            </ul>
            <div class="transfer-pager">
                <button type="button" class="btn btn-small" aria-label=format!("Previous page of {base} {noun}")
                    aria-disabled=move || (p.page.get() == 0).to_string()
                    on:click=move |_| p.page.update(|n| *n = n.saturating_sub(1))>"‹"</button>
                <span>{move || format!("Page {} of {}", p.page.get() + 1, pages())}</span>
                <button type="button" class="btn btn-small" aria-label=format!("Next page of {base} {noun}")
                    aria-disabled=move || (p.page.get() + 1 >= pages()).to_string()
                    on:click=move |_| if p.page.get_untracked() + 1 < pages() { p.page.update(|n| *n += 1) }>"›"</button>
            </div>
        </section>
    }
}
