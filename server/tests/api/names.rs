//! Names: unique per organization ignoring case for every named kind, natural order in every
//! list, and the upgrade (migration 0013) that renames the duplicates an older release allowed.

use crate::common::{assert_error, texts, TestServer};
use model::user::Role;
use serde_json::{json, Value};

both_backends!(
    duplicate_names_are_refused_on_the_field_ignoring_case,
    lists_by_name_are_in_natural_order,
    the_upgrade_renames_duplicates_and_keys_existing_names,
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
