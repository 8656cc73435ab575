//! Identity, sessions, tokens and the HTTP platform (headers, health, OpenAPI, limits), on
//! SQLite and PostgreSQL.

use crate::common::{assert_error, TestServer, PASSWORD};
use model::user::Role;
use serde_json::json;
use sqlx::Row;

both_backends!(
    requests_without_valid_credentials_get_401,
    tokens_are_hashed_revocable_and_record_use,
    sessions_sign_in_and_out_and_guard_against_csrf,
    sessions_are_shared_between_processes,
    first_start_creates_the_default_admin_once,
    health_headers_openapi_and_limits,
);

async fn requests_without_valid_credentials_get_401(s: &TestServer) {
    for (auth, path) in [
        (None, "/api/environments"),
        (Some("Bearer mshv_0000"), "/api/environments"),
        (Some("Bearer not-a-token"), "/api/me"),
        (Some("Basic YWRtaW46YWRtaW4="), "/api/environments"),
    ] {
        let mut req = s.http.get(s.url(path));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(r.headers().contains_key("www-authenticate"));
        assert_error(&TestServer::json(r).await, 401, "unauthorized", None);
    }
    let r = s
        .http
        .post(s.url("/api/environments"))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_error(&TestServer::json(r).await, 401, "unauthorized", None);
    // an unknown /api path is a JSON 404, not a page
    let t = s.user("acme", "alice", Role::Admin).await;
    assert_error(
        &s.get(&t, "/api/nothing-here").await,
        404,
        "not_found",
        None,
    );
}

async fn tokens_are_hashed_revocable_and_record_use(s: &TestServer) {
    let token = s.user("acme", "alice", Role::Admin).await;
    assert!(token.starts_with("mshv_"));
    assert_eq!(s.get(&token, "/api/me").await.1["name"], "alice");
    // stored only as a hash, and use is recorded
    let rows = s
        .rows("SELECT token_hash, prefix, last_used_at FROM api_tokens")
        .await;
    assert_eq!(rows.len(), 1);
    let hash: String = rows[0].get("token_hash");
    assert_ne!(hash, token);
    assert!(!hash.contains(&token[5..]));
    assert!(token.starts_with(&rows[0].get::<String, _>("prefix")));
    assert!(rows[0].get::<Option<i64>, _>("last_used_at").is_some());
    // revoke through the service (as the settings page does): it stops working at once
    let actor = s.service.actor_from_token(&token).await.unwrap();
    let second = s
        .service
        .create_token(&actor, "second", None)
        .await
        .unwrap();
    assert_eq!(s.get(&second.secret, "/api/me").await.0, 200);
    let listed = s.service.list_tokens(&actor).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(serde_json::to_string(&listed)
        .unwrap()
        .find(&second.secret)
        .is_none());
    s.service
        .revoke_token(&actor, second.token.id)
        .await
        .unwrap();
    assert_error(
        &s.get(&second.secret, "/api/me").await,
        401,
        "unauthorized",
        None,
    );
    assert_eq!(s.get(&token, "/api/me").await.0, 200);
    // revoking again, or someone else's token, is not found
    assert_eq!(
        s.service
            .revoke_token(&actor, second.token.id)
            .await
            .unwrap_err()
            .status(),
        404
    );
    let bob = s.user("acme", "bob", Role::Member).await;
    let bob_actor = s.service.actor_from_token(&bob).await.unwrap();
    let alice_token_id = actor.token_id.unwrap();
    assert_eq!(
        s.service
            .revoke_token(&bob_actor, alice_token_id)
            .await
            .unwrap_err()
            .status(),
        404
    );
    // token creation and revocation are audited
    let actions: Vec<String> = s
        .rows(
            "SELECT action FROM audit_events WHERE entity_type = 'api_token' ORDER BY occurred_at",
        )
        .await
        .iter()
        .map(|r| r.get("action"))
        .collect();
    assert_eq!(
        actions,
        [
            "api_token.create",
            "api_token.create",
            "api_token.revoke",
            "api_token.create"
        ]
    );
}

