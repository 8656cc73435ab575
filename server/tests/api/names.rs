//! Names: unique per organization ignoring case for every named kind, natural order in every
//! list, and the upgrade (migration 0013) that renames the duplicates an older release allowed.

use crate::common::{assert_error, texts, TestServer};
use model::user::Role;
use serde_json::{json, Value};

both_backends!(
    duplicate_names_are_refused_on_the_field_ignoring_case,
    lists_by_name_are_in_natural_order,
    the_upgrade_renames_duplicates_and_keys_existing_names,
    a_kubeconfig_preview_names_what_an_import_would_make_and_keeps_nothing,
);

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("an id")
}

async fn credential(s: &TestServer, t: &str, name: &str) -> Value {
    let (status, c) = s
        .post(t, "/api/credentials", json!({"name": name, "type": "token", "secret": {"token": "s3cret"}, "allowed_hosts": ["*.example"]}))
        .await;
    assert_eq!(status, 201, "{c}");
    c
}

async fn connection(s: &TestServer, t: &str, name: &str) -> Value {
    let (status, c) = s
        .post(
            t,
            "/api/connections",
            json!({"name": name, "kind": "prometheus", "url": "http://prom.example:9090"}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c
}

async fn duplicate_names_are_refused_on_the_field_ignoring_case(s: &TestServer) {
    let t = s.user("acme", "admin", Role::Admin).await;
    let other = s.user("globex", "other-admin", Role::Admin).await;

    connection(s, &t, "Prometheus").await;
    let second = connection(s, &t, "prometheus-eu").await;
    let again = s
        .post(
            &t,
            "/api/connections",
            json!({"name": " prometheus ", "kind": "prometheus", "url": "http://x.example"}),
        )
        .await;
    assert_error(&again, 409, "name_taken", Some("name"));
    assert!(
        again.1["error"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{}",
        again.1
    );
    let renamed = s
        .put(
            &t,
            &format!("/api/connections/{}", id(&second)),
            json!({"name": "PROMETHEUS"}),
        )
        .await;
    assert_error(&renamed, 409, "name_taken", Some("name"));
    // Renaming to itself in another case is not a clash with itself.
    let (status, same) = s
        .put(
            &t,
            &format!("/api/connections/{}", id(&second)),
            json!({"name": "Prometheus-EU"}),
        )
        .await;
    assert_eq!(
        (status, same["name"].as_str()),
        (200, Some("Prometheus-EU"))
    );

    credential(s, &t, "Kube token").await;
    let dup = s
        .post(&t, "/api/credentials", json!({"name": "KUBE TOKEN", "type": "token", "secret": {"token": "x"}, "allowed_hosts": ["*.example"]}))
        .await;
    assert_error(&dup, 409, "name_taken", Some("name"));
    let c2 = credential(s, &t, "kube token 2").await;
    let renamed = s
        .put(
            &t,
            &format!("/api/credentials/{}", id(&c2)),
            json!({"name": "kube TOKEN"}),
        )
        .await;
    assert_error(&renamed, 409, "name_taken", Some("name"));

    // Another organization has names of its own.
    connection(s, &other, "prometheus").await;
    credential(s, &other, "kube token").await;
    let (_, list) = s.get(&t, "/api/connections?search=prometheus").await;
    assert_eq!(list["total_count"], 2);
}

async fn lists_by_name_are_in_natural_order(s: &TestServer) {
    let t = s.user("acme", "admin", Role::Admin).await;
    let names = ["te10", "te2", "Te1", "te100", "te1a", "te"];
    let natural = ["te", "Te1", "te1a", "te2", "te10", "te100"];
    for n in names {
        connection(s, &t, n).await;
        credential(s, &t, n).await;
        let (status, _) = s.post(&t, "/api/environments", json!({"name": n})).await;
        assert_eq!(status, 201);
        let (status, _) = s.post(&t, "/api/workspaces", json!({"name": n})).await;
        assert_eq!(status, 201);
    }
    for (path, items) in [
        ("/api/connections", "connections"),
        ("/api/credentials", "credentials"),
        ("/api/environments", "environments"),
        ("/api/workspaces", "workspaces"),
    ] {
        let (_, asc) = s
            .get(&t, &format!("{path}?order=name%20asc&search=te"))
            .await;
        assert_eq!(texts(&asc, items, "name"), natural, "{path}");
        let (_, desc) = s
            .get(
                &t,
                &format!("{path}?order=name%20desc&search=te&pagesize=2&page=1"),
            )
            .await;
        assert_eq!(
            texts(&desc, items, "name"),
            ["te2", "te1a"],
            "{path} descending, second page"
        );
    }
}

/// The database as an older release left it: no natural-order keys, duplicate names allowed.
const BEFORE_0013: &[&str] = &[
    "DROP INDEX connections_org_sort",
    "DROP INDEX credentials_org_sort",
    "DROP INDEX environments_org_sort",
    "DROP INDEX environments_live_sort",
    "DROP INDEX workspaces_org_sort",
    "DROP INDEX connections_org_name",
    "DROP INDEX credentials_org_name",
    "CREATE INDEX connections_org_name ON connections (organization_id, name_key, id)",
    "CREATE INDEX credentials_org_name ON credentials (organization_id, name_key, id)",
    "CREATE INDEX environments_live_name ON environments (organization_id, name_key, id) WHERE deleted_at IS NULL AND archived_at IS NULL",
    "ALTER TABLE connections DROP COLUMN sort_key",
    "ALTER TABLE credentials DROP COLUMN sort_key",
    "ALTER TABLE environments DROP COLUMN sort_key",
    "ALTER TABLE workspaces DROP COLUMN sort_key",
    "DELETE FROM _sqlx_migrations WHERE version = 13",
];

async fn the_upgrade_renames_duplicates_and_keys_existing_names(s: &TestServer) {
    let t = s.user("acme", "admin", Role::Admin).await;
    for n in ["a1", "a2", "a3", "b"] {
        connection(s, &t, n).await;
    }
    for n in ["c1", "c2"] {
        credential(s, &t, n).await;
    }
    s.post(&t, "/api/environments", json!({"name": "env10"}))
        .await;
    s.post(&t, "/api/environments", json!({"name": "env9"}))
        .await;
    for sql in BEFORE_0013 {
        s.exec(sql).await;
    }
    s.exec("UPDATE connections SET name = 'Prom', name_key = 'prom' WHERE name IN ('a1', 'a2')")
        .await;
    s.exec("UPDATE connections SET name = 'PROM', name_key = 'prom' WHERE name = 'a3'")
        .await;
    s.exec("UPDATE credentials SET name = 'tok', name_key = 'tok'")
        .await;

    // The next start migrates.
    let upgraded = TestServer::start_on(&s.db_url).await;
    let (_, list) = upgraded.get(&t, "/api/connections?order=name%20asc").await;
    assert_eq!(
        texts(&list, "connections", "name"),
        ["b", "Prom", "Prom (duplicate 2)", "PROM (duplicate 3)"]
    );
    let (_, list) = upgraded.get(&t, "/api/credentials?order=name%20asc").await;
    assert_eq!(
        texts(&list, "credentials", "name"),
        ["tok", "tok (duplicate 2)"]
    );
    let (_, list) = upgraded.get(&t, "/api/environments?order=name%20asc").await;
    assert_eq!(texts(&list, "environments", "name"), ["env9", "env10"]);
    for table in ["connections", "credentials", "environments", "workspaces"] {
        let empty = upgraded
            .rows(&format!("SELECT id FROM {table} WHERE sort_key = ''"))
            .await;
        assert!(empty.is_empty(), "{table} has rows without a sort key");
    }
    let again = upgraded
        .post(
            &t,
            "/api/connections",
            json!({"name": "prom", "kind": "prometheus", "url": "http://x.example"}),
        )
        .await;
    assert_error(&again, 409, "name_taken", Some("name"));
    upgraded.stop().await;
}

async fn import(s: &TestServer, t: &str, dry_run: bool) -> (u16, Value) {
    let r = s
        .http
        .post(s.url(&format!(
            "/api/connections/import/kubeconfig?dry_run={dry_run}"
        )))
        .bearer_auth(t)
        .header("content-type", "application/yaml")
        .body(crate::connections::KUBECONFIG)
        .send()
        .await
        .unwrap();
    TestServer::json(r).await
}

async fn a_kubeconfig_preview_names_what_an_import_would_make_and_keeps_nothing(s: &TestServer) {
    let t = s.user("acme", "admin", Role::Admin).await;
    // A connection already called "prod" (another file's context, say): the import's takes "prod (2)".
    connection(s, &t, "PROD").await;
    let events_before = s.get(&t, "/api/events").await.1["total_count"].clone();

    let (status, preview) = import(s, &t, true).await;
    assert_eq!(status, 200, "{preview}");
    let names: Vec<(&str, &str, &str, bool, bool)> = preview["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["context"].as_str().unwrap(),
                c["name"].as_str().unwrap(),
                c["url"].as_str().unwrap(),
                c["credential_id"].is_string(),
                c["created"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (
                "prod",
                "prod (2)",
                "https://prod.k8s.example:6443",
                true,
                true
            ),
            ("dev", "dev", "https://dev.k8s.example:6443", true, true),
        ]
    );
    // Nothing was kept: no connection, no credential, no event.
    assert_eq!(s.get(&t, "/api/connections").await.1["total_count"], 1);
    assert_eq!(s.get(&t, "/api/credentials").await.1["total_count"], 0);
    assert_eq!(
        s.get(&t, "/api/events").await.1["total_count"],
        events_before
    );

    // The import makes what the preview said; a preview afterwards says it is all there.
    let (status, made) = import(s, &t, false).await;
    assert_eq!(status, 200, "{made}");
    assert_eq!(texts(&made, "connections", "name"), ["prod (2)", "dev"]);
    assert_eq!(s.get(&t, "/api/connections").await.1["total_count"], 3);
    let (_, again) = import(s, &t, true).await;
    assert!(again["connections"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["created"] == false));
}
