//! The product documentation's own examples (`../shared/reference/`), pasted as a user would:
//! every JSON body verbatim, every query parameter as written; then the rules around them (the
//! two spellings of an address, the `deleted_at` filter, unknown parameters, events search).

use crate::common::{assert_error, urlencode, TestServer};
use model::user::Role;
use serde_json::{json, Value};

both_backends!(
    documented_examples_work_as_written,
    an_address_is_read_from_either_spelling,
    registering_starts_from_the_documented_statuses,
    deleted_at_filters_soft_deleted_connections,
    every_list_refuses_an_unknown_parameter,
    events_are_searched_by_action_entity_and_actor,
    json_bodies_must_be_sent_as_json
);

async fn raw(request: reqwest::RequestBuilder) -> (u16, Value) {
    TestServer::json(request.send().await.unwrap()).await
}

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

/// Percent-encodes a query value.
async fn org_of(s: &TestServer, token: &str) -> String {
    let (_, me) = s.get(token, "/api/me").await;
    me["organizations"][0]["id"].as_str().unwrap().to_string()
}

/// The documentation's three connection examples, verbatim.
fn documented_connections() -> [Value; 3] {
    [
        json!({
          "kind": "kubernetes",
          "type": "platform",
          "name": "prod-gke-us-east",
          "status": "connected",
          "metadata": {
            "server": "https://kubernetes.example.com",
            "version": "v1.28.0"
          }
        }),
        json!({
          "kind": "prometheus",
          "type": "observability",
          "name": "prod-prometheus",
          "status": "registered",
          "metadata": {
            "url": "https://prometheus.example.com"
          }
        }),
        json!({
          "kind": "grafana",
          "type": "observability",
          "name": "prod-grafana",
          "status": "connected",
          "metadata": {
            "url": "https://grafana.example.com"
          }
        }),
    ]
}

