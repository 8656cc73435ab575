//! One workspace: its name and description, the environments assigned to it (a transfer list
//! for organization admins), its members and teams, and the connections its members get.

use crate::components::pager::Pager;
use crate::components::toast::use_toasts;
use crate::components::transfer_list::{Side, TransferItem, TransferList, TransferSource};
use crate::pages::audit::{history_resource, RecentHistory};
use crate::server_fns::workspaces::{
    get_workspace, list_members, list_workspace_connections, list_workspace_environments,
    patch_workspace_environments, remove_member, set_member_role, workspace_environment_ids,
    AddMember, UpdateWorkspace,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use model::access::{Op, Standing};
use model::assignment::AssignmentPatch;
use model::connection::{ConnectionPage, ConnectionQuery, ConnectionSort};
use model::environment::EnvironmentSort;
use model::list::{Direction, ListQuery, Order};
use model::user::Me;
use model::workspace::{MemberPage, Workspace, WorkspaceEnvironmentQuery};
use std::sync::Arc;
use uuid::Uuid;

/// Members shown at once; the others are on the pages after.
const MEMBERS_PAGE_SIZE: u32 = 50;
/// Connections shown at once; the others are on the pages after.
const CONNECTIONS_PAGE_SIZE: u32 = 50;
/// The query parameter of the connections' page (`page` is the members'): each list keeps its
/// page while the other is paged.
const CONNECTIONS_PAGE: &str = "connections_page";

/// The workspace's page with its members and its connections at these pages.
fn workspace_href(ws: Uuid, members: u32, connections: u32) -> String {
    let at = |n: u32| (n > 0).then(|| n.to_string());
    format!(
        "/workspaces/{ws}{}",
        super::query_string(&[("page", at(members)), (CONNECTIONS_PAGE, at(connections))])
    )
}

fn side_query(side: Side, search: String, page: u32, page_size: u32) -> WorkspaceEnvironmentQuery {
    WorkspaceEnvironmentQuery {
        list: ListQuery {
            page,
            page_size,
            search: Some(search).filter(|s| !s.trim().is_empty()),
            order: Order {
                field: EnvironmentSort::Name,
                direction: Direction::Asc,
            },
            org_id: None,
        },
        unassigned: side == Side::Available,
    }
}

fn source(ws: Uuid) -> TransferSource {
    TransferSource {
        page: Arc::new(move |side, search, page, size| {
            Box::pin(async move {
                let p =
                    list_workspace_environments(ws, side_query(side, search, page, size)).await?;
                let items = p
                    .environments
                    .into_iter()
                    .map(|e| {
                        // Where else it is given: its workspaces besides this one.
                        let others = e
                            .workspace_count
                            .saturating_sub((side == Side::Assigned) as u64);
                        let also = if side == Side::Assigned {
                            "also in"
                        } else {
                            "in"
                        };
                        TransferItem {
                            id: e.id,
                            detail: format!("{} connections", e.connection_count),
                            elsewhere: match others {
                                0 => String::new(),
                                1 => format!("{also} 1 other workspace"),
                                n => format!("{also} {n} other workspaces"),
                            },
                            label: e.name,
                        }
                    })
                    .collect();
                Ok((items, p.total_count))
            })
        }),
        all: Arc::new(move |side, search| {
            Box::pin(
                async move { workspace_environment_ids(ws, side_query(side, search, 0, 1)).await },
            )
        }),
        save: Arc::new(move |add, remove| {
            Box::pin(async move {
                patch_workspace_environments(ws, AssignmentPatch { add, remove }).await
            })
        }),
        move_to: None,
    }
}

fn connections_query(page: u32) -> ConnectionQuery {
    ConnectionQuery {
        list: ListQuery {
            page,
            page_size: CONNECTIONS_PAGE_SIZE,
            // The unhealthy first, so trouble is seen at once.
            order: Order {
                field: ConnectionSort::Health,
                direction: Direction::Asc,
            },
            ..Default::default()
        },
        ..Default::default()
    }
}

#[component]
pub fn WorkspaceDetailPage() -> impl IntoView {
    let id = super::route_id();
    let saved = RwSignal::new(0u32);
    let update = ServerAction::<UpdateWorkspace>::new();
    let add = ServerAction::<AddMember>::new();
    Effect::new(move |_| {
        if update.version().get() + add.version().get() > 0 {
            saved.update(|n| *n += 1);
        }
    });
    let ws = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_workspace(id).await,
            None => Err(model::error::ApiError::not_found("workspace")),
        }
    });
    let page_no = super::page_param("page");
    let connections_page_no = super::page_param(CONNECTIONS_PAGE);
    let members = Resource::new(
        move || (id(), page_no(), saved.get()),
        |(id, page, _)| async move {
            let query = ListQuery {
                page,
                page_size: MEMBERS_PAGE_SIZE,
                ..Default::default()
            };
            match id {
                Some(id) => list_members(id, query).await,
                None => Err(model::error::ApiError::not_found("workspace")),
            }
        },
    );
    let connections = Resource::new(
        move || (id(), connections_page_no(), saved.get()),
        |(id, page, _)| async move {
            match id {
                Some(id) => list_workspace_connections(id, connections_query(page)).await,
                None => Err(model::error::ApiError::not_found("workspace")),
            }
        },
    );
    let environments = Resource::new(
        move || (id(), saved.get()),
        |(id, _)| async move {
            match id {
                Some(id) => {
                    list_workspace_environments(
                        id,
                        side_query(Side::Assigned, String::new(), 0, 100),
                    )
                    .await
                }
                None => Err(model::error::ApiError::not_found("workspace")),
            }
        },
    );
    let teams = crate::pages::workspace_teams::teams_resource(id, saved);
    let history = history_resource(id, saved.into());
    let me = use_context::<Me>();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let me = me.clone();
                Suspend::new(async move {
                match ws.await {
                    Err(e) => view! {
                        <crate::pages::audit::GoneObject error=e events=history back_href="/workspaces" back_label="Back to workspaces" />
                    }.into_any(),
                    Ok(w) => {
                        let standing = me
                            .and_then(|m| m.workspace_standing(w.organization_id, w.id))
                            .unwrap_or(Standing::OrgMember);
                        // Its name and counts after an edit or a save, shown without
                        // re-rendering the transfer list or the forms.
                        let now = super::after_saves(w.clone(), w.id, saved, get_workspace);
                        view! {
                            <Title text=w.name.clone() />
                            <p class="breadcrumb"><a href="/workspaces">"Workspaces"</a> " /"</p>
                            {move || now.with(|w| view! {
                                <h1>{w.name.clone()}</h1>
                                <p class="field-help">{w.description.clone()}</p>
                            })}
                            {standing.allows(Op::EditWorkspace).then(|| view! { <EditForm w=w.clone() update /> })}
                            <section class="form-card wide">
                                {move || now.with(|w| view! {
                                    <h2>{format!("Environments ({})", w.environment_count)}</h2>
                                    <p><crate::components::health::HealthSummary counts=w.health_summary.clone() /></p>
                                })}
                                {if standing.allows(Op::AddWorkspaceEnvironment) {
                                    view! { <TransferList source=source(w.id) noun="environments" saved /> }.into_any()
                                } else {
                                    view! { <EnvironmentList ws=w.id environments removable=standing.allows(Op::RemoveWorkspaceEnvironment) saved /> }.into_any()
                                }}
                            </section>
                            <section class="form-card wide">
                                {move || now.with(|w| view! { <h2>{format!("Members ({})", w.member_count)}</h2> })}
                                <Members w=w.clone() members manage=standing.allows(Op::ManageWorkspaceMembers) add saved connections_page=connections_page_no() />
                            </section>
                            <section class="form-card wide">
                                <crate::pages::workspace_teams::WorkspaceTeams ws=w.id teams manage=standing.allows(Op::ManageWorkspaceMembers) saved />
                            </section>
                            <section class="form-card wide" aria-labelledby="effective">
                                <h2 id="effective">"Connections"</h2>
                                <p class="field-help">"What the members use: the connections of this workspace's environments."</p>
                                <Transition fallback=|| ()>
                                    {move || Suspend::new(async move {
                                        match connections.await {
                                            Ok(p) => view! { <Connections ws=w.id page=p members_page=page_no() /> }.into_any(),
                                            Err(e) => view! { <p class="error-banner">{e.error}</p> }.into_any(),
                                        }
                                    })}
                                </Transition>
                            </section>
                            <RecentHistory events=history entity_id=w.id />
                        }.into_any()
                    }
                }
            })}}
        </Suspense>
    }
}

