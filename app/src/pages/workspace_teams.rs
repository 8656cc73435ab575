//! A workspace's teams: a transfer list for those who manage its members (the organization's
//! teams on the left, the workspace's on the right), and the teams it has with their roles.
//! Every member of a team stands in the workspace with the team's role, or their own if it is
//! stronger.

use crate::components::toast::use_toasts;
use crate::components::transfer_list::{Side, TransferItem, TransferList, TransferSource};
use crate::server_fns::teams::{
    list_workspace_teams, patch_workspace_teams, set_workspace_team_role, workspace_team_ids,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::error::ApiError;
use model::list::{Direction, ListQuery, Order};
use model::team::{TeamPage, TeamSort, WorkspaceTeamPatch};
use model::user::Role;
use model::workspace::WorkspaceTeamQuery;
use std::sync::Arc;
use uuid::Uuid;

fn side_query(side: Side, search: String, page: u32, page_size: u32) -> WorkspaceTeamQuery {
    WorkspaceTeamQuery {
        list: ListQuery {
            page,
            page_size,
            search: Some(search).filter(|s| !s.trim().is_empty()),
            order: Order {
                field: TeamSort::Name,
                direction: Direction::Asc,
            },
            org_id: None,
        },
        unassigned: side == Side::Available,
    }
}

fn members(n: u64) -> String {
    match n {
        1 => "1 member".into(),
        n => format!("{n} members"),
    }
}

fn source(ws: Uuid) -> TransferSource {
    TransferSource {
        page: Arc::new(move |side, search, page, size| {
            Box::pin(async move {
                let p = list_workspace_teams(ws, side_query(side, search, page, size)).await?;
                let items = p
                    .teams
                    .into_iter()
                    .map(|t| TransferItem {
                        id: t.id,
                        detail: match t.role {
                            Some(role) => {
                                format!("{} · {}", members(t.member_count), role.as_str())
                            }
                            None => members(t.member_count),
                        },
                        elsewhere: String::new(),
                        label: t.name,
                    })
                    .collect();
                Ok((items, p.total_count))
            })
        }),
        all: Arc::new(move |side, search| {
            Box::pin(async move { workspace_team_ids(ws, side_query(side, search, 0, 1)).await })
        }),
        save: Arc::new(move |add, remove| {
            Box::pin(async move {
                let patch = WorkspaceTeamPatch {
                    add,
                    remove,
                    role: None,
                };
                patch_workspace_teams(ws, patch).await.map(|_| ())
            })
        }),
        move_to: None,
    }
}

/// The workspace's teams (the first 100) as the page loads them, again after each save: made by
/// the page's component, with its other resources, so that the server's render and hydration
/// see the same resources in the same order.
pub fn teams_resource(
    id: impl Fn() -> Option<Uuid> + Send + Sync + 'static,
    saved: RwSignal<u32>,
) -> Resource<Result<TeamPage, ApiError>> {
    Resource::new(
        move || (id(), saved.get()),
        |(id, _)| async move {
            match id {
                Some(ws) => {
                    list_workspace_teams(ws, side_query(Side::Assigned, String::new(), 0, 100))
                        .await
                }
                None => Err(ApiError::not_found("workspace")),
            }
        },
    )
}

#[component]
pub fn WorkspaceTeams(
    ws: Uuid,
    teams: Resource<Result<TeamPage, ApiError>>,
    manage: bool,
    saved: RwSignal<u32>,
) -> impl IntoView {
    view! {
        <h2>"Teams"</h2>
        <p class="field-help">
            "Everyone in a team given this workspace uses its connections, with the team's role (or their own, if stronger). Teams are added as members; make one admin below."
        </p>
        {manage.then(|| view! { <TransferList source=source(ws) noun="teams" saved /> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match teams.await {
                    Ok(p) => view! { <Roles ws page=p manage saved /> }.into_any(),
                    Err(e) => view! { <p class="error-banner">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The workspace's teams with their roles (the first 100; the transfer list pages them all).
#[component]
fn Roles(ws: Uuid, page: TeamPage, manage: bool, saved: RwSignal<u32>) -> impl IntoView {
    let toasts = use_toasts();
    if page.teams.is_empty() {
        return view! { <p class="field-help">"No teams in this workspace."</p> }.into_any();
    }
    let set_role = move |team: Uuid, role: &'static str| {
        spawn_local(async move {
            match set_workspace_team_role(ws, team, role.to_string()).await {
                Ok(t) => {
                    toasts.success(format!("Team '{}' is now a workspace {role}", t.name));
                    saved.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    };
    view! {
        <div class="table-wrap"><table class="data">
            <thead><tr>
                <th scope="col">"Team"</th><th scope="col">"Members"</th><th scope="col">"Role"</th>
                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {page.teams.into_iter().map(|t| {
                    let role = t.role.unwrap_or(Role::Member);
                    let other = if role == Role::Admin { "member" } else { "admin" };
                    view! {
                        <tr data-testid="workspace-team-row">
                            <td><a href=format!("/teams/{}", t.id)>{t.name.clone()}</a></td>
                            <td>{t.member_count}</td>
                            <td>{role.as_str()}</td>
                            <td class="col-actions">
                                {manage.then(|| view! {
                                    <button type="button" class="btn btn-small"
                                        aria-label=format!("Make team {} {other}", t.name)
                                        on:click=move |_| set_role(t.id, other)>{format!("Make {other}")}</button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}
