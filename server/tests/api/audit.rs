//! The audit log is complete and can be investigated: every mutating endpoint writes an event,
//! personal changes (tokens, sign-ins, sessions) are in the organization's log, names are kept
//! as they were, filters match words and ranges, exports equal the filtered rows, and old
//! events are pruned by the retention with the pruning itself recorded.

use crate::common::{texts, urlencode, TestServer, PASSWORD};
use model::user::Role;
use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::BTreeSet;

both_backends!(
    every_mutating_endpoint_writes_an_event,
    personal_changes_are_in_the_organizations_log,
    names_are_kept_after_rename_and_delete,
    filters_match_words_people_and_ranges,
    exports_equal_the_filtered_rows,
    retention_prunes_and_records_the_pruning
);

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

async fn event_count(s: &TestServer) -> i64 {
    s.rows("SELECT COUNT(*) AS n FROM audit_events").await[0].get("n")
}

async fn newest_action(s: &TestServer) -> String {
    s.rows("SELECT action FROM audit_events ORDER BY occurred_at DESC, id DESC LIMIT 1")
        .await[0]
        .get("action")
}

/// Sends one request through a mutating endpoint, named by its OpenAPI template, and asserts it
/// succeeded and wrote at least one audit event, the newest of which is `action`.
struct Probe<'a> {
    s: &'a TestServer,
    token: String,
    covered: BTreeSet<String>,
}

impl Probe<'_> {
    async fn call(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        body: Option<Value>,
        action: &str,
    ) -> Value {
        let before = event_count(self.s).await;
        let (status, r) = self.s.send(method.clone(), &self.token, path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {r}"
        );
        let after = event_count(self.s).await;
        assert!(after > before, "{method} {template} wrote no audit event");
        assert_eq!(newest_action(self.s).await, action, "{method} {template}");
        self.covered.insert(format!("{method} {template}"));
        r
    }
}

