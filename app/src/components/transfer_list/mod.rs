//! A transfer list: what is available on the left, what is assigned on the right, each side
//! searched and paged on the server. Moves are staged in the browser and saved in one request.
//! Generic over what it moves: it knows items only as id, label and detail, and reaches the
//! server through the three functions of a `TransferSource`.

use crate::components::toast::use_toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::error::ApiError;
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TransferItem {
    pub id: Uuid,
    pub label: String,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Available,
    Assigned,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Available => Side::Assigned,
            Side::Assigned => Side::Available,
        }
    }
}

/// One page of a side: its items and how many match in all.
pub type SidePage = (Vec<TransferItem>, u64);
type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send>>;
type PageFn = dyn Fn(Side, String, u32, u32) -> Boxed<SidePage> + Send + Sync;
type IdsFn = dyn Fn(Side, String) -> Boxed<Vec<Uuid>> + Send + Sync;
type SaveFn = dyn Fn(Vec<Uuid>, Vec<Uuid>) -> Boxed<()> + Send + Sync;

/// How the transfer list reaches the server.
#[derive(Clone)]
pub struct TransferSource {
    /// A page of a side: (side, search, page number, page size).
    pub page: Arc<PageFn>,
    /// Every id on a side matching a search, for "move all".
    pub all_ids: Arc<IdsFn>,
    /// Saves the staged change: (ids to assign, ids to unassign).
    pub save: Arc<SaveFn>,
}

/// Items staged to move into a side, by id; the label is known unless moved by "move all".
type Staged = RwSignal<BTreeMap<Uuid, Option<TransferItem>>>;

#[derive(Clone, Copy)]
struct Pane {
    side: Side,
    search: RwSignal<String>,
    page: RwSignal<u32>,
    selected: RwSignal<HashSet<Uuid>>,
    /// Items moving into this side.
    incoming: Staged,
}

/// The transfer list, created only once the page is interactive: it is browser-only state, and
/// keeping it out of hydration means its data can never arrive while the page is hydrating.
#[component]
pub fn TransferList(
    source: TransferSource,
    #[prop(into)] noun: String,
    #[prop(default = 10)] page_size: u32,
    #[prop(optional)] saved: Option<RwSignal<u32>>,
) -> impl IntoView {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let saved = saved.unwrap_or_else(|| RwSignal::new(0));
    let source = StoredValue::new(source);
    let noun = StoredValue::new(noun);
    view! {
        <Show when=move || mounted.get() fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <Panes source=source.get_value() noun=noun.get_value() page_size saved />
        </Show>
    }
}