async fn documented_examples_work_as_written(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let org = org_of(s, &admin).await;

    // Creating environments: the body as written, with the placeholder filled in; the
    // placeholder itself is not an organization id and is refused on that field.
    let example = r#"{
    "name": "production",
    "description": "Production infrastructure",
    "organization_id": "org-uuid-here"
  }"#;
    let (status, err) = raw(s
        .http
        .post(s.url("/api/environments"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(example))
    .await;
    assert_error(&(status, err), 400, "invalid_body", Some("organization_id"));
    let (status, env) = raw(s
        .http
        .post(s.url("/api/environments"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(example.replace("org-uuid-here", &org)))
    .await;
    assert_eq!(status, 201, "{env}");
    assert_eq!(
        (env["name"].as_str(), env["description"].as_str()),
        (Some("production"), Some("Production infrastructure"))
    );
    assert_eq!(env["organization_id"], org.as_str());
    let env_id = id(&env);

    // The connection examples, verbatim, and read back in both spellings.
    let mut conns = Vec::new();
    for body in documented_connections() {
        let (status, c) = s.post(&admin, "/api/connections", body.clone()).await;
        assert_eq!(status, 201, "{body} -> {c}");
        let key = if body["kind"] == "kubernetes" {
            "server"
        } else {
            "url"
        };
        let address = &body["metadata"][key];
        assert_eq!(&c["url"], address, "{c}");
        assert_eq!(&c["metadata"][key], address, "{c}");
        for field in ["kind", "type", "name", "status"] {
            assert_eq!(c[field], body[field], "{field} of {c}");
        }
        let (_, read) = s.get(&admin, &format!("/api/connections/{}", id(&c))).await;
        assert_eq!(read["metadata"], c["metadata"]);
        assert_eq!(read["url"], c["url"]);
        conns.push(c);
    }
    assert_eq!(conns[0]["metadata"]["version"], "v1.28.0");
    // The address is stored once: the metadata column does not hold a copy.
    for row in s
        .rows("SELECT metadata FROM connections ORDER BY name")
        .await
    {
        use sqlx::Row;
        let stored: String = row.get("metadata");
        assert!(
            !stored.contains("example.com"),
            "the address is kept in url only: {stored}"
        );
    }

    // Adding connections: POST without a body.
    for c in &conns {
        let (status, body) = raw(s
            .http
            .post(s.url(&format!("/api/environments/{env_id}/connections/{}", id(c))))
            .bearer_auth(&admin))
        .await;
        assert!((200..300).contains(&status), "{status} {body}");
    }

    // Querying environment connections with every documented parameter.
    let list = |filter: &str| {
        format!(
            "/api/environments/{env_id}/connections?page=0&pagesize=20&search=prod&order={}&filter={}",
            urlencode("updated_at desc"),
            urlencode(filter)
        )
    };
    for filter in [r#"{"assigned": true}"#, r#"{"deleted_at": false}"#] {
        let (status, page) = s.get(&admin, &list(filter)).await;
        assert_eq!(status, 200, "{filter}: {page}");
        assert_eq!(page["total_count"], 3, "{filter}: {page}");
        assert_eq!(page["page_size"], 20);
    }
    // `pageSize`, Meshery's other spelling
    let (status, page) = s
        .get(
            &admin,
            &format!("/api/environments/{env_id}/connections?page=0&pageSize=2"),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        (
            page["page_size"].as_u64(),
            page["connections"].as_array().map(Vec::len)
        ),
        (Some(2), Some(2))
    );

    // Assigning to workspaces.
    let (_, ws) = s
        .post(&admin, "/api/workspaces", json!({"name": "platform-team"}))
        .await;
    let (status, body) = raw(s
        .http
        .post(s.url(&format!(
            "/api/workspaces/{}/environments/{env_id}",
            id(&ws)
        )))
        .bearer_auth(&admin))
    .await;
    assert!((200..300).contains(&status), "{status} {body}");

    // Common query parameters across environment endpoints.
    for order in ["name", "created_at desc"] {
        let path = format!(
            "/api/environments?orgID={org}&page=0&pagesize=10&search=prod&order={}&filter={}",
            urlencode(order),
            urlencode("{}")
        );
        let (status, page) = s.get(&admin, &path).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert_eq!(page["total_count"], 1);
    }

    // Update (PUT), get, and removing a connection.
    let (status, env) = s
        .put(
            &admin,
            &format!("/api/environments/{env_id}"),
            json!({"description": "Production clusters and monitoring"}),
        )
        .await;
    assert_eq!(status, 200, "{env}");
    let (status, body) = s
        .delete(
            &admin,
            &format!("/api/environments/{env_id}/connections/{}", id(&conns[2])),
        )
        .await;
    assert!((200..300).contains(&status), "{status} {body}");
    let (_, page) = s
        .get(&admin, &format!("/api/environments/{env_id}/connections"))
        .await;
    assert_eq!(page["total_count"], 2);
    // the connection itself is not deleted
    let (status, _) = s
        .get(&admin, &format!("/api/connections/{}", id(&conns[2])))
        .await;
    assert_eq!(status, 200);
    let (status, _) = s
        .delete(&admin, &format!("/api/environments/{env_id}"))
        .await;
    assert!((200..300).contains(&status));
    for c in &conns {
        let (status, _) = s.get(&admin, &format!("/api/connections/{}", id(c))).await;
        assert_eq!(status, 200, "deleting an environment keeps its connections");
    }
}

async fn an_address_is_read_from_either_spelling(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    // both given and equal (a trailing slash aside): accepted
    let (status, k) = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "k", "kind": "kubernetes", "url": "https://k8s.example:6443",
                   "metadata": {"server": "https://k8s.example:6443/", "version": "v1.30.1"}}),
        )
        .await;
    assert_eq!(status, 201, "{k}");
    assert_eq!(k["url"], "https://k8s.example:6443");
    assert_eq!(k["metadata"]["server"], "https://k8s.example:6443");
    // both given and different: a 400 on the metadata key
    let r = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "k2", "kind": "kubernetes", "url": "https://a.example",
                   "metadata": {"server": "https://b.example"}}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("metadata.server"));
    assert!(
        r.1["error"].as_str().unwrap().contains("b.example"),
        "{}",
        r.1
    );
    let r = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "p", "kind": "prometheus", "metadata": {"url": 9090}}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("metadata.url"));
    // neither: the message names both spellings
    let r = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "k3", "kind": "kubernetes"}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("url"));
    assert!(r.1["error"].as_str().unwrap().contains("metadata.server"));
    // kinds without an address key keep metadata.url as plain metadata
    let (status, gh) = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "gh", "kind": "github", "url": "https://api.github.com",
                   "metadata": {"url": "https://github.com/acme"}}),
        )
        .await;
    assert_eq!(status, 201, "{gh}");
    assert_eq!(gh["metadata"]["url"], "https://github.com/acme");

    let path = format!("/api/connections/{}", id(&k));
    // only url sent: the old metadata.server goes, the new address shows in both
    let (status, c) = s
        .put(&admin, &path, json!({"url": "https://k8s-2.example:6443"}))
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["metadata"]["server"], "https://k8s-2.example:6443");
    assert_eq!(c["metadata"]["version"], "v1.30.1");
    // only metadata sent, with the address in it: it moves the url
    let (status, c) = s
        .put(
            &admin,
            &path,
            json!({"metadata": {"server": "https://k8s-3.example", "version": "v1.31.0"}}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["url"], "https://k8s-3.example");
    // an answer sent back whole, unchanged, is accepted (both spellings agree)
    let (status, again) = s.put(&admin, &path, c.clone()).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["url"], c["url"]);
    // both, disagreeing: refused, nothing changed
    let r = s
        .put(
            &admin,
            &path,
            json!({"url": "https://x.example", "metadata": {"server": "https://y.example"}}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("metadata.server"));
    let (_, now) = s.get(&admin, &path).await;
    assert_eq!(now["url"], "https://k8s-3.example");
    // metadata without the address: the url stays
    let (status, c) = s
        .put(&admin, &path, json!({"metadata": {"team": "platform"}}))
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["url"], "https://k8s-3.example");
    assert_eq!(
        c["metadata"],
        json!({"team": "platform", "server": "https://k8s-3.example"})
    );
    // the status move keeps the address out of the stored metadata
    s.put(
        &admin,
        &format!("{path}/status"),
        json!({"status": "connected"}),
    )
    .await;
    let (_, c) = s
        .put(&admin, &path, json!({"url": "https://k8s-4.example"}))
        .await;
    assert_eq!(c["metadata"]["server"], "https://k8s-4.example", "{c}");
}

