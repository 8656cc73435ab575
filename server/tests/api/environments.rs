//! `/api/environments` over HTTP, on SQLite and PostgreSQL.

use crate::common::{assert_error, urlencode, TestServer};
use model::user::Role;
use serde_json::{json, Value};
use sqlx::Row;

both_backends!(
    create_normalises_and_answers_with_location,
    create_rejects_bad_fields_naming_them,
    names_are_unique_per_organization_ignoring_case,
    organization_is_required_only_when_ambiguous,
    list_pages_searches_orders_and_filters,
    list_rejects_bad_parameters_naming_them,
    get_update_delete,
    other_organizations_see_nothing,
    members_read_but_do_not_write,
    every_change_is_audited,
    concurrent_writes_all_succeed,
);

async fn create(s: &TestServer, token: &str, name: &str) -> Value {
    let r = s
        .post(token, "/api/environments", json!({"name": name}))
        .await;
    assert_eq!(r.0, 201, "{}", r.1);
    r.1
}

async fn create_normalises_and_answers_with_location(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let r = s
        .http
        .post(s.url("/api/environments"))
        .headers(TestServer::auth(&t))
        .json(&json!({"name": "  production  ", "description": "Prod infra", "tags": ["Prod", "prod", "us-east:1"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, env) = TestServer::json(r).await;
    assert_eq!(env["name"], "production");
    assert_eq!(env["description"], "Prod infra");
    assert_eq!(env["tags"], json!(["prod", "us-east:1"]));
    assert_eq!(
        location,
        format!("/api/environments/{}", env["id"].as_str().unwrap())
    );
    let created = env["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(created).is_ok());
    let (_, me) = s.get(&t, "/api/me").await;
    assert_eq!(env["owner"], me["id"]);
    assert_eq!(env["organization_id"], me["organizations"][0]["id"]);
    let (status, fetched) = s.get(&t, &location).await;
    assert_eq!(status, 200);
    assert_eq!(fetched, env);
}

async fn create_rejects_bad_fields_naming_them(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let cases = [
        (json!({}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (
            json!({"name": "ok", "description": "d".repeat(1001)}),
            "description",
        ),
        (json!({"name": "ok", "tags": ["has space"]}), "tags"),
        (json!({"name": "ok", "tags": ["x".repeat(51)]}), "tags"),
        (
            json!({"name": "ok", "tags": (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>()}),
            "tags",
        ),
    ];
    for (body, field) in cases {
        let r = s.post(&t, "/api/environments", body.clone()).await;
        assert_error(&r, 400, "validation_failed", Some(field));
    }
    // the longest allowed values are accepted
    let r = s
        .post(
            &t,
            "/api/environments",
            json!({"name": "é".repeat(100), "description": "d".repeat(1000)}),
        )
        .await;
    assert_eq!(r.0, 201, "{}", r.1);
    // wrong JSON types name the field; broken JSON is a 400 too
    let r = s.post(&t, "/api/environments", json!({"name": 5})).await;
    assert_error(&r, 400, "invalid_body", Some("name"));
    let r = s
        .http
        .post(s.url("/api/environments"))
        .headers(TestServer::auth(&t))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_error(&TestServer::json(r).await, 400, "invalid_body", None);
    // nothing was stored by the refused requests
    let (_, list) = s.get(&t, "/api/environments").await;
    assert_eq!(list["total_count"], 1);
}

async fn names_are_unique_per_organization_ignoring_case(s: &TestServer) {
    let a = s.user("acme", "alice", Role::Admin).await;
    let b = s.user("globex", "bob", Role::Admin).await;
    create(s, &a, "Staging").await;
    let r = s
        .post(&a, "/api/environments", json!({"name": " staging "}))
        .await;
    assert_error(&r, 409, "name_taken", Some("name"));
    // another organization may use the name
    create(s, &b, "staging").await;
    // renaming onto a taken name is refused too
    let other = create(s, &a, "other").await;
    let r = s
        .put(
            &a,
            &format!("/api/environments/{}", other["id"].as_str().unwrap()),
            json!({"name": "STAGING"}),
        )
        .await;
    assert_error(&r, 409, "name_taken", Some("name"));
}

async fn organization_is_required_only_when_ambiguous(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    s.service
        .add_user(
            "globex",
            "gary",
            "gary@example.com",
            Role::Admin,
            crate::common::PASSWORD,
            false,
        )
        .await
        .unwrap();
    let (_, me) = s.get(&t, "/api/me").await;
    let acme = me["organizations"][0]["id"].as_str().unwrap().to_string();
    // alice is in one organization: it is implied
    create(s, &t, "one").await;
    // add alice to a second organization
    let (_, gary_me) = s
        .get(
            &s.service.create_token_for("gary", "t").await.unwrap(),
            "/api/me",
        )
        .await;
    let globex = gary_me["organizations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    sqlx::query("INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, 'admin', 0)")
        .bind(globex.clone())
        .bind(me["id"].as_str().unwrap().to_string())
        .execute(&mut *s.service.db.write().await.unwrap())
        .await
        .unwrap();
    let r = s
        .post(&t, "/api/environments", json!({"name": "two"}))
        .await;
    assert_error(&r, 400, "invalid_parameter", Some("organization_id"));
    let r = s.get(&t, "/api/environments").await;
    assert_error(&r, 400, "invalid_parameter", Some("orgID"));
    // both spellings of the field and the parameter work
    let r = s
        .post(
            &t,
            "/api/environments",
            json!({"name": "two", "organizationId": globex}),
        )
        .await;
    assert_eq!(r.0, 201);
    assert_eq!(r.1["organization_id"], globex.as_str());
    let r = s
        .post(
            &t,
            "/api/environments",
            json!({"name": "three", "organization_id": acme}),
        )
        .await;
    assert_eq!(r.0, 201);
    let (status, list) = s.get(&t, &format!("/api/environments?orgID={acme}")).await;
    assert_eq!(status, 200);
    assert_eq!(list["total_count"], 2);
    let (_, list) = s
        .get(&t, &format!("/api/environments?orgId={globex}"))
        .await;
    assert_eq!(list["total_count"], 1);
}

fn names(list: &Value) -> Vec<String> {
    list["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

async fn list_pages_searches_orders_and_filters(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    for i in 0..25 {
        let tags = match i % 3 {
            0 => json!(["prod", "us-east"]),
            1 => json!(["prod"]),
            _ => json!([]),
        };
        let r = s
            .post(&t, "/api/environments", json!({"name": format!("env-{i:02}"), "description": if i == 7 { "Has 100% Magic_Words" } else { "" }, "tags": tags}))
            .await;
        assert_eq!(r.0, 201);
    }
    // default: page 0, 20 a page, most recently updated first
    let (_, l) = s.get(&t, "/api/environments").await;
    assert_eq!(
        (
            l["page"].as_u64(),
            l["page_size"].as_u64(),
            l["total_count"].as_u64()
        ),
        (Some(0), Some(20), Some(25))
    );
    assert_eq!(names(&l)[0], "env-24");
    assert_eq!(names(&l).len(), 20);
    // paging; empty values take the defaults
    let (_, l) = s
        .get(&t, "/api/environments?page=2&pagesize=10&order=name")
        .await;
    assert_eq!(
        names(&l),
        vec!["env-20", "env-21", "env-22", "env-23", "env-24"]
    );
    let (_, l) = s
        .get(
            &t,
            "/api/environments?page=&pagesize=&order=&search=&filter=",
        )
        .await;
    assert_eq!(names(&l).len(), 20);
    let (_, l) = s.get(&t, "/api/environments?page=9").await;
    assert_eq!((names(&l).len(), l["total_count"].as_u64()), (0, Some(25)));
    // order
    let (_, l) = s
        .get(&t, "/api/environments?order=name%20desc&pagesize=3")
        .await;
    assert_eq!(names(&l), vec!["env-24", "env-23", "env-22"]);
    let (_, l) = s
        .get(&t, "/api/environments?order=created_at%20asc&pagesize=2")
        .await;
    assert_eq!(names(&l), vec!["env-00", "env-01"]);
    // search: case-insensitive, name or description, wildcards literal
    let (_, l) = s.get(&t, "/api/environments?search=ENV-1").await;
    assert_eq!(l["total_count"], 10);
    let (_, l) = s.get(&t, "/api/environments?search=magic_words").await;
    assert_eq!(names(&l), vec!["env-07"]);
    let (_, l) = s.get(&t, "/api/environments?search=100%25").await;
    assert_eq!(names(&l), vec!["env-07"]);
    let (_, l) = s.get(&t, "/api/environments?search=env_").await;
    assert_eq!(l["total_count"], 0, "'_' must not act as a wildcard");
    // filter: every tag must be present
    let filter = |f: &str| format!("/api/environments?pagesize=100&filter={}", urlencode(f));
    let (_, l) = s.get(&t, &filter(r#"{"tags":["prod"]}"#)).await;
    assert_eq!(l["total_count"], 17);
    let (_, l) = s.get(&t, &filter(r#"{"tags":["PROD","us-east"]}"#)).await;
    assert_eq!(l["total_count"], 9);
    assert!(l["environments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["tags"] == json!(["prod", "us-east"])));
    let (_, l) = s
        .get(
            &t,
            &filter(r#"{"tags":["prod"]}"#).replace("pagesize=100", "pagesize=5&search=env-0"),
        )
        .await;
    assert_eq!(l["total_count"], 7);
    assert_eq!(names(&l).len(), 5);
}

async fn list_rejects_bad_parameters_naming_them(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    for (query, field) in [
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("pagesize=0", "pagesize"),
        ("pagesize=1001", "pagesize"),
        ("pagesize=ten", "pagesize"),
        ("order=owner", "order"),
        ("order=name%20up", "order"),
        ("orgID=not-a-uuid", "orgID"),
        ("filter=%7Bbroken", "filter"),
        ("filter=%5B%5D", "filter"),
        ("filter=%7B%22colour%22%3A1%7D", "filter.colour"),
        ("filter=%7B%22tags%22%3A%22prod%22%7D", "filter.tags"),
    ] {
        let r = s.get(&t, &format!("/api/environments?{query}")).await;
        assert_error(&r, 400, "invalid_parameter", Some(field));
    }
    let (status, l) = s.get(&t, "/api/environments?pagesize=1000").await;
    assert_eq!((status, l["page_size"].as_u64()), (200, Some(1000)));
}

async fn get_update_delete(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let env = s
        .post(
            &t,
            "/api/environments",
            json!({"name": "qa", "description": "old", "tags": ["a"]}),
        )
        .await
        .1;
    let path = format!("/api/environments/{}", env["id"].as_str().unwrap());
    // malformed and unknown ids
    assert_error(
        &s.get(&t, "/api/environments/nope").await,
        400,
        "invalid_parameter",
        Some("id"),
    );
    assert_error(
        &s.put(&t, "/api/environments/nope", json!({})).await,
        400,
        "invalid_parameter",
        Some("id"),
    );
    assert_error(
        &s.delete(&t, "/api/environments/nope").await,
        400,
        "invalid_parameter",
        Some("id"),
    );
    let missing = format!("/api/environments/{}", uuid::Uuid::now_v7());
    assert_error(&s.get(&t, &missing).await, 404, "not_found", None);
    assert_error(
        &s.put(&t, &missing, json!({"name": "x"})).await,
        404,
        "not_found",
        None,
    );
    assert_error(&s.delete(&t, &missing).await, 404, "not_found", None);
    // update: given fields change, others stay
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, upd) = s
        .put(&t, &path, json!({"name": "QA ", "tags": ["B", "c"]}))
        .await;
    assert_eq!(status, 200, "{upd}");
    assert_eq!(
        (upd["name"].as_str(), upd["description"].as_str()),
        (Some("QA"), Some("old"))
    );
    assert_eq!(upd["tags"], json!(["b", "c"]));
    assert_eq!(upd["created_at"], env["created_at"]);
    assert!(upd["updated_at"].as_str() > env["updated_at"].as_str());
    assert_eq!(s.get(&t, &path).await.1, upd);
    // tags changed for filtering too
    let (_, l) = s
        .get(
            &t,
            "/api/environments?filter=%7B%22tags%22%3A%5B%22a%22%5D%7D",
        )
        .await;
    assert_eq!(l["total_count"], 0);
    // invalid updates and organization changes are refused
    assert_error(
        &s.put(&t, &path, json!({"name": ""})).await,
        400,
        "validation_failed",
        Some("name"),
    );
    let r = s
        .put(&t, &path, json!({"organization_id": uuid::Uuid::now_v7()}))
        .await;
    assert_error(&r, 400, "validation_failed", Some("organization_id"));
    // delete: to the trash (still readable by id, gone from the list), then purged for good
    let r = s.delete(&t, &path).await;
    assert_eq!(r.0, 204);
    let (status, gone) = s.get(&t, &path).await;
    assert_eq!((status, gone["state"].as_str()), (200, Some("deleted")));
    assert_eq!(s.get(&t, "/api/environments").await.1["total_count"], 0);
    assert_eq!(s.delete(&t, &path).await.0, 204);
    assert_eq!(s.delete(&t, &format!("{path}?purge=true")).await.0, 204);
    assert_error(&s.get(&t, &path).await, 404, "not_found", None);
    assert_error(&s.delete(&t, &path).await, 404, "not_found", None);
}

async fn other_organizations_see_nothing(s: &TestServer) {
    let a = s.user("acme", "alice", Role::Admin).await;
    let b = s.user("globex", "bob", Role::Admin).await;
    let env = create(s, &a, "secret-project").await;
    let path = format!("/api/environments/{}", env["id"].as_str().unwrap());
    for r in [
        s.get(&b, &path).await,
        s.put(&b, &path, json!({"name": "pwned"})).await,
        s.delete(&b, &path).await,
    ] {
        assert_error(&r, 404, "not_found", None);
        assert!(!r.1.to_string().contains("secret-project"));
    }
    let (_, l) = s.get(&b, "/api/environments?search=secret").await;
    assert_eq!(l["total_count"], 0);
    let org = env["organization_id"].as_str().unwrap();
    assert_error(
        &s.get(&b, &format!("/api/environments?orgID={org}")).await,
        404,
        "not_found",
        None,
    );
    let r = s
        .post(
            &b,
            "/api/environments",
            json!({"name": "x", "organization_id": org}),
        )
        .await;
    assert_error(&r, 404, "not_found", None);
    // and alice's environment is untouched
    assert_eq!(s.get(&a, &path).await.1["name"], "secret-project");
}

async fn members_read_but_do_not_write(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let member = s.user("acme", "mike", Role::Member).await;
    let env = create(s, &admin, "prod").await;
    let path = format!("/api/environments/{}", env["id"].as_str().unwrap());
    // an organization member reads what their workspaces hold, and nothing before that
    assert_error(&s.get(&member, &path).await, 404, "not_found", None);
    let (_, ws) = s
        .post(&admin, "/api/workspaces", json!({"name": "team"}))
        .await;
    let ws = ws["id"].as_str().unwrap();
    let assign = format!(
        "/api/workspaces/{ws}/environments/{}",
        env["id"].as_str().unwrap()
    );
    assert_eq!(s.post(&admin, &assign, json!({})).await.0, 201);
    let add = format!("/api/workspaces/{ws}/members");
    let m = json!({"email": "mike@example.com"});
    assert_eq!(s.post(&admin, &add, m).await.0, 201);
    assert_eq!(s.get(&member, &path).await.0, 200);
    assert_eq!(
        s.get(&member, "/api/environments").await.1["total_count"],
        1
    );
    assert_error(
        &s.post(&member, "/api/environments", json!({"name": "m"}))
            .await,
        403,
        "forbidden",
        None,
    );
    assert_error(
        &s.put(&member, &path, json!({"name": "m"})).await,
        403,
        "forbidden",
        None,
    );
    assert_error(&s.delete(&member, &path).await, 403, "forbidden", None);
}

async fn every_change_is_audited(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let env = create(s, &t, "audited").await;
    let id = env["id"].as_str().unwrap().to_string();
    let path = format!("/api/environments/{id}");
    let r = s
        .http
        .put(s.url(&path))
        .headers(TestServer::auth(&t))
        .header("x-meshenv-reason", "ticket OPS-42")
        .json(&json!({"description": "now described"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(s.delete(&t, &path).await.0, 204);
    let rows = s
        .rows(&format!(
            "SELECT action, actor_user_id, actor_token_id, organization_id, entity_name, before_json, after_json, reason \
             FROM audit_events WHERE entity_id = '{id}' ORDER BY occurred_at"
        ))
        .await;
    let actions: Vec<String> = rows.iter().map(|r| r.get::<String, _>("action")).collect();
    assert_eq!(
        actions,
        [
            "environment.create",
            "environment.update",
            "environment.delete"
        ]
    );
    let (_, me) = s.get(&t, "/api/me").await;
    for r in &rows {
        assert_eq!(
            r.get::<String, _>("actor_user_id"),
            me["id"].as_str().unwrap()
        );
        assert!(r.get::<Option<String>, _>("actor_token_id").is_some());
        assert_eq!(
            r.get::<String, _>("organization_id"),
            env["organization_id"].as_str().unwrap()
        );
        assert_eq!(r.get::<String, _>("entity_name"), "audited");
    }
    let before: Value = serde_json::from_str(&rows[1].get::<String, _>("before_json")).unwrap();
    let after: Value = serde_json::from_str(&rows[1].get::<String, _>("after_json")).unwrap();
    assert_eq!(
        (
            before["description"].as_str(),
            after["description"].as_str()
        ),
        (Some(""), Some("now described"))
    );
    assert_eq!(
        rows[1].get::<Option<String>, _>("reason").as_deref(),
        Some("ticket OPS-42")
    );
    assert!(rows[0].get::<Option<String>, _>("before_json").is_none());
    // a delete sends it to the trash: the event shows the state it left
    let after: serde_json::Value =
        serde_json::from_str(&rows[2].get::<Option<String>, _>("after_json").unwrap()).unwrap();
    assert_eq!(after["state"], "deleted");
}

async fn concurrent_writes_all_succeed(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let (http, url, t) = (s.http.clone(), s.url("/api/environments"), t.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(t)
                .json(&json!({"name": format!("parallel-{i}"), "tags": ["load"]}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    let (_, l) = s
        .get(
            &t,
            "/api/environments?filter=%7B%22tags%22%3A%5B%22load%22%5D%7D",
        )
        .await;
    assert_eq!(l["total_count"], 60);
}
