//! Deleting (or revoking) an item of a list: ask, confirm in a dialog, call the server, say how
//! it went in a toast, and refresh the list.

use super::toast::use_toasts;
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::error::ApiError;
use std::future::Future;
use uuid::Uuid;

#[derive(Clone, Copy)]
pub struct DeleteFlow {
    /// Whether the confirmation dialog is open.
    pub open: RwSignal<bool>,
    /// The item asked about: id and name.
    pub target: RwSignal<Option<(Uuid, String)>>,
    /// Runs the deletion of the target; give it to the dialog's `on_confirm`.
    pub confirmed: Callback<()>,
}

impl DeleteFlow {
    /// `done` says what happened ("Deleted environment"), `verb` what was tried ("delete").
    pub fn new<F, Fut>(
        done: &'static str,
        verb: &'static str,
        reload: RwSignal<u32>,
        action: F,
    ) -> Self
    where
        F: Fn(Uuid) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<(), ApiError>> + 'static,
    {
        let toasts = use_toasts();
        let target = RwSignal::new(None::<(Uuid, String)>);
        let confirmed = Callback::new(move |_| {
            if let Some((id, name)) = target.get_untracked() {
                spawn_local(async move {
                    match action(id).await {
                        Ok(()) => {
                            toasts.success(format!("{done} '{name}'"));
                            reload.update(|n| *n += 1);
                        }
                        Err(e) => toasts.error(format!("Could not {verb} '{name}': {}", e.error)),
                    }
                });
            }
        });
        DeleteFlow {
            open: RwSignal::new(false),
            target,
            confirmed,
        }
    }

    pub fn ask(&self, id: Uuid, name: String) {
        self.target.set(Some((id, name)));
        self.open.set(true);
    }

    /// A dialog title naming the target: `"{prefix} '{name}'?"`.
    pub fn title(&self, prefix: &'static str) -> Signal<String> {
        let target = self.target;
        Signal::derive(move || {
            format!(
                "{prefix} '{}'?",
                target.get().map(|t| t.1).unwrap_or_default()
            )
        })
    }
}