async fn registering_starts_from_the_documented_statuses(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    for (i, status) in ["discovered", "registered", "connected", "ignored"]
        .into_iter()
        .enumerate()
    {
        let (code, c) = s
            .post(
                &admin,
                "/api/connections",
                json!({"name": format!("ok-{i}"), "kind": "github", "status": status}),
            )
            .await;
        assert_eq!((code, c["status"].as_str()), (201, Some(status)), "{c}");
    }
    // `connected` is the registrant's word: the first health pass checks it, and a probe that
    // reaches nothing moves it to disconnected.
    let (_, claimed) = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "claimed", "kind": "prometheus", "status": "connected",
                   "metadata": {"url": "http://127.0.0.1:1"}}),
        )
        .await;
    assert_eq!(claimed["status"], "connected", "{claimed}");
    assert!(s.service.health_pass().await.unwrap() >= 1);
    let (_, checked) = s
        .get(&admin, &format!("/api/connections/{}", id(&claimed)))
        .await;
    assert_eq!(checked["status"], "disconnected", "{checked}");
    assert!(checked["last_error"].as_str().is_some(), "{checked}");
    for status in ["disconnected", "maintenance", "not found", "deleted"] {
        let r = s
            .post(
                &admin,
                "/api/connections",
                json!({"name": "no", "kind": "github", "status": status}),
            )
            .await;
        assert_error(&r, 400, "validation_failed", Some("status"));
        assert!(
            r.1["error"]
                .as_str()
                .unwrap()
                .contains("discovered, registered, connected, ignored"),
            "{}",
            r.1
        );
    }
}

/// Moves a connection to `deleted` along the allowed transitions.
async fn soft_delete(s: &TestServer, token: &str, id: &str) {
    for to in ["connected", "deleted"] {
        let (status, c) = s
            .put(
                token,
                &format!("/api/connections/{id}/status"),
                json!({"status": to}),
            )
            .await;
        assert_eq!(status, 200, "{c}");
    }
}

