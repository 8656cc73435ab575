//! A transfer list: what is available on the left, what is assigned on the right, each side
//! searched and paged on the server. Moves are staged in the browser and saved in one request.
//! Generic over what it moves: it knows items only as id, label and detail, and reaches the
//! server through the functions of a `TransferSource`.

mod move_to;
mod pane;
mod staging;

pub use move_to::MoveTo;
use pane::{Pane, PaneView};
use staging::Staging;

use crate::components::toast::use_toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::error::ApiError;
use model::list::Named;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TransferItem {
    pub id: Uuid,
    pub label: String,
    pub detail: String,
    /// Where else it belongs ("also in staging, us-east"), or nothing.
    pub elsewhere: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Available,
    Assigned,
}

impl Side {
    pub fn other(self) -> Side {
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
type AllFn = dyn Fn(Side, String) -> Boxed<Vec<Named>> + Send + Sync;
type SaveFn = dyn Fn(Vec<Uuid>, Vec<Uuid>) -> Boxed<()> + Send + Sync;

/// How the transfer list reaches the server.
#[derive(Clone)]
pub struct TransferSource {
    /// A page of a side: (side, search, page number, page size).
    pub page: Arc<PageFn>,
    /// Every item on a side matching a search, by id and name, for "move all".
    pub all: Arc<AllFn>,
    /// Saves the staged change: (ids to assign, ids to unassign).
    pub save: Arc<SaveFn>,
    /// Moving assigned items straight to another parent, where that exists.
    pub move_to: Option<MoveTo>,
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
    let move_to_noun = source.move_to.as_ref().map(|m| m.target_noun);
    let source = StoredValue::new(source);
    let noun = StoredValue::new(noun);
    // One element around it all, named for what it moves: a page may hold two (a workspace's
    // environments and teams).
    view! {
        <div class="transfer" data-testid=format!("transfer-{}", noun.get_value())>
            <Show when=move || mounted.get() fallback=move || view! { <Frame noun=noun.get_value() move_to=move_to_noun /> }>
                <Panes source=source.get_value() noun=noun.get_value() page_size saved />
            </Show>
        </div>
    }
}

/// What the server renders, and the page shows until it is interactive: the list's frame at
/// the size it will have (the panes' lists are of fixed height), so that nothing below it moves
/// when the rows arrive. A "Loading…" line instead measured a layout shift of 0.40 on an
/// environment's page (Lighthouse, mobile), most of its performance score lost.
#[component]
fn Frame(noun: String, move_to: Option<&'static str>) -> impl IntoView {
    let pane = |title: &str, noun: &str| {
        let base = title.to_lowercase();
        view! {
            <section class="transfer-pane" aria-label=format!("{title} {noun}") aria-busy="true">
                <h3>{title.to_string()} " " <span class="count">"…"</span></h3>
                <form class="transfer-search">
                    <input type="search" aria-label=format!("Search {base} {noun}") placeholder="Search" disabled />
                </form>
                <ul class="transfer-items"><li class="loading">"Loading…"</li></ul>
                <div class="transfer-pager">
                    <button type="button" class="btn btn-small" aria-label=format!("Previous page of {base} {noun}") disabled>"‹"</button>
                    <span>"Page 1"</span>
                    <button type="button" class="btn btn-small" aria-label=format!("Next page of {base} {noun}") disabled>"›"</button>
                </div>
            </section>
        }
    };
    view! {
        <div class="transfer-list" data-testid="transfer-frame">
            {pane("Available", &noun)}
            <div class="transfer-actions" role="group" aria-label=format!("Move {noun}")>
                <button type="button" class="btn" disabled>"Add selected →"</button>
                <button type="button" class="btn" disabled>"Add all →"</button>
                <button type="button" class="btn" disabled>"← Remove selected"</button>
                <button type="button" class="btn" disabled>"← Remove all"</button>
                {move_to.map(|target| view! {
                    <div class="move-to">
                        <label for="move-to-target-frame">{format!("Move selected to another {target}")}</label>
                        <select id="move-to-target-frame" disabled>
                            <option value="">{format!("Choose an {target}")}</option>
                        </select>
                        <button type="button" class="btn" disabled>"Move"</button>
                    </div>
                })}
            </div>
            {pane("Assigned", &noun)}
        </div>
        <div class="form-actions">
            <span class="transfer-pending"></span>
            <button type="button" class="btn" disabled>"Discard changes"</button>
            <button type="button" class="btn btn-primary" disabled>"Save"</button>
        </div>
    }
}

/// Sets `disabled` for the eye and the screen reader but keeps the button focusable, so that
/// focus stays on the control just used when it has nothing more to do.
fn inert(off: impl Fn() -> bool + Send + Sync + 'static) -> impl Fn() -> String + Send + Sync {
    move || off().to_string()
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
    let (left, right) = (Pane::new(Side::Available), Pane::new(Side::Assigned));
    left.load(source.clone(), page_size, version);
    right.load(source.clone(), page_size, version);
    let staging = RwSignal::new(Staging::default());
    let saving = RwSignal::new(false);
    let moving_all = RwSignal::new(false);
    let dirty = move || !staging.with(Staging::is_empty);
    // Staged moves are lost if the page is left: ask first.
    crate::components::leave_guard::leave_guard(Signal::derive(dirty));
    let toasts = use_toasts();
    let noun_sv = StoredValue::new(noun.clone());

    let move_selected = move |from: Pane| {
        let items = from.take_selected();
        if items.is_empty() {
            toasts.error(format!("Select the {} to move first", noun_sv.get_value()));
            return;
        }
        staging.update(|s| {
            s.move_out(from.side, items);
        });
    };
    let move_all = {
        let source = source.clone();
        move |from: Pane| {
            if moving_all.get_untracked() {
                return;
            }
            moving_all.set(true);
            let source = source.clone();
            let search = from.search.get_untracked();
            spawn_local(async move {
                match (source.all)(from.side, search.clone()).await {
                    Ok(named) => {
                        // What the server lists on this side, less what already waits to
                        // leave it, plus what was staged into it and matches the search.
                        let items = staging.with_untracked(|s| {
                            let leaving = s.moving_into(from.side.other());
                            let mut items: Vec<TransferItem> = named
                                .into_iter()
                                .filter(|n| !leaving.contains_key(&n.id))
                                .map(|n| TransferItem {
                                    id: n.id,
                                    label: n.name,
                                    detail: String::new(),
                                    elsewhere: String::new(),
                                })
                                .collect();
                            items.extend(s.incoming_matching(from.side, &search));
                            items
                        });
                        from.selected.set(Default::default());
                        staging.update(|s| {
                            s.move_out(from.side, items);
                        });
                    }
                    Err(e) => toasts.error(e.error),
                }
                moving_all.set(false);
            });
        }
    };
    let discard = move |_| {
        if dirty() && !saving.get_untracked() {
            staging.set(Staging::default());
        }
    };
    let save = {
        let source = source.clone();
        move |_| {
            if !dirty() || saving.get_untracked() {
                return;
            }
            let (add, remove) = staging.with_untracked(|s| {
                (
                    s.add.keys().copied().collect::<Vec<_>>(),
                    s.remove.keys().copied().collect::<Vec<_>>(),
                )
            });
            let (n_add, n_remove) = (add.len(), remove.len());
            saving.set(true);
            let source = source.clone();
            spawn_local(async move {
                match (source.save)(add, remove).await {
                    Ok(()) => {
                        staging.set(Staging::default());
                        left.selected.set(Default::default());
                        right.selected.set(Default::default());
                        version.update(|v| *v += 1);
                        toasts.success(format!("Saved: {n_add} added, {n_remove} removed"));
                    }
                    Err(e) => toasts.error(format!("Nothing was saved: {}", e.error)),
                }
                saving.set(false);
            });
        }
    };
    let move_to = source.move_to.clone();
    let noun_l = noun.clone();
    let move_all_r = move_all.clone();
    view! {
        <div class="transfer-list">
            <PaneView pane=left staging noun=noun.clone() page_size />
            <div class="transfer-actions" role="group" aria-label=format!("Move {noun}")>
                <button type="button" class="btn" on:click=move |_| move_selected(left)
                    aria-disabled=inert(move || left.selected.with(|s| s.is_empty()))>"Add selected →"</button>
                <button type="button" class="btn" on:click=move |_| move_all(left)
                    aria-disabled=inert(move || moving_all.get() || left.on_server() == 0)>"Add all →"</button>
                <button type="button" class="btn" on:click=move |_| move_selected(right)
                    aria-disabled=inert(move || right.selected.with(|s| s.is_empty()))>"← Remove selected"</button>
                <button type="button" class="btn" on:click=move |_| move_all_r(right)
                    aria-disabled=inert(move || moving_all.get() || (right.on_server() == 0 && staging.with(|s| s.add.is_empty())))>"← Remove all"</button>
                {move_to.map(|m| view! { <move_to::MoveToControl move_to=m from=right staging version noun=noun_l.clone() /> })}
            </div>
            <PaneView pane=right staging noun=noun.clone() page_size />
        </div>
        <div class="form-actions">
            <span class="transfer-pending" aria-live="polite">{move || staging.with(|s| {
                let n = s.add.len() + s.remove.len();
                match n { 0 => String::new(), 1 => "1 unsaved change".to_string(), n => format!("{n} unsaved changes") }
            })}</span>
            <button type="button" class="btn" aria-disabled=inert(move || !dirty() || saving.get()) on:click=discard>"Discard changes"</button>
            <button type="button" class="btn btn-primary" aria-disabled=inert(move || !dirty() || saving.get()) on:click=save
                aria-busy=move || saving.get().then_some("true")>
                {move || if saving.get() { "Saving…" } else { "Save" }}
            </button>
        </div>
    }
    .into_any()
}
