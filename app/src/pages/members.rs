//! The organization's members, for its admins: add someone (they get a one-time password,
//! shown once), change their role, reset their password (a new one-time one; their sessions
//! end), remove them.

use crate::components::confirm::ConfirmDialog;
use crate::components::delete_flow::DeleteFlow;
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
    // The one-time password of the last reset, shown once like a new member's.
    let reset = RwSignal::new(None::<CreatedUser>);
    let reset_one = move |id| {
        spawn_local(async move {
            match reset_password(id).await {
                Ok(c) => {
                    toasts.success(format!("{} was signed out everywhere", c.user.name));
                    reset.set(Some(c));
                    reload.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    };
    // A member added after a reset is the one whose password shows.
    Effect::new(move |_| {
        create.version().track();
        reset.set(None);
    });
    let created = move || create.value().get().and_then(|r| r.ok());
    let error = move || create.value().get().and_then(|r| r.err());
    view! {
        <Title text="Members" />
        <h1>"Organization members"</h1>
        <section class="form-card">
            <h2>"Add someone"</h2>
            <ActionForm action=create>
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
                <button type="submit" class="btn btn-primary">"Add member"</button>
            </ActionForm>
            {move || reset.get().or_else(created).map(|c| view! {
                <div class="secret-once" data-testid="one-time-password">
                    <p>{format!("Give {} this one-time password; they choose their own at first sign-in. It is not shown again.", c.user.name)}</p>
                    <code class="secret">{c.one_time_password}</code>
                </div>
            })}
        </section>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(page) => view! {
                        <table class="data">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                                <th scope="col">"Password"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {page.users.into_iter().map(|u| {
                                    let (id, name) = (u.id, u.name.clone());
                                    let reset_label = format!("Reset the password of {name}");
                                    let other = if u.role == Role::Admin { "member" } else { "admin" };
                                    view! {
                                        <tr data-testid="user-row">
                                            <td>{u.name.clone()}</td>
                                            <td>{u.email.clone()}</td>
                                            <td>{u.role.as_str()}</td>
                                            <td>{if u.must_change_password { "one-time" } else { "set" }}</td>
                                            <td class="col-actions">
                                                <div class="row-actions">
                                                    <button type="button" class="btn btn-small" on:click=move |_| set_role(id, other)>{format!("Make {other}")}</button>
                                                    <button type="button" class="btn btn-small" aria-label=reset_label
                                                        on:click=move |_| reset_one(id)>"Reset password"</button>
                                                    <button type="button" class="btn btn-small btn-danger-quiet"
                                                        aria-label=format!("Remove {name}")
                                                        on:click=move |_| removing.ask(id, name.clone())>"Remove"</button>
                                                </div>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
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
}