async fn sessions_sign_in_and_out_and_guard_against_csrf(s: &TestServer) {
    s.user("acme", "alice", Role::Admin).await;
    assert!(s.sign_in("alice", "wrong-password").await.is_none());
    assert!(s.sign_in("nobody", PASSWORD).await.is_none());
    let cookie = s
        .sign_in("ALICE@example.com", PASSWORD)
        .await
        .expect("sign in by email");
    // the cookie works on the REST API
    assert_eq!(
        s.get_with_cookie(&cookie, "/api/me").await.1["name"],
        "alice"
    );
    // only a hash of the session secret is stored
    let secret = cookie.split_once('=').unwrap().1;
    let stored: Vec<String> = s
        .rows("SELECT id_hash FROM sessions")
        .await
        .iter()
        .map(|r| r.get("id_hash"))
        .collect();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], secret);
    // a cross-site change riding on the cookie is refused; a same-origin one is not
    let post = |site: &'static str| {
        s.http
            .post(s.url("/api/environments"))
            .header("cookie", &cookie)
            .header("sec-fetch-site", site)
            .json(&json!({"name": format!("from-{site}")}))
    };
    assert_error(
        &TestServer::json(post("cross-site").send().await.unwrap()).await,
        403,
        "csrf_rejected",
        None,
    );
    let r = s
        .http
        .post(s.url("/api/environments"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .json(&json!({"name": "evil"}))
        .send()
        .await
        .unwrap();
    assert_error(&TestServer::json(r).await, 403, "csrf_rejected", None);
    assert_eq!(post("same-origin").send().await.unwrap().status(), 201);
    // the UI's server functions answer a refusal with its real status and the same error body
    let r = s
        .http
        .post(s.url("/fn/environments/create"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("name", "FROM-same-origin"),
            ("description", ""),
            ("tags", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_error(&TestServer::json(r).await, 409, "name_taken", Some("name"));
    // server functions are guarded too
    let r = s
        .http
        .post(s.url("/fn/environments/create"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "via-fn"), ("description", ""), ("tags", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (_, l) = s
        .get(
            &s.service.create_token_for("alice", "t").await.unwrap(),
            "/api/environments",
        )
        .await;
    assert_eq!(l["total_count"], 1);
    // sign out ends the session on the server, not only in the browser
    let r = s
        .http
        .post(s.url("/fn/sign_out"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    assert_eq!(s.get_with_cookie(&cookie, "/api/me").await.0, 401);
    // expired sessions are purged, live ones kept
    let live = s.sign_in("alice", PASSWORD).await.unwrap();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) \
         SELECT 'expired', id, 0, 1 FROM users WHERE name_key = 'alice'",
    )
    .execute(&mut *s.service.db.write().await.unwrap())
    .await
    .unwrap();
    assert_eq!(s.service.purge_expired_sessions().await.unwrap(), 1);
    assert_eq!(s.get_with_cookie(&live, "/api/me").await.0, 200);
}

async fn sessions_are_shared_between_processes(s: &TestServer) {
    s.user("acme", "alice", Role::Admin).await;
    let other = TestServer::start_on(&s.db_url).await;
    let cookie = s.sign_in("alice", PASSWORD).await.unwrap();
    assert_eq!(other.get_with_cookie(&cookie, "/api/me").await.0, 200);
    other.stop().await;
}

async fn first_start_creates_the_default_admin_once(s: &TestServer) {
    let first = s
        .service
        .ensure_first_admin(None)
        .await
        .unwrap()
        .expect("created");
    let password = first.generated_password.expect("generated");
    assert!(password.len() >= 16);
    assert!(s.service.ensure_first_admin(None).await.unwrap().is_none());
    let cookie = s.sign_in("admin", &password).await.expect("admin signs in");
    let me = s.get_with_cookie(&cookie, "/api/me").await.1;
    assert_eq!(
        me["organizations"],
        json!([{"id": me["organizations"][0]["id"], "name": "default", "role": "admin"}])
    );
    // The generated password was printed once: it must be replaced before anything else.
    assert_eq!(me["must_change_password"], true);
    assert_eq!(s.get_with_cookie(&cookie, "/api/environments").await.0, 403);
}

async fn health_headers_openapi_and_limits(s: &TestServer) {
    let r = s.http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = s.http.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    // the sign-in page renders on the server
    let r = s
        .http
        .get(s.url("/login"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("name=\"password\""));
    // pages need a session: a visitor is sent to sign in
    let r = s
        .http
        .get(s.url("/environments"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    // OpenAPI covers every endpoint
    let r = s.http.get(s.url("/api/openapi.json")).send().await.unwrap();
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = &doc["paths"];
    for m in ["get", "post"] {
        assert!(paths["/api/environments"][m].is_object(), "{m}");
    }
    for m in ["get", "put", "delete"] {
        assert!(paths["/api/environments/{id}"][m].is_object(), "{m}");
    }
    assert!(paths["/api/environments"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "pagesize"));
    assert!(doc["components"]["schemas"]["ApiError"].is_object());
    for (path, methods) in [
        ("/api/credentials", &["get", "post"][..]),
        ("/api/credentials/{id}", &["get", "put", "delete"][..]),
        ("/api/connections", &["get", "post"][..]),
        ("/api/connections/{id}", &["get", "put", "delete"][..]),
        ("/api/connections/{id}/status", &["put"][..]),
        ("/api/connections/import/kubeconfig", &["post"][..]),
        ("/api/environments/{id}/connections", &["get", "patch"][..]),
        (
            "/api/environments/{id}/connections/{connectionID}",
            &["post", "delete"][..],
        ),
        ("/api/environments/{id}/connections/transfer", &["post"][..]),
        ("/api/events", &["get"][..]),
    ] {
        for m in methods {
            assert!(paths[path][m].is_object(), "{m} {path}");
        }
    }
    // a body over the limit is refused with a 413 from its announced length, before it is read
    let t = s.user("acme", "alice", Role::Admin).await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/environments HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {t}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        5 * 1024 * 1024
    );
    tokio::io::AsyncWriteExt::write_all(&mut conn, head.as_bytes())
        .await
        .unwrap();
    let mut buf = vec![0u8; 64];
    let n = tokio::io::AsyncReadExt::read(&mut conn, &mut buf)
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 413"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    // responses are compressed when the client asks
    let r = s
        .http
        .get(s.url("/api/openapi.json"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
}

/// PostgreSQL refuses a NUL byte in text (SQLSTATE 22021). The service checks the fields it
/// knows; for any text that reaches the database unchecked, the refusal is the caller's 400,
/// not an opaque 500. (SQLite stores such text as given, so this is PostgreSQL's alone.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_postgres_cannot_store_is_a_400() {
    use sqlx::Connection;
    let Some(s) = TestServer::start(crate::common::Backend::Postgres).await else {
        return;
    };
    let mut conn = sqlx::PgConnection::connect(&s.db_url).await.unwrap();
    let refused = sqlx::query("SELECT $1::text")
        .bind("nul\0byte")
        .fetch_one(&mut conn)
        .await
        .expect_err("PostgreSQL refuses a NUL byte in text");
    let e = model::error::ApiError::from(refused);
    assert_eq!(
        (e.status(), e.code),
        (400, model::error::ErrorCode::InvalidBody),
        "{e:?}"
    );
    assert!(e.error.contains("NUL"), "{}", e.error);
    drop(conn);
    s.stop().await;
}