async fn deleted_at_filters_soft_deleted_connections(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let member = s.user("acme", "mike", Role::Member).await;
    let (_, env) = s
        .post(&admin, "/api/environments", json!({"name": "prod"}))
        .await;
    let env_id = id(&env);
    let mut ids = Vec::new();
    for name in ["live-1", "live-2", "gone"] {
        let (_, c) = s
            .post(
                &admin,
                "/api/connections",
                json!({"name": name, "kind": "github"}),
            )
            .await;
        s.post(
            &admin,
            &format!("/api/environments/{env_id}/connections/{}", id(&c)),
            json!({}),
        )
        .await;
        ids.push(id(&c));
    }
    soft_delete(s, &admin, &ids[2]).await;
    let names = |page: &Value| -> Vec<String> {
        let mut v: Vec<String> = page["connections"]
            .as_array()
            .unwrap_or_else(|| panic!("{page}"))
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let env_list = |filter: &str| {
        format!(
            "/api/environments/{env_id}/connections?filter={}",
            urlencode(filter)
        )
    };
    let (_, all) = s.get(&admin, &env_list("{}")).await;
    assert_eq!(names(&all), ["gone", "live-1", "live-2"]);
    let (_, live) = s.get(&admin, &env_list(r#"{"deleted_at": false}"#)).await;
    assert_eq!(names(&live), ["live-1", "live-2"]);
    assert_eq!(live["total_count"], 2);
    let (_, trash) = s.get(&admin, &env_list(r#"{"deleted_at": true}"#)).await;
    assert_eq!(names(&trash), ["gone"]);
    assert_eq!(trash["total_count"], 1);
    // the same on the organization's connection list
    let (_, live) = s
        .get(
            &admin,
            &format!(
                "/api/connections?filter={}",
                urlencode(r#"{"deleted_at": false}"#)
            ),
        )
        .await;
    assert_eq!(names(&live), ["live-1", "live-2"]);
    // the deleted ones are for organization admins only
    let r = s
        .get(
            &member,
            &format!(
                "/api/connections?filter={}",
                urlencode(r#"{"deleted_at": true}"#)
            ),
        )
        .await;
    assert_error(&r, 403, "forbidden", None);
    let r = s.get(&admin, &env_list(r#"{"deleted_at": "no"}"#)).await;
    assert_error(&r, 400, "invalid_parameter", Some("filter.deleted_at"));
    // environments: deleted_at is the trash, as filter {"deleted": true} is
    let (_, gone) = s
        .post(&admin, "/api/environments", json!({"name": "old"}))
        .await;
    s.delete(&admin, &format!("/api/environments/{}", id(&gone)))
        .await;
    for (filter, expect) in [
        (r#"{"deleted_at": true}"#, "old"),
        (r#"{"deleted_at": false}"#, "prod"),
    ] {
        let (status, page) = s
            .get(
                &admin,
                &format!("/api/environments?filter={}", urlencode(filter)),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total_count"], 1, "{filter}: {page}");
        assert_eq!(page["environments"][0]["name"], expect);
    }
    let r = s
        .get(
            &member,
            &format!(
                "/api/environments?filter={}",
                urlencode(r#"{"deleted_at": true}"#)
            ),
        )
        .await;
    assert_error(&r, 403, "forbidden", None);
}

async fn every_list_refuses_an_unknown_parameter(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let (_, env) = s
        .post(&admin, "/api/environments", json!({"name": "prod"}))
        .await;
    let (_, ws) = s
        .post(&admin, "/api/workspaces", json!({"name": "w"}))
        .await;
    let (_, c) = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "gh", "kind": "github"}),
        )
        .await;
    let lists = [
        "/api/environments".to_string(),
        format!("/api/environments/{}/connections", id(&env)),
        "/api/connections".to_string(),
        format!("/api/connections/{}/environments", id(&c)),
        "/api/credentials".to_string(),
        "/api/events".to_string(),
        "/api/workspaces".to_string(),
        format!("/api/workspaces/{}/environments", id(&ws)),
        format!("/api/workspaces/{}/connections", id(&ws)),
        "/api/users".to_string(),
    ];
    for list in &lists {
        let r = s.get(&admin, &format!("{list}?page=0&pgsize=5")).await;
        assert_error(&r, 400, "invalid_parameter", Some("pgsize"));
        let message = r.1["error"].as_str().unwrap();
        assert!(
            message.contains("unknown query parameter 'pgsize'") && message.contains("pagesize"),
            "{list}: {message}"
        );
        // both spellings of the page size are read
        for spelling in ["pagesize", "pageSize"] {
            let (status, page) = s.get(&admin, &format!("{list}?{spelling}=7")).await;
            assert_eq!(status, 200, "{list}?{spelling}: {page}");
            if page.get("page_size").is_some() {
                assert_eq!(page["page_size"], 7, "{list}?{spelling}: {page}");
            }
        }
        let r = s.get(&admin, &format!("{list}?page=1&page=2")).await;
        assert_eq!(r.0, 400, "{list}: {}", r.1);
        // found by the fuzzer: a NUL in the needle broke SQLite's full-text query (a 500)
        let r = s
            .get(&admin, &format!("{list}?search=%00%C3%86%C3%8B"))
            .await;
        assert_error(&r, 400, "invalid_parameter", Some("search"));
    }
}

async fn events_are_searched_by_action_entity_and_actor(s: &TestServer) {
    let alice = s.user("acme", "alice", Role::Admin).await;
    let zed = s.user("acme", "zed", Role::Admin).await;
    s.post(
        &alice,
        "/api/environments",
        json!({"name": "payments-prod"}),
    )
    .await;
    let (_, w) = s
        .post(&zed, "/api/workspaces", json!({"name": "Équipe-data"}))
        .await;
    s.put(
        &zed,
        &format!("/api/workspaces/{}", id(&w)),
        json!({"description": "the data team"}),
    )
    .await;
    let search = |needle: &str| format!("/api/events?search={}", urlencode(needle));
    let actions = |page: &Value| -> Vec<String> {
        page["events"]
            .as_array()
            .unwrap_or_else(|| panic!("{page}"))
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = s.get(&alice, "/api/events").await;
    let total = all["total_count"].as_u64().unwrap();
    assert!(total >= 3, "{all}");
    // by entity name (a substring, any case)
    let (_, page) = s.get(&alice, &search("PAYMENTS")).await;
    assert_eq!(actions(&page), ["environment.create"]);
    assert_eq!(page["total_count"], 1);
    // by action
    let (_, page) = s.get(&alice, &search("workspace.update")).await;
    assert_eq!(actions(&page), ["workspace.update"]);
    // by actor name, short needles included (zed's API token was made for the test)
    let (_, page) = s.get(&alice, &search("zed")).await;
    assert_eq!(
        actions(&page),
        ["workspace.update", "workspace.create", "api_token.create"],
        "{page}"
    );
    let (_, page) = s.get(&alice, &search("ze")).await;
    assert_eq!(page["total_count"], 3, "{page}");
    // non-ASCII names fold case too
    let (_, page) = s.get(&alice, &search("équipe")).await;
    assert_eq!(page["total_count"], 2, "{page}");
    // a needle found nowhere: nothing, where before search was ignored
    let (_, page) = s.get(&alice, &search("no-such-thing")).await;
    assert_eq!(page["total_count"], 0, "{page}");
    let r = s.get(&alice, &search(&"x".repeat(201))).await;
    assert_error(&r, 400, "invalid_parameter", Some("search"));
}

async fn json_bodies_must_be_sent_as_json(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    // curl -d without -H sends a form content type
    let (status, body) = raw(s
        .http
        .post(s.url("/api/environments"))
        .bearer_auth(&admin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(r#"{"name": "prod"}"#))
    .await;
    assert_error(&(status, body), 415, "unsupported_media_type", None);
    // JSON with parameters, or no content type at all, is read
    for content_type in [Some("application/json; charset=utf-8"), None] {
        let mut request = s
            .http
            .post(s.url("/api/environments"))
            .bearer_auth(&admin)
            .body(format!(r#"{{"name": "prod-{}"}}"#, content_type.is_some()));
        if let Some(t) = content_type {
            request = request.header("content-type", t);
        }
        let (status, body) = raw(request).await;
        assert_eq!(status, 201, "{content_type:?}: {body}");
    }
}