#[component]
fn Panes(
    source: TransferSource,
    /// What is moved, plural, for labels ("connections").
    #[prop(into)]
    noun: String,
    #[prop(default = 10)] page_size: u32,
    /// Bumped after every save, for the page around it to refresh too.
    saved: RwSignal<u32>,
) -> impl IntoView {
    let version = saved;
    let pane = |side| Pane {
        side,
        search: RwSignal::new(String::new()),
        page: RwSignal::new(0),
        selected: RwSignal::new(HashSet::new()),
        incoming: RwSignal::new(BTreeMap::new()),
    };
    let (left, right) = (pane(Side::Available), pane(Side::Assigned));
    let pane_of = move |side| if side == Side::Available { left } else { right };
    let saving = RwSignal::new(false);
    let dirty =
        move || !left.incoming.with(BTreeMap::is_empty) || !right.incoming.with(BTreeMap::is_empty);
    // Staged moves are lost if the page is left: ask first.
    crate::components::leave_guard::leave_guard(Signal::derive(dirty));
    let toasts = use_toasts();

    // Loaded in the browser only: the lists are interactive, and rendering them on the server
    // would only let hydration race the data.
    let resource = |p: Pane| {
        let source = source.clone();
        LocalResource::new(move || {
            let (search, page, _) = (p.search.get(), p.page.get(), version.get());
            (source.page)(p.side, search, page, page_size)
        })
    };
    let (left_page, right_page) = (resource(left), resource(right));

    // Moves `ids` from `from` to the other side: an item already staged into `from` simply goes
    // back where it came from; anything else is staged into the other side.
    let stage = move |from: Pane, ids: Vec<(Uuid, Option<TransferItem>)>| {
        let to = pane_of(from.side.other());
        for (id, item) in ids {
            let was_incoming = from.incoming.try_update(|m| m.remove(&id)).flatten();
            if was_incoming.is_none() {
                to.incoming.update(|m| {
                    m.insert(id, item);
                });
            }
        }
        from.selected.set(HashSet::new());
    };
    let visible =
        move |p: Pane, page: &LocalResource<Result<SidePage, ApiError>>| -> Vec<TransferItem> {
            let leaving = pane_of(p.side.other()).incoming.get();
            let mut items: Vec<TransferItem> = p.incoming.get().into_values().flatten().collect();
            if let Some(Ok((server, _))) = page.get() {
                items.extend(server.into_iter().filter(|i| {
                    !leaving.contains_key(&i.id) && !p.incoming.with(|m| m.contains_key(&i.id))
                }));
            }
            items
        };
    let move_selected = move |from: Pane, page: LocalResource<Result<SidePage, ApiError>>| {
        let chosen = from.selected.get_untracked();
        let items: Vec<_> = visible(from, &page)
            .into_iter()
            .filter(|i| chosen.contains(&i.id))
            .map(|i| (i.id, Some(i)))
            .collect();
        stage(from, items);
    };
    let move_all = {
        let source = source.clone();
        move |from: Pane, page: LocalResource<Result<SidePage, ApiError>>| {
            let source = source.clone();
            let known: BTreeMap<Uuid, TransferItem> = visible(from, &page)
                .into_iter()
                .map(|i| (i.id, i))
                .collect();
            let search = from.search.get_untracked();
            spawn_local(async move {
                match (source.all_ids)(from.side, search.clone()).await {
                    Ok(ids) => {
                        let mut all: Vec<_> = ids
                            .into_iter()
                            .map(|id| (id, known.get(&id).cloned()))
                            .collect();
                        // what is staged into this side matches too, and goes back
                        let needle = search.to_lowercase();
                        for (id, item) in from.incoming.get_untracked() {
                            let matches = needle.is_empty()
                                || item
                                    .as_ref()
                                    .is_some_and(|i| i.label.to_lowercase().contains(&needle));
                            if matches {
                                all.push((id, item));
                            }
                        }
                        stage(from, all);
                    }
                    Err(e) => toasts.error(e.error),
                }
            });
        }
    };
    let save = {
        let source = source.clone();
        move |_| {
            let add: Vec<Uuid> = right.incoming.get_untracked().into_keys().collect();
            let remove: Vec<Uuid> = left.incoming.get_untracked().into_keys().collect();
            let (n_add, n_remove) = (add.len(), remove.len());
            saving.set(true);
            let source = source.clone();
            spawn_local(async move {
                match (source.save)(add, remove).await {
                    Ok(()) => {
                        left.incoming.set(BTreeMap::new());
                        right.incoming.set(BTreeMap::new());
                        version.update(|v| *v += 1);
                        toasts.success(format!("Saved: {n_add} added, {n_remove} removed"));
                    }
                    Err(e) => toasts.error(format!("Nothing was saved: {}", e.error)),
                }
                saving.set(false);
            });
        }
    };

    let noun = Arc::new(noun);
    let pane_view = {
        let noun = noun.clone();
        move |p: Pane, page: LocalResource<Result<SidePage, ApiError>>| {
            let title = match p.side {
                Side::Available => "Available",
                Side::Assigned => "Assigned",
            };
            let id_base = title.to_lowercase();
            let count = move || {
                let server = page.get().and_then(|r| r.ok()).map(|(_, n)| n).unwrap_or(0);
                let incoming = p.incoming.with(BTreeMap::len) as u64;
                let leaving = pane_of(p.side.other()).incoming.with(BTreeMap::len) as u64;
                if p.search.with(String::is_empty) {
                    (server + incoming).saturating_sub(leaving).to_string()
                } else {
                    format!("{server} matching")
                }
            };
            let pages = move || {
                page.get()
                    .and_then(|r| r.ok())
                    .map(|(_, n)| n.div_ceil(u64::from(page_size)).max(1) as u32)
                    .unwrap_or(1)
            };
            let search_label = format!("Search {id_base} {noun}");
            view! {
                <section class="transfer-pane" aria-labelledby=format!("{id_base}-title") data-testid=format!("pane-{id_base}")>
                    <h3 id=format!("{id_base}-title")>
                        {title} " " <span class="count" data-testid=format!("count-{id_base}")>{count}</span>
                    </h3>
                    <form class="transfer-search" on:submit=move |ev| {
                        ev.prevent_default();
                    }>
                        <input
                            type="search"
                            aria-label=search_label.clone()
                            placeholder="Search"
                            prop:value=move || p.search.get()
                            on:change=move |ev| {
                                p.search.set(event_target_value(&ev));
                                p.page.set(0);
                            }
                        />
                    </form>
                    <ul class="transfer-items">
                            {move || {
                                match page.get() {
                                    None => return view! { <li class="loading">"Loading…"</li> }.into_any(),
                                    Some(Err(e)) => return view! { <li class="field-error">{e.error}</li> }.into_any(),
                                    Some(Ok(_)) => {}
                                }
                                let items = visible(p, &page);
                                if items.is_empty() {
                                    return view! { <li class="empty">"Nothing here"</li> }.into_any();
                                }
                                items
                                    .into_iter()
                                    .map(|item| {
                                        let id = item.id;
                                        let pending = p.incoming.with(|m| m.contains_key(&id));
                                        view! {
                                            <li class:pending=pending>
                                                <label>
                                                    <input
                                                        type="checkbox"
                                                        prop:checked=move || p.selected.with(|s| s.contains(&id))
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            p.selected.update(|s| {
                                                                if on { s.insert(id); } else { s.remove(&id); }
                                                            });
                                                        }
                                                    />
                                                    <span class="item-label">{item.label}</span>
                                                    <span class="item-detail">{item.detail}</span>
                                                    {pending.then(|| view! { <span class="item-pending">"unsaved"</span> })}
                                                </label>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            }}
                            {move || {
                                let unlabeled = p.incoming.with(|m| m.values().filter(|v| v.is_none()).count());
                                (unlabeled > 0).then(|| view! { <li class="pending">{format!("+ {unlabeled} more (unsaved)")}</li> })
                            }}
                    </ul>
                    <div class="transfer-pager">
                        <button type="button" class="btn btn-small" disabled=move || p.page.get() == 0
                            on:click=move |_| p.page.update(|n| *n = n.saturating_sub(1))>"‹"</button>
                        <span>{move || format!("Page {} of {}", p.page.get() + 1, pages())}</span>
                        <button type="button" class="btn btn-small" disabled=move || { p.page.get() + 1 >= pages() }
                            on:click=move |_| p.page.update(|n| *n += 1)>"›"</button>
                    </div>
                </section>
            }
        }
    };

    let move_all_l = move_all.clone();
    view! {
        <div class="transfer-list">
            {pane_view(left, left_page)}
            <div class="transfer-actions" role="group" aria-label=format!("Move {noun}")>
                <button type="button" class="btn" on:click=move |_| move_selected(left, left_page)
                    disabled=move || left.selected.with(HashSet::is_empty)>"Add selected →"</button>
                <button type="button" class="btn" on:click=move |_| move_all_l(left, left_page)>"Add all →"</button>
                <button type="button" class="btn" on:click=move |_| move_selected(right, right_page)
                    disabled=move || right.selected.with(HashSet::is_empty)>"← Remove selected"</button>
                <button type="button" class="btn" on:click=move |_| move_all(right, right_page)>"← Remove all"</button>
            </div>
            {pane_view(right, right_page)}
        </div>
        <div class="form-actions">
            <button type="button" class="btn" disabled=move || !dirty() || saving.get()
                on:click=move |_| {
                    left.incoming.set(BTreeMap::new());
                    right.incoming.set(BTreeMap::new());
                }>"Discard changes"</button>
            <button type="button" class="btn btn-primary" disabled=move || !dirty() || saving.get() on:click=save>
                {move || if saving.get() { "Saving…" } else { "Save" }}
            </button>
        </div>
    }
    .into_any()
}