#[component]
fn EditForm(w: Workspace, update: ServerAction<UpdateWorkspace>) -> impl IntoView {
    let error = move || update.value().get().and_then(|r| r.err());
    let toasts = use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(w)) = update.value().get() {
            toasts.success(format!("Saved workspace '{}'", w.name));
        }
    });
    view! {
        <details class="form-card">
            <summary>"Edit name and description"</summary>
            <ActionForm action=update>
                <input type="hidden" name="id" value=w.id.to_string() />
                <div class="field">
                    <label for="ws-name">"Name"</label>
                    <input id="ws-name" name="name" required maxlength="255" value=w.name.clone() />
                    <p class="field-error" role="alert">{move || error().and_then(|e| e.for_field("name"))}</p>
                </div>
                <div class="field">
                    <label for="ws-description">"Description"</label>
                    <textarea id="ws-description" name="description" maxlength="5000">{w.description.clone()}</textarea>
                </div>
                <div class="field">
                    <label for="ws-reason">"Reason (kept in the audit log)"</label>
                    <input id="ws-reason" name="reason" maxlength="500" />
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>
                    {move || if update.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </ActionForm>
        </details>
    }
}

#[component]
fn EnvironmentList(
    ws: Uuid,
    environments: Resource<Result<model::environment::EnvironmentPage, model::error::ApiError>>,
    removable: bool,
    saved: RwSignal<u32>,
) -> impl IntoView {
    let toasts = use_toasts();
    let remove = move |env: Uuid, name: String| {
        spawn_local(async move {
            let patch = AssignmentPatch {
                add: vec![],
                remove: vec![env],
            };
            match patch_workspace_environments(ws, patch).await {
                Ok(()) => {
                    toasts.success(format!("Removed '{name}' from the workspace"));
                    saved.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match environments.await {
                    Ok(p) if p.environments.is_empty() => view! { <p class="field-help">"No environments assigned yet."</p> }.into_any(),
                    Ok(p) => view! {
                        <ul class="plain-list">
                            {p.environments.into_iter().map(|e| {
                                let name = e.name.clone();
                                view! {
                                    <li data-testid="workspace-environment">
                                        <a href=format!("/environments/{}", e.id)>{e.name.clone()}</a>
                                        " · " {e.connection_count} " connections "
                                        {removable.then(|| view! {
                                            <button type="button" class="btn btn-small btn-danger-quiet"
                                                on:click=move |_| remove(e.id, name.clone())>"Remove"</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error-banner">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Members(
    w: Workspace,
    members: Resource<Result<MemberPage, model::error::ApiError>>,
    manage: bool,
    add: ServerAction<AddMember>,
    saved: RwSignal<u32>,
    /// The connections' page, kept by the members' pager.
    connections_page: u32,
) -> impl IntoView {
    let toasts = use_toasts();
    let ws = w.id;
    let error = move || add.value().get().and_then(|r| r.err());
    // A member added: said, and the form cleared for the next one.
    let add_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(m)) = add.value().get() {
            toasts.success(format!(
                "Added {} to the workspace as {}",
                m.name,
                m.role.as_str()
            ));
            if let Some(form) = add_form.get_untracked() {
                form.reset();
            }
        }
    });
    let set_role = move |user: Uuid, role: String| {
        spawn_local(async move {
            match set_member_role(ws, user, role).await {
                Ok(m) => {
                    toasts.success(format!("{} is now a workspace {}", m.name, m.role.as_str()));
                    saved.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    };
    let remove = move |user: Uuid, name: String| {
        spawn_local(async move {
            match remove_member(ws, user).await {
                Ok(()) => {
                    toasts.success(format!("Removed {name} from the workspace"));
                    saved.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    };
    view! {
        {manage.then(|| view! {
            <ActionForm action=add node_ref=add_form>
                <input type="hidden" name="workspace" value=ws.to_string() />
                <div class="inline-form">
                    <label for="member-email">"Email"</label>
                    <input id="member-email" name="email" type="email" required placeholder="someone@example.com" />
                    <label for="member-role">"Role"</label>
                    <select id="member-role" name="role">
                        <option value="member">"member"</option>
                        <option value="admin">"admin"</option>
                    </select>
                    <input type="hidden" name="reason" value="" />
                    <button type="submit" class="btn btn-primary" disabled=move || add.pending().get()>
                        {move || if add.pending().get() { "Adding…" } else { "Add member" }}
                    </button>
                </div>
                <p class="field-error" role="alert">{move || error().map(|e| e.error)}</p>
            </ActionForm>
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match members.await {
                    Ok(list) if list.members.is_empty() => view! { <p class="field-help">"No members yet."</p> }.into_any(),
                    Ok(list) => {
                        let (current, size, total) = (list.page, list.page_size, list.total_count);
                        let at = move |n: u32| workspace_href(ws, n, connections_page);
                        view! {
                        <div class="table-wrap"><table class="data">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {list.members.into_iter().map(|m| {
                                    let (user, name) = (m.user_id, m.name.clone());
                                    let other = if m.role == model::user::Role::Admin { "member" } else { "admin" };
                                    view! {
                                        <tr data-testid="member-row">
                                            <td>{m.name.clone()}</td>
                                            <td>{m.email.clone()}</td>
                                            <td>{m.role.as_str()}</td>
                                            <td class="col-actions">
                                                {manage.then(|| view! {
                                                    <div class="row-actions">
                                                        <button type="button" class="btn btn-small"
                                                            on:click=move |_| set_role(user, other.to_string())>{format!("Make {other}")}</button>
                                                        <button type="button" class="btn btn-small btn-danger-quiet"
                                                            aria-label=format!("Remove {name}")
                                                            on:click=move |_| remove(user, name.clone())>"Remove"</button>
                                                    </div>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <Pager page=current page_size=size total=total noun="members" href=at label="Pages of members" />
                    }.into_any()
                    }
                    Err(e) => view! { <p class="error-banner">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The connections the members get, a page at a time.
#[component]
fn Connections(
    ws: Uuid,
    page: ConnectionPage,
    /// The members' page, kept by the connections' pager.
    members_page: u32,
) -> impl IntoView {
    if page.connections.is_empty() {
        return view! { <p class="field-help">"No connections: assign environments that hold some."</p> }.into_any();
    }
    view! {
        <div class="table-wrap"><table class="data">
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Status"</th>
                <th scope="col">"Health"</th><th scope="col">"Credential"</th><th scope="col">"Through"</th>
            </tr></thead>
            <tbody>
                {page.connections.into_iter().map(|c| view! {
                    <tr data-testid="workspace-connection">
                        <td>{c.name.clone()}</td>
                        <td>{c.kind.clone()}</td>
                        <td>{c.status.as_str()}</td>
                        <td><crate::pages::connections::HealthBadge health=c.health.clone() /></td>
                        <td>{c.credential_name.clone().unwrap_or_default()}</td>
                        <td>
                            {c.environments.iter().map(|e| e.name.clone()).collect::<Vec<_>>().join(", ")}
                            {(c.environment_count as usize > c.environments.len()).then(|| view! {
                                " "
                                <a class="more-link" data-testid="more-environments"
                                    href=format!("/connections/{}#environments", c.id)>
                                    {format!("and {} more", c.environment_count as usize - c.environments.len())}
                                </a>
                            })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
        <Pager page=page.page page_size=page.page_size total=page.total_count noun="connections"
            href=move |n| workspace_href(ws, members_page, n) label="Pages of connections" />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::workspace_href;
    use uuid::Uuid;

    #[test]
    fn each_pager_keeps_the_other_lists_page() {
        let ws = Uuid::nil();
        assert_eq!(workspace_href(ws, 0, 0), format!("/workspaces/{ws}"));
        assert_eq!(workspace_href(ws, 2, 0), format!("/workspaces/{ws}?page=2"));
        assert_eq!(
            workspace_href(ws, 0, 3),
            format!("/workspaces/{ws}?connections_page=3")
        );
        assert_eq!(
            workspace_href(ws, 1, 4),
            format!("/workspaces/{ws}?page=1&connections_page=4")
        );
    }
}
