//! The organization's members, for its admins: add someone (they get a one-time password,
//! shown once), change their role, reset their password (a new one-time one; their sessions
//! end), remove them.

use crate::components::confirm::ConfirmDialog;
use crate::components::delete_flow::DeleteFlow;
use crate::components::secret_once::SecretOnce;
use crate::components::toast::use_toasts;
use crate::server_fns::users::{
    list_users, remove_user, reset_password, set_user_role, CreateUser,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use model::list::ListQuery;
use model::user::CreatedUser;
use model::user::{Role, UserQuery};

#[component]
pub fn MembersPage() -> impl IntoView {
    let me = use_context::<model::user::Me>();
    let my_id = me.map(|m| m.id);
    let create = ServerAction::<CreateUser>::new();
    let reload = RwSignal::new(0u32);
    let users = Resource::new(
        move || (create.version().get(), reload.get()),
        |_| {
            list_users(UserQuery {
                page_size: 1000,
                ..ListQuery::default()
            })
        },
    );
    let removing = DeleteFlow::new("Removed", "remove", reload, remove_user);
    let toasts = use_toasts();
    let set_role = move |id, role: &'static str| {
        spawn_local(async move {
            match set_user_role(id, role.to_string()).await {
                Ok(u) => {
                    toasts.success(format!(
                        "{} is now an organization {}",
                        u.name,
                        u.role.as_str()
                    ));
                    reload.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    };
    // The one-time password of the last member added or reset: it stays until dismissed.
    let shown = RwSignal::new(None::<CreatedUser>);
    let add_form = NodeRef::<leptos::html::Form>::new();
    let reset_one = move |id| {
        spawn_local(async move {
            match reset_password(id).await {
                Ok(c) => {
                    toasts.success(format!(
                        "{} was signed out everywhere and has a new one-time password",
                        c.user.name
                    ));
                    shown.set(Some(c));
                    reload.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    };
    // A member added: their password shows, the form clears for the next one.
    Effect::new(move |_| {
        if let Some(Ok(c)) = create.value().get() {
            toasts.success(format!(
                "Added {} as an organization {}",
                c.user.name,
                c.user.role.as_str()
            ));
            shown.set(Some(c));
            if let Some(form) = add_form.get_untracked() {
                form.reset();
            }
        }
    });
    let error = move || create.value().get().and_then(|r| r.err());
    view! {
        <Title text="Members" />
        <h1>"Organization members"</h1>
        <section class="form-card">
            <h2>"Add someone"</h2>
            <ActionForm action=create node_ref=add_form>
                <div class="field">
                    <label for="user-email">"Email"</label>
                    <input id="user-email" name="email" type="email" required />
                    <p class="field-error" role="alert">{move || error().and_then(|e| e.for_field("email").or(e.for_field("name")).or(Some(e.error)))}</p>
                </div>
                <div class="field">
                    <label for="user-name">"User name (default: the part of the email before @)"</label>
                    <input id="user-name" name="name" maxlength="100" />
                </div>
                <div class="field">
                    <label for="user-role">"Role"</label>
                    <select id="user-role" name="role">
                        <option value="member">"member"</option>
                        <option value="admin">"admin"</option>
                    </select>
                </div>
                <input type="hidden" name="reason" value="" />
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Adding…" } else { "Add member" }}
                </button>
            </ActionForm>
            {move || shown.get().map(|c| view! {
                <SecretOnce
                    message=format!("Give {} this one-time password; they choose their own at first sign-in. It is not shown again.", c.user.name)
                    secret=c.one_time_password testid="one-time-password"
                    on_dismiss=Callback::new(move |_| shown.set(None)) />
            })}
        </section>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(page) => view! {
                        <div class="table-wrap"><table class="data">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                                <th scope="col">"Teams"</th>
                                <th scope="col">"Workspaces"</th>
                                <th scope="col">"Password"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {page.users.into_iter().map(|u| {
                                    let (id, name) = (u.id, u.name.clone());
                                    let reset_label = format!("Reset the password of {name}");
                                    let other = if u.role == Role::Admin { "member" } else { "admin" };
                                    // Nobody demotes, resets or removes themselves here.
                                    let is_me = Some(u.id) == my_id;
                                    view! {
                                        <tr data-testid="user-row">
                                            <td>{u.name.clone()}{is_me.then(|| view! { " " <span class="badge">"you"</span> })}</td>
                                            <td>{u.email.clone()}</td>
                                            <td>{u.role.as_str()}</td>
                                            <td data-testid="member-teams">{teams_cell(&u)}</td>
                                            <td data-testid="member-access">{access_cell(&u)}</td>
                                            <td>{if u.must_change_password { "one-time" } else { "set" }}</td>
                                            <td class="col-actions">
                                                {if is_me {
                                                    view! { <span class="field-help">"Change your password in " <a href="/settings">"Settings"</a></span> }.into_any()
                                                } else { view! {
                                                <div class="row-actions">
                                                    <button type="button" class="btn btn-small" on:click=move |_| set_role(id, other)>{format!("Make {other}")}</button>
                                                    <button type="button" class="btn btn-small" aria-label=reset_label
                                                        on:click=move |_| reset_one(id)>"Reset password"</button>
                                                    <button type="button" class="btn btn-small btn-danger-quiet"
                                                        aria-label=format!("Remove {name}")
                                                        on:click=move |_| removing.ask(id, name.clone())>"Remove"</button>
                                                </div>
                                                }.into_any() }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                    Err(e) => view! { <p class="error-banner" role="alert">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog
            open=removing.open
            title=removing.title("Remove")
            message=Signal::derive(|| "They leave the organization and its workspaces at once.".to_string())
            confirm_label="Remove from organization"
            on_confirm=removing.confirmed
        />
    }
    .into_any()
}

/// The teams a person is in, as links, and how many more there are (each team's page lists its
/// members; a workspace's page lists the teams that give it).
fn teams_cell(u: &model::user::OrgUser) -> impl IntoView {
    let more = (u.team_count as usize).saturating_sub(u.teams.len());
    let links = u
        .teams
        .iter()
        .enumerate()
        .map(|(i, t)| {
            view! {
                {(i > 0).then_some(", ")}
                <a href=format!("/teams/{}", t.id)>{t.name.clone()}</a>
            }
        })
        .collect_view();
    view! {
        {links}
        {(more > 0).then(|| format!(" and {more} more"))}
        {u.team_count.eq(&0).then_some("none")}
    }
}

/// Where a person's workspace access comes from: each workspace with the role it gives and,
/// when a team gives it, the team; and how many more ways in there are.
fn access_cell(u: &model::user::OrgUser) -> impl IntoView {
    let more = (u.access_count as usize).saturating_sub(u.access.len());
    let ways = u
        .access
        .iter()
        .map(|a| {
            let via = match &a.via_team {
                Some(t) => view! {
                    " via " <a href=format!("/teams/{}", t.id)>{t.name.clone()}</a>
                }
                .into_any(),
                None => " own".into_any(),
            };
            view! {
                <li>
                    <a href=format!("/workspaces/{}", a.workspace.id)>{a.workspace.name.clone()}</a>
                    {format!(" · {}", a.role.as_str())}
                    {via}
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="plain-list">{ways}</ul>
        {(more > 0).then(|| format!("and {more} more"))}
        {u.access_count.eq(&0).then_some("none")}
    }
}
