//! Settings' list of the user's signed-in sessions: where and when each was used, "sign out"
//! for one, and "sign out everywhere".

use crate::components::toast::use_toasts;
use crate::server_fns::auth::{end_all_sessions, end_session, list_sessions};
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::user::SessionInfo;

use crate::helpers::format::when;

/// The browser's own name for itself is long; the list shows its start.
fn short_agent(ua: Option<&str>) -> String {
    match ua {
        None | Some("") => "unknown".into(),
        Some(u) if u.chars().count() > 60 => format!("{}…", u.chars().take(60).collect::<String>()),
        Some(u) => u.to_string(),
    }
}

#[component]
pub fn SessionsSection() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let sessions = Resource::new(move || reload.get(), |_| list_sessions());
    let toasts = use_toasts();
    let end_one = move |id: String| {
        spawn_local(async move {
            match end_session(id).await {
                Ok(()) => {
                    toasts.success("Signed that session out");
                    reload.update(|n| *n += 1);
                }
                Err(e) => toasts.error(format!("Could not sign it out: {}", e.error)),
            }
        });
    };
    let everywhere = move |_| {
        spawn_local(async move {
            match end_all_sessions().await {
                // This session ended too: a full load of the sign-in page.
                Ok(()) => {
                    let _ = window().location().set_href("/login");
                }
                Err(e) => toasts.error(format!("Could not sign out everywhere: {}", e.error)),
            }
        });
    };
    view! {
        <section class="form-card">
            <h2>"Sessions"</h2>
            <p class="field-help">
                "Where you are signed in. A session ends after 14 days, or sooner when unused; changing your password ends all but this one."
            </p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! { <SessionTable list on_end=end_one /> }.into_any(),
                        Err(e) => view! { <p class="error-banner">{e.error}</p> }.into_any(),
                    }
                })}
            </Transition>
            <button type="button" class="btn btn-danger-quiet" on:click=everywhere>
                "Sign out everywhere"
            </button>
        </section>
    }
}

#[component]
fn SessionTable<F>(list: Vec<SessionInfo>, on_end: F) -> impl IntoView
where
    F: Fn(String) + Copy + Send + Sync + 'static,
{
    let rows = list
        .into_iter()
        .map(|s| {
            let id = s.id.clone();
            let action = if s.current {
                view! { <span class="badge">"this browser"</span> }.into_any()
            } else {
                view! {
                    <button type="button" class="btn btn-small btn-danger-quiet"
                        on:click=move |_| on_end(id.clone())>"Sign out"</button>
                }
                .into_any()
            };
            view! {
                <tr data-testid="session-row" data-current=s.current.to_string()>
                    <td>{when(&s.created_at)}</td>
                    <td>{when(&s.last_seen_at)}</td>
                    <td>{s.client_addr.clone().unwrap_or_else(|| "unknown".into())}</td>
                    <td title=s.user_agent.clone().unwrap_or_default()>{short_agent(s.user_agent.as_deref())}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap"><table class="data">
            <thead>
                <tr>
                    <th scope="col">"Signed in"</th>
                    <th scope="col">"Last seen"</th>
                    <th scope="col">"Address"</th>
                    <th scope="col">"Browser"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