async fn every_mutating_endpoint_writes_an_event(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    s.user("acme", "mike", Role::Member).await;
    let mut p = Probe {
        s,
        token: admin.clone(),
        covered: BTreeSet::new(),
    };
    let post = Method::POST;
    let put = Method::PUT;
    let del = Method::DELETE;
    let patch = Method::PATCH;

    // credentials and connections
    let cred = p
        .call(post.clone(), "/api/credentials", "/api/credentials", Some(json!({"name": "tok", "type": "token", "secret": {"token": "s3cret"}, "allowed_hosts": ["*.example"]})), "credential.create")
        .await;
    let cred = id(&cred);
    p.call(
        put.clone(),
        "/api/credentials/{id}",
        &format!("/api/credentials/{cred}"),
        Some(json!({"name": "tok2"})),
        "credential.update",
    )
    .await;
    let conn = p
        .call(
            post.clone(),
            "/api/connections",
            "/api/connections",
            Some(json!({"name": "web", "kind": "http", "url": "https://web.example:443"})),
            "connection.create",
        )
        .await;
    let conn = id(&conn);
    let conn2 = id(&s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "db", "kind": "http", "url": "https://db.example:443"}),
        )
        .await
        .1);
    p.call(
        put.clone(),
        "/api/connections/{id}",
        &format!("/api/connections/{conn}"),
        Some(json!({"name": "web2", "kind": "http", "url": "https://web.example:443"})),
        "connection.update",
    )
    .await;
    p.call(
        put.clone(),
        "/api/connections/{id}/status",
        &format!("/api/connections/{conn}/status"),
        Some(json!({"status": "ignored"})),
        "connection.status",
    )
    .await;
    p.call(
        post.clone(),
        "/api/connections/{id}/check",
        &format!("/api/connections/{conn2}/check"),
        None,
        "connection.check",
    )
    .await;
    let before = event_count(s).await;
    let r = s
        .http
        .post(s.url("/api/connections/import/kubeconfig"))
        .bearer_auth(&admin)
        .header("content-type", "application/yaml")
        .body(crate::connections::KUBECONFIG)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        event_count(s).await > before,
        "kubeconfig import wrote no audit event"
    );
    p.covered
        .insert("POST /api/connections/import/kubeconfig".into());

    // environments, their lifecycle and their connections
    let env = id(&p
        .call(
            post.clone(),
            "/api/environments",
            "/api/environments",
            Some(json!({"name": "prod"})),
            "environment.create",
        )
        .await);
    let env2 = id(&s
        .post(&admin, "/api/environments", json!({"name": "staging"}))
        .await
        .1);
    p.call(
        put.clone(),
        "/api/environments/{id}",
        &format!("/api/environments/{env}"),
        Some(json!({"name": "production"})),
        "environment.update",
    )
    .await;
    p.call(
        post.clone(),
        "/api/environments/{id}/connections/{connectionID}",
        &format!("/api/environments/{env}/connections/{conn}"),
        Some(json!({})),
        "environment.assign",
    )
    .await;
    p.call(
        patch.clone(),
        "/api/environments/{id}/connections",
        &format!("/api/environments/{env}/connections"),
        Some(json!({"add": [conn2]})),
        "environment.assign",
    )
    .await;
    p.call(
        post.clone(),
        "/api/environments/{id}/connections/transfer",
        &format!("/api/environments/{env}/connections/transfer"),
        Some(json!({"connection_ids": [conn2], "to": env2})),
        "environment.transfer",
    )
    .await;
    p.call(
        del.clone(),
        "/api/environments/{id}/connections/{connectionID}",
        &format!("/api/environments/{env}/connections/{conn}"),
        None,
        "environment.unassign",
    )
    .await;
    p.call(
        post.clone(),
        "/api/environments/{id}/archive",
        &format!("/api/environments/{env}/archive"),
        Some(json!({})),
        "environment.archive",
    )
    .await;
    p.call(
        post.clone(),
        "/api/environments/{id}/unarchive",
        &format!("/api/environments/{env}/unarchive"),
        Some(json!({})),
        "environment.unarchive",
    )
    .await;
    p.call(
        post.clone(),
        "/api/environments/bulk",
        "/api/environments/bulk",
        Some(json!({"action": "archive", "ids": [env2]})),
        "environment.archive",
    )
    .await;

    // workspaces, their environments and members
    let ws = id(&p
        .call(
            post.clone(),
            "/api/workspaces",
            "/api/workspaces",
            Some(json!({"name": "team"})),
            "workspace.create",
        )
        .await);
    p.call(
        put.clone(),
        "/api/workspaces/{id}",
        &format!("/api/workspaces/{ws}"),
        Some(json!({"name": "team-a"})),
        "workspace.update",
    )
    .await;
    p.call(
        post.clone(),
        "/api/workspaces/{id}/environments/{environmentID}",
        &format!("/api/workspaces/{ws}/environments/{env}"),
        Some(json!({})),
        "workspace.assign",
    )
    .await;
    p.call(
        del.clone(),
        "/api/workspaces/{id}/environments/{environmentID}",
        &format!("/api/workspaces/{ws}/environments/{env}"),
        None,
        "workspace.unassign",
    )
    .await;
    p.call(
        patch.clone(),
        "/api/workspaces/{id}/environments",
        &format!("/api/workspaces/{ws}/environments"),
        Some(json!({"add": [env]})),
        "workspace.assign",
    )
    .await;
    let (_, people) = s.get(&admin, "/api/users?search=mike").await;
    let mike = id(&people["users"][0]);
    p.call(
        post.clone(),
        "/api/workspaces/{id}/members",
        &format!("/api/workspaces/{ws}/members"),
        Some(json!({"email": "mike@example.com", "role": "member"})),
        "workspace.member_add",
    )
    .await;
    p.call(
        put.clone(),
        "/api/workspaces/{id}/members/{userID}",
        &format!("/api/workspaces/{ws}/members/{mike}"),
        Some(json!({"role": "admin"})),
        "workspace.member_role",
    )
    .await;
    p.call(
        del.clone(),
        "/api/workspaces/{id}/members/{userID}",
        &format!("/api/workspaces/{ws}/members/{mike}"),
        None,
        "workspace.member_remove",
    )
    .await;

    // people
    let nina = p
        .call(
            post.clone(),
            "/api/users",
            "/api/users",
            Some(json!({"name": "nina", "email": "nina@example.com", "role": "member"})),
            "user.create",
        )
        .await;
    let nina = id(&nina["user"]);
    p.call(
        put.clone(),
        "/api/users/{id}",
        &format!("/api/users/{nina}"),
        Some(json!({"role": "admin"})),
        "user.role",
    )
    .await;
    p.call(
        post.clone(),
        "/api/users/{id}/password",
        &format!("/api/users/{nina}/password"),
        Some(json!({})),
        "user.password_reset",
    )
    .await;
    p.call(
        del.clone(),
        "/api/users/{id}",
        &format!("/api/users/{nina}"),
        None,
        "user.delete",
    )
    .await;
    p.call(
        put.clone(),
        "/api/me/password",
        "/api/me/password",
        Some(json!({"current_password": PASSWORD, "new_password": "another-long-password"})),
        "user.password_change",
    )
    .await;

    // teams, and a workspace's teams
    let team = p
        .call(
            post.clone(),
            "/api/teams",
            "/api/teams",
            Some(json!({"name": "t"})),
            "team.create",
        )
        .await;
    let team = id(&team);
    let team_path = format!("/api/teams/{team}");
    p.call(
        put.clone(),
        "/api/teams/{id}",
        &team_path,
        Some(json!({"description": "d"})),
        "team.update",
    )
    .await;
    let member = p
        .call(
            post.clone(),
            "/api/teams/{id}/members",
            &format!("{team_path}/members"),
            Some(json!({"email": "mike@example.com"})),
            "team.member_add",
        )
        .await;
    let mike = member["user_id"].as_str().unwrap().to_string();
    let ws_teams = format!("/api/workspaces/{ws}/teams");
    for (method, template, path, body, action) in [
        (
            post.clone(),
            "/api/workspaces/{id}/teams",
            ws_teams.clone(),
            Some(json!({"team_id": team})),
            "workspace.assign",
        ),
        (
            put.clone(),
            "/api/workspaces/{id}/teams/{teamID}",
            format!("{ws_teams}/{team}"),
            Some(json!({"role": "admin"})),
            "workspace.team_role",
        ),
        (
            patch.clone(),
            "/api/workspaces/{id}/teams",
            ws_teams.clone(),
            Some(json!({"remove": [team]})),
            "workspace.unassign",
        ),
    ] {
        p.call(method, template, &path, body, action).await;
    }
    assert_eq!(
        s.post(&admin, &ws_teams, json!({"team_id": team})).await.0,
        201
    );
    p.call(
        del.clone(),
        "/api/workspaces/{id}/teams/{teamID}",
        &format!("{ws_teams}/{team}"),
        None,
        "workspace.unassign",
    )
    .await;
    p.call(
        del.clone(),
        "/api/teams/{id}/members/{userID}",
        &format!("{team_path}/members/{mike}"),
        None,
        "team.member_remove",
    )
    .await;
    p.call(
        del.clone(),
        "/api/teams/{id}",
        &team_path,
        None,
        "team.delete",
    )
    .await;

    // deletions last: each object is gone afterwards
    p.call(
        del.clone(),
        "/api/workspaces/{id}",
        &format!("/api/workspaces/{ws}"),
        None,
        "workspace.delete",
    )
    .await;
    assert_eq!(
        s.delete(&admin, &format!("/api/environments/{env2}"))
            .await
            .0,
        204
    );
    p.call(
        post.clone(),
        "/api/environments/{id}/restore",
        &format!("/api/environments/{env2}/restore"),
        Some(json!({})),
        "environment.restore",
    )
    .await;
    p.call(
        del.clone(),
        "/api/environments/{id}",
        &format!("/api/environments/{env}"),
        None,
        "environment.delete",
    )
    .await;
    p.call(
        del.clone(),
        "/api/connections/{id}",
        &format!("/api/connections/{conn}"),
        None,
        "connection.delete",
    )
    .await;
    p.call(
        del.clone(),
        "/api/credentials/{id}",
        &format!("/api/credentials/{cred}?force=true"),
        None,
        "credential.delete",
    )
    .await;

    // sessions: signed in with a cookie, ended one by one and all at once
    let cookie = s
        .sign_in("alice", "another-long-password")
        .await
        .expect("signed in");
    let other = s
        .sign_in("alice", "another-long-password")
        .await
        .expect("signed in");
    let (_, list) = s.get_with_cookie(&cookie, "/api/me/sessions").await;
    let other_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == false)
        .map(|x| x["id"].as_str().unwrap().to_string())
        .unwrap();
    for (method, template, path, action) in [
        (
            del.clone(),
            "/api/me/sessions/{id}",
            format!("/api/me/sessions/{other_id}"),
            "user.session_end",
        ),
        (
            del.clone(),
            "/api/me/sessions",
            "/api/me/sessions".to_string(),
            "user.sessions_end_all",
        ),
    ] {
        let before = event_count(s).await;
        let r = s
            .http
            .request(method.clone(), s.url(&path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{method} {path}: {}", r.status());
        assert!(
            event_count(s).await > before,
            "{method} {template} wrote no audit event"
        );
        assert_eq!(newest_action(s).await, action);
        p.covered.insert(format!("{method} {template}"));
    }
    drop(other);

    // Every mutating operation the API documents was called above: a new one fails here until
    // it is added, with the event it must write.
    let (_, spec) = s.get(&admin, "/api/openapi.json").await;
    let mut documented = BTreeSet::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if matches!(method.as_str(), "post" | "put" | "patch" | "delete") {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let missing: Vec<_> = documented.difference(&p.covered).collect();
    assert!(
        missing.is_empty(),
        "mutating endpoints with no audit check: {missing:?}"
    );
    // the same for the UI's server functions: each is known to read only, or is named with the
    // REST operation (same service method) whose event is checked above, or is checked in
    // `personal_changes_are_in_the_organizations_log`
    let server_fns: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/fn/").to_string())
        .collect();
    let unknown: Vec<_> = server_fns
        .iter()
        .filter(|f| {
            !SERVER_FN_READS.contains(&f.as_str())
                && !SERVER_FN_WRITES.iter().any(|(name, _)| name == f)
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "server functions not known to read or to be audited: {unknown:?}"
    );
    for (name, rest) in SERVER_FN_WRITES {
        assert!(
            rest.is_empty() || p.covered.contains(*rest) || PERSONAL.contains(rest),
            "{name} names {rest}, which is not checked"
        );
    }
}

/// Server functions that change nothing.
const SERVER_FN_READS: &[&str] = &[
    "me",
    "sign_in_options",
    "sessions/list",
    "tokens/list",
    "users/list",
    "events/list",
    "environments/list",
    "environments/get",
    "environments/tags",
    "assignments/list",
    "assignments/ids",
    "connections/list",
    "connections/get",
    "connections/page",
    "credentials/page",
    "credentials/list",
    "credentials/get",
    "workspaces/list",
    "workspaces/get",
    "workspaces/environments",
    "workspaces/environment_ids",
    "workspaces/connections",
    "workspaces/members",
    "workspaces/teams",
    "workspaces/team_ids",
    "teams/list",
    "teams/get",
    "teams/members",
];

/// The personal operations checked in their own test (server functions only).
const PERSONAL: &[&str] = &["sign_in", "sign_out", "tokens/create", "tokens/revoke"];

/// Server functions that write, each with the REST operation that calls the same service
/// method (or its own name when it has none).
const SERVER_FN_WRITES: &[(&str, &str)] = &[
    ("sign_in", "sign_in"),
    ("sign_out", "sign_out"),
    ("tokens/create", "tokens/create"),
    ("tokens/revoke", "tokens/revoke"),
    ("sessions/end", "DELETE /api/me/sessions/{id}"),
    ("sessions/end_all", "DELETE /api/me/sessions"),
    ("users/password", "PUT /api/me/password"),
    ("users/create", "POST /api/users"),
    ("teams/create", "POST /api/teams"),
    ("teams/delete", "DELETE /api/teams/{id}"),
    ("teams/members/add", "POST /api/teams/{id}/members"),
    (
        "teams/members/remove",
        "DELETE /api/teams/{id}/members/{userID}",
    ),
    ("workspaces/teams/patch", "PATCH /api/workspaces/{id}/teams"),
    (
        "workspaces/teams/role",
        "PUT /api/workspaces/{id}/teams/{teamID}",
    ),
    ("users/role", "PUT /api/users/{id}"),
    ("users/remove", "DELETE /api/users/{id}"),
    ("users/reset_password", "POST /api/users/{id}/password"),
    ("environments/create", "POST /api/environments"),
    ("environments/update", "PUT /api/environments/{id}"),
    ("environments/delete", "DELETE /api/environments/{id}"),
    ("environments/purge", "DELETE /api/environments/{id}"),
    (
        "environments/lifecycle",
        "POST /api/environments/{id}/archive",
    ),
    ("environments/bulk", "POST /api/environments/bulk"),
    (
        "assignments/patch",
        "PATCH /api/environments/{id}/connections",
    ),
    (
        "assignments/transfer",
        "POST /api/environments/{id}/connections/transfer",
    ),
    ("connections/save", "PUT /api/connections/{id}"),
    ("connections/delete", "DELETE /api/connections/{id}"),
    ("connections/check", "POST /api/connections/{id}/check"),
    ("connections/status", "PUT /api/connections/{id}/status"),
    (
        "connections/import_kubeconfig",
        "POST /api/connections/import/kubeconfig",
    ),
    ("credentials/create", "POST /api/credentials"),
    ("credentials/update", "PUT /api/credentials/{id}"),
    ("credentials/delete", "DELETE /api/credentials/{id}"),
    ("workspaces/create", "POST /api/workspaces"),
    ("workspaces/update", "PUT /api/workspaces/{id}"),
    ("workspaces/delete", "DELETE /api/workspaces/{id}"),
    (
        "workspaces/patch_environments",
        "PATCH /api/workspaces/{id}/environments",
    ),
    ("workspaces/add_member", "POST /api/workspaces/{id}/members"),
    (
        "workspaces/member_role",
        "PUT /api/workspaces/{id}/members/{userID}",
    ),
    (
        "workspaces/remove_member",
        "DELETE /api/workspaces/{id}/members/{userID}",
    ),
];

/// A server function called as the browser calls it: form-encoded, with the session cookie.
async fn server_fn(
    s: &TestServer,
    cookie: &str,
    name: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let r = s
        .http
        .post(s.url(&format!("/fn/{name}")))
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .unwrap();
    TestServer::json(r).await
}

async fn actions_of(s: &TestServer, token: &str, filter: Value) -> Vec<String> {
    let (status, l) = s
        .get(
            token,
            &format!(
                "/api/events?pagesize=100&filter={}",
                urlencode(&filter.to_string())
            ),
        )
        .await;
    assert_eq!(status, 200, "{l}");
    texts(&l, "events", "action")
        .into_iter()
        .map(String::from)
        .collect()
}

async fn personal_changes_are_in_the_organizations_log(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    s.user("acme", "mike", Role::Member).await;
    let cookie = s.sign_in("mike", PASSWORD).await.expect("signed in");
    let (status, created) = server_fn(s, &cookie, "tokens/create", &[("name", "ci")]).await;
    assert_eq!(status, 200, "{created}");
    let token_id = created["token"]["id"].as_str().unwrap().to_string();
    let secret = created["secret"].as_str().unwrap().to_string();
    let (status, r) = server_fn(s, &cookie, "tokens/revoke", &[("id", &token_id)]).await;
    assert_eq!(status, 200, "{r}");
    // an expired token is refused, and that is recorded once however often it is tried
    let (_, t2) = server_fn(
        s,
        &cookie,
        "tokens/create",
        &[("name", "old"), ("expires_in_days", "1")],
    )
    .await;
    let t2_id = t2["token"]["id"].as_str().unwrap().to_string();
    s.rows(&format!(
        "UPDATE api_tokens SET expires_at = 1 WHERE id = '{t2_id}'"
    ))
    .await;
    for _ in 0..3 {
        assert_eq!(
            s.get(t2["secret"].as_str().unwrap(), "/api/me").await.0,
            401
        );
    }
    assert_eq!(s.get(&secret, "/api/me").await.0, 401);
    let (status, _) = server_fn(s, &cookie, "sign_out", &[]).await;
    assert!(status < 400, "{status}");
    // the organization's admin sees all of it, the token's secret nowhere
    let (_, me) = s.get(&admin, "/api/users?search=mike").await;
    let mike = id(&me["users"][0]);
    let mine = actions_of(s, &admin, json!({"actor_id": mike})).await;
    assert_eq!(
        mine,
        [
            "user.sign_out",
            "api_token.refused_expired",
            "api_token.create",
            "api_token.revoke",
            "api_token.create",
            "user.sign_in",
            // the token the test harness made (as the CLI does)
            "api_token.create"
        ]
    );
    let refused = actions_of(s, &admin, json!({"entity_id": t2_id})).await;
    assert_eq!(refused, ["api_token.refused_expired", "api_token.create"]);
    let (_, all) = s.get(&admin, "/api/events?pagesize=100").await;
    assert!(!all.to_string().contains(&secret));
    let (_, log) = s
        .get(
            &admin,
            &format!(
                "/api/events?filter={}",
                urlencode(&json!({"entity_id": token_id}).to_string())
            ),
        )
        .await;
    assert_eq!(log["events"][0]["entity_name"], "ci");
    assert_eq!(log["events"][0]["actor"]["user_name"], "mike");
}

async fn names_are_kept_after_rename_and_delete(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let env = id(&s
        .post(&admin, "/api/environments", json!({"name": "prod"}))
        .await
        .1);
    let web = id(&s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "web", "kind": "http", "url": "https://web.example:443"}),
        )
        .await
        .1);
    let r = s
        .send(
            Method::PATCH,
            &admin,
            &format!("/api/environments/{env}/connections"),
            Some(json!({"add": [web]})),
        )
        .await;
    assert_eq!(r.0, 200, "{}", r.1);
    s.put(
        &admin,
        &format!("/api/connections/{web}"),
        json!({"name": "web-renamed", "kind": "http", "url": "https://web.example:443"}),
    )
    .await;
    assert_eq!(
        s.delete(&admin, &format!("/api/connections/{web}")).await.0,
        204
    );
    assert_eq!(
        s.delete(&admin, &format!("/api/environments/{env}"))
            .await
            .0,
        204
    );
    assert_eq!(
        s.delete(&admin, &format!("/api/environments/{env}?purge=true"))
            .await
            .0,
        204
    );
    let (_, l) = s
        .get(
            &admin,
            &format!(
                "/api/events?filter={}",
                urlencode(&json!({"action": "assign"}).to_string())
            ),
        )
        .await;
    let e = &l["events"][0];
    assert_eq!(e["entity_name"], "prod");
    assert_eq!(e["after"]["added"], json!([{"id": web, "name": "web"}]));
    // the deleted connection's history still names it, with its last state
    let (_, l) = s
        .get(
            &admin,
            &format!(
                "/api/events?filter={}",
                urlencode(&json!({"entity_id": web}).to_string())
            ),
        )
        .await;
    let names = texts(&l, "events", "entity_name");
    assert_eq!(names, ["web-renamed", "web-renamed", "web"]);
    assert_eq!(l["events"][0]["before"]["url"], "https://web.example:443");
}

