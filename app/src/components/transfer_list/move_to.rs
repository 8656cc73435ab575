//! "Move to…": assigned items go straight to another parent (a connection from this
//! environment to another), in one transfer request, after a confirmation. Unlike the staged
//! moves it happens at once, so it asks first and says what it did.

use super::pane::Pane;
use super::staging::Staging;
use super::Boxed;
use crate::components::confirm::ConfirmDialog;
use crate::components::toast::use_toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::list::Named;
use std::sync::Arc;
use uuid::Uuid;

type TargetsFn = dyn Fn() -> Boxed<Vec<Named>> + Send + Sync;
type RunFn = dyn Fn(Uuid, Vec<Uuid>) -> Boxed<u64> + Send + Sync;

/// "1 connection", "3 connections" (`noun` is the plural).
fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {}", noun.strip_suffix('s').unwrap_or(noun))
    } else {
        format!("{n} {noun}")
    }
}

#[derive(Clone)]
pub struct MoveTo {
    /// The parent the items are in, by name, for the confirmation.
    pub from_name: String,
    /// What a target is called ("environment").
    pub target_noun: &'static str,
    /// Where they can go: the other parents, by name.
    pub targets: Arc<TargetsFn>,
    /// Moves the ids to a target now; answers how many moved.
    pub run: Arc<RunFn>,
}

#[component]
pub fn MoveToControl(
    move_to: MoveTo,
    from: Pane,
    staging: RwSignal<Staging>,
    version: RwSignal<u32>,
    noun: String,
) -> impl IntoView {
    let toasts = use_toasts();
    let targets = RwSignal::new(None::<Result<Vec<Named>, String>>);
    {
        let fetch = (move_to.targets)();
        spawn_local(async move {
            targets.set(Some(fetch.await.map_err(|e| e.error)));
        });
    }
    let target = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let moving = RwSignal::new(false);
    // Only what is saved here can be transferred; items staged to come in are not here yet.
    let movable = move || -> Vec<Uuid> {
        let staged_in = staging.with(|s| s.add.keys().copied().collect::<Vec<_>>());
        from.selected.with(|s| {
            s.keys()
                .filter(|id| !staged_in.contains(id))
                .copied()
                .collect()
        })
    };
    let target_name = move || {
        let id = target.get();
        targets.with(|t| {
            t.as_ref()
                .and_then(|t| t.as_ref().ok())
                .and_then(|t| t.iter().find(|n| n.id.to_string() == id))
                .map(|n| n.name.clone())
        })
    };
    let noun = StoredValue::new(noun);
    let from_name = StoredValue::new(move_to.from_name.clone());
    let run = StoredValue::new(move_to.run.clone());
    let ask = move |_| {
        if moving.get_untracked() {
            return;
        }
        if movable().is_empty() {
            toasts.error(format!(
                "Select the assigned {} to move first",
                noun.get_value()
            ));
        } else if target_name().is_none() {
            toasts.error(format!(
                "Choose the {} to move them to first",
                move_to.target_noun
            ));
        } else {
            open.set(true);
        }
    };
    let confirmed = Callback::new(move |()| {
        let (ids, to) = (movable(), target.get_untracked());
        let (Ok(to), Some(to_name)) = (Uuid::parse_str(&to), target_name()) else {
            return;
        };
        moving.set(true);
        let fetch = (run.get_value())(to, ids);
        spawn_local(async move {
            match fetch.await {
                Ok(n) => {
                    from.selected.set(Default::default());
                    version.update(|v| *v += 1);
                    toasts.success(format!(
                        "Moved {} to '{to_name}'",
                        counted(n, &noun.get_value())
                    ));
                }
                Err(e) => toasts.error(format!("Nothing was moved: {}", e.error)),
            }
            moving.set(false);
        });
    });
    let title = Signal::derive(move || {
        format!(
            "Move {}?",
            counted(movable().len() as u64, &noun.get_value())
        )
    });
    let message = Signal::derive(move || {
        format!(
            "They leave '{}' and join '{}' now; changes you have not saved stay as they are.",
            from_name.get_value(),
            target_name().unwrap_or_default()
        )
    });
    view! {
        <div class="move-to">
            <label for="move-to-target">{format!("Move selected to another {}", move_to.target_noun)}</label>
            <select id="move-to-target" prop:value=move || target.get()
                on:change=move |ev| target.set(event_target_value(&ev))>
                <option value="">{format!("Choose an {}", move_to.target_noun)}</option>
                {move || targets.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|n| view! {
                    <option value=n.id.to_string()>{n.name}</option>
                }).collect_view()}
            </select>
            {move || targets.get().and_then(Result::err).map(|e| view! { <p class="field-error">{e}</p> })}
            <button type="button" class="btn" on:click=ask
                aria-disabled=move || (moving.get() || movable().is_empty() || target.with(String::is_empty)).to_string()
                aria-busy=move || moving.get().then_some("true")>
                {move || if moving.get() { "Moving…" } else { "Move" }}
            </button>
        </div>
        <ConfirmDialog open title message confirm_label=format!("Move {}", noun.get_value()) on_confirm=confirmed />
    }
}