async fn filters_match_words_people_and_ranges(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let ann = s.user("acme", "ann", Role::Admin).await;
    let env = id(&s
        .post(&admin, "/api/environments", json!({"name": "prod"}))
        .await
        .1);
    let c = id(&s
        .post(
            &ann,
            "/api/connections",
            json!({"name": "web", "kind": "http", "url": "https://web.example:443"}),
        )
        .await
        .1);
    let c2 = id(&s
        .post(
            &ann,
            "/api/connections",
            json!({"name": "db", "kind": "http", "url": "https://db.example:443"}),
        )
        .await
        .1);
    s.post(
        &admin,
        &format!("/api/environments/{env}/connections/{c}"),
        json!({}),
    )
    .await;
    s.send(
        Method::PATCH,
        &admin,
        &format!("/api/environments/{env}/connections"),
        Some(json!({"add": [c2], "remove": [c]})),
    )
    .await;
    let middle = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    s.post(
        &admin,
        &format!("/api/environments/{env}/archive"),
        json!({}),
    )
    .await;
    s.delete(&ann, &format!("/api/connections/{c}")).await;
    // a word of an action, or its start
    assert_eq!(
        actions_of(s, &admin, json!({"action": "assign"})).await,
        ["environment.assignments", "environment.assign"]
    );
    assert_eq!(
        actions_of(s, &admin, json!({"action": "delete"})).await,
        ["connection.delete"]
    );
    assert_eq!(
        actions_of(s, &admin, json!({"action": "archive"})).await,
        ["environment.archive"]
    );
    assert_eq!(
        actions_of(s, &admin, json!({"action": "environment.assign"})).await,
        ["environment.assignments", "environment.assign"]
    );
    assert!(actions_of(s, &admin, json!({"action": "sign"}))
        .await
        .is_empty());
    // a wildcard is refused, not matched
    let r = s
        .get(
            &admin,
            &format!("/api/events?filter={}", urlencode(r#"{"action":"%"}"#)),
        )
        .await;
    crate::common::assert_error(&r, 400, "invalid_parameter", Some("filter.action"));
    // by person: name or email, any case
    assert_eq!(
        actions_of(s, &admin, json!({"actor": "ANN"})).await,
        [
            "connection.delete",
            "connection.create",
            "connection.create",
            "api_token.create"
        ]
    );
    assert_eq!(
        actions_of(
            s,
            &admin,
            json!({"actor": "ann@example.com", "action": "delete"})
        )
        .await,
        ["connection.delete"]
    );
    assert!(actions_of(s, &admin, json!({"actor": "nobody"}))
        .await
        .is_empty());
    // by time, both ends
    assert_eq!(
        actions_of(s, &admin, json!({"since": middle.to_rfc3339()})).await,
        ["connection.delete", "environment.archive"]
    );
    assert_eq!(
        actions_of(
            s,
            &admin,
            json!({"until": middle.to_rfc3339(), "actor": "alice"})
        )
        .await,
        [
            "environment.assignments",
            "environment.assign",
            "environment.create",
            "api_token.create"
        ]
    );
}

async fn org_of(s: &TestServer, token: &str) -> String {
    let (_, me) = s.get(token, "/api/me").await;
    me["organizations"][0]["id"].as_str().unwrap().to_string()
}

async fn exports_equal_the_filtered_rows(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let member = s.user("acme", "mike", Role::Member).await;
    let org = org_of(s, &admin).await;
    s.post(
        &admin,
        "/api/environments",
        json!({"name": "a,b \"quoted\""}),
    )
    .await;
    s.seed_events(&org, 1_234, 1_000_000).await;
    let filter = urlencode(&json!({"action": "update"}).to_string());
    let (_, page) = s
        .get(
            &admin,
            &format!("/api/events?pagesize=1000&filter={filter}"),
        )
        .await;
    assert_eq!(page["total_count"], 1_234);
    // JSON lines: every filtered event, newest first, across the export's slices
    let r = s
        .http
        .get(s.url(&format!("/api/events?format=jsonl&filter={filter}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/x-ndjson");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"meshenv-audit-"));
    assert!(
        r.headers().get("content-length").is_none(),
        "streamed, not buffered"
    );
    let text = r.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1_234);
    let first_page: Vec<&Value> = page["events"].as_array().unwrap().iter().collect();
    assert_eq!(lines[..1000].iter().collect::<Vec<_>>(), first_page);
    assert_eq!(lines[1_233]["entity_name"], "env-0");
    // CSV through Accept, oldest first: a header, then one line per event, fields quoted
    let r = s
        .http
        .get(s.url("/api/events?order=time%20asc"))
        .bearer_auth(&admin)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let text = r.text().await.unwrap();
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows[0], model::audit::CSV_HEADER.trim_end());
    // the header, the seeded events, two API tokens and the environment
    assert_eq!(rows.len(), 1 + 1_234 + 3);
    assert!(
        rows[1].contains(",environment.update,environment,,env-0,"),
        "{}",
        rows[1]
    );
    assert!(
        rows.last().unwrap().contains("\"a,b \"\"quoted\"\"\""),
        "{}",
        rows.last().unwrap()
    );
    // the same rules as the list: bad filters and formats are refused before any byte
    crate::common::assert_error(
        &s.get(&admin, "/api/events?format=xml").await,
        400,
        "invalid_parameter",
        Some("format"),
    );
    crate::common::assert_error(
        &s.get(&admin, "/api/events?format=csv&order=action").await,
        400,
        "invalid_parameter",
        Some("order"),
    );
    crate::common::assert_error(
        &s.get(&admin, "/api/events?format=csv&bogus=1").await,
        400,
        "invalid_parameter",
        Some("bogus"),
    );
    // a member exports only what they may read: nothing here
    let r = s
        .http
        .get(s.url("/api/events?format=csv"))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), model::audit::CSV_HEADER);
    assert_eq!(s.get("mshv_nothing", "/api/events?format=csv").await.0, 401);
}

async fn retention_prunes_and_records_the_pruning(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let org = org_of(s, &admin).await;
    s.post(&admin, "/api/environments", json!({"name": "kept"}))
        .await;
    let now = chrono::Utc::now().timestamp_micros();
    let day = 86_400_000_000_i64;
    s.seed_events(&org, 700, now - 40 * day).await;
    // kept forever by default
    assert_eq!(s.service.prune_audit_events().await.unwrap(), 0);
    assert_eq!(event_count(s).await, 702);
    let pruner = service::Service::new(s.service.db.clone(), crate::common::test_keys())
        .with_audit_retention(Some(std::time::Duration::from_secs(30 * 86_400)));
    assert_eq!(pruner.prune_audit_events().await.unwrap(), 700);
    assert_eq!(pruner.prune_audit_events().await.unwrap(), 0);
    let (_, l) = s.get(&admin, "/api/events").await;
    let actions = texts(&l, "events", "action");
    assert_eq!(
        actions,
        ["audit.prune", "environment.create", "api_token.create"]
    );
    assert_eq!(l["events"][0]["after"]["events"], 700);
    assert_eq!(
        l["events"][0]["reason"],
        "retention (MESHENV_AUDIT_RETENTION)"
    );
}
