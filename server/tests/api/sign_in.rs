//! Signing in resists guessing (throttled per login and address, shared by processes, hashing
//! bounded), sessions end when they should (password change, idle, "sign out everywhere"),
//! tokens expire, server functions obey the limits REST does, and the headers and cookies
//! follow the connection (TLS through a trusted proxy only).

use crate::common::{assert_error, TestServer, PASSWORD};
use model::user::Role;
use serde_json::{json, Value};
use service::{AuthSettings, HttpSettings, Service, ThrottleSettings};
use std::time::Duration;

both_backends!(
    sessions_end_with_a_password_change_and_on_request,
    an_admin_reset_ends_every_session,
    tokens_expire,
    server_functions_obey_the_service_limits,
);

/// Short windows, so a test can wait them out.
fn quick(s: Service) -> Service {
    s.with_auth(AuthSettings {
        session_idle: Duration::from_secs(2),
        throttle: ThrottleSettings {
            max_failures: 5,
            window: Duration::from_secs(3),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(4),
        },
        ..Default::default()
    })
}

fn behind_proxy(s: Service) -> Service {
    s.with_http(HttpSettings {
        trusted_proxies: service::client::TrustedProxies(
            service::egress::parse_cidrs("127.0.0.0/8").unwrap(),
        ),
    })
}

macro_rules! tuned_backends {
    ($tune:expr, $($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(s) = $crate::common::TestServer::start_tuned($crate::common::Backend::Sqlite, Default::default(), $tune).await {
                        super::$name(&s).await;
                        s.stop().await;
                    }
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(s) = $crate::common::TestServer::start_tuned($crate::common::Backend::Postgres, Default::default(), $tune).await {
                        super::$name(&s).await;
                        s.stop().await;
                    }
                }
            }
        )*
    };
}

tuned_backends!(
    super::quick,
    wrong_passwords_are_throttled,
    sessions_expire_when_idle
);
tuned_backends!(
    super::behind_proxy,
    tls_is_believed_only_from_a_trusted_proxy,
    an_ipv6_network_is_one_address
);

/// A sign-in through the UI's server function: (status, body, Retry-After, Set-Cookie).
async fn attempt(
    s: &TestServer,
    login: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> (u16, Value, Option<String>, Option<String>) {
    let mut req = s
        .http
        .post(s.url("/fn/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("login", login), ("password", password)]);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.contains("meshenv_session=") && !c.contains("meshenv_session=;"));
    let (status, body) = TestServer::json(r).await;
    (status, body, retry, cookie)
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

async fn wrong_passwords_are_throttled(s: &TestServer) {
    s.user("acme", "alice", Role::Admin).await;
    // A name no user can have is refused on its field, not a 500 (PostgreSQL refuses NUL in
    // text), and counts towards nobody's throttle.
    let (status, body, _, _) = attempt(s, "ali\u{0}ce", "wrong-password", &[]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["field"], "login");
    for i in 1..=5 {
        let (status, body, _, _) = attempt(s, "alice", "wrong-password", &[]).await;
        assert_eq!(status, 401, "attempt {i}: {body}");
    }
    // The sixth is refused before its password is looked at, the right one too.
    let (status, body, retry, _) = attempt(s, "alice", "wrong-password", &[]).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "too_many_requests");
    let secs: u64 = retry.expect("Retry-After").parse().unwrap();
    assert_eq!(secs, 1);
    assert_eq!(body["retry_after"], secs);
    assert_eq!(attempt(s, "alice", PASSWORD, &[]).await.0, 429);

    // Five failures are one audit row that counts them.
    let rows = s
        .rows("SELECT after_json FROM audit_events WHERE action = 'user.sign_in_failed'")
        .await;
    assert_eq!(rows.len(), 1);
    let after: String = sqlx::Row::get(&rows[0], "after_json");
    assert_eq!(
        serde_json::from_str::<Value>(&after).unwrap()["failures"],
        5
    );

    // Once the lock has passed, the right password works and forgets the login's failures.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body, _, cookie) = attempt(s, "alice", PASSWORD, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert!(cookie.is_some());

    // A second process on the same database shares the count: three failures here and two
    // there lock the login for both. (The address is the same loopback, so it counts too.)
    let other = TestServer::start_on_tuned(&s.db_url, quick).await;
    s.user("acme", "bob", Role::Member).await;
    // (after the window, the address's failures are forgotten too)
    tokio::time::sleep(Duration::from_millis(4100)).await;
    for server in [s, s, s, &other, &other] {
        assert_eq!(attempt(server, "bob", "nope-nope", &[]).await.0, 401);
    }
    assert_eq!(attempt(s, "bob", PASSWORD, &[]).await.0, 429);
    assert_eq!(attempt(&other, "bob", PASSWORD, &[]).await.0, 429);
    other.stop().await;
}

async fn send_with_cookie(
    s: &TestServer,
    method: reqwest::Method,
    cookie: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = s
        .http
        .request(method, s.url(path))
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin");
    if let Some(b) = body {
        req = req.json(&b);
    }
    TestServer::json(req.send().await.unwrap()).await
}

async fn sessions_end_with_a_password_change_and_on_request(s: &TestServer) {
    let token = s.user("acme", "alice", Role::Admin).await;
    let a = s.sign_in("alice", PASSWORD).await.unwrap();
    let b = s.sign_in("alice", PASSWORD).await.unwrap();
    let (status, list) = s.get_with_cookie(&a, "/api/me/sessions").await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|x| x["current"] == true).count(), 1);
    assert!(list.iter().all(|x| x["client_addr"] == "127.0.0.1"));

    // Changing the password in session A ends B; A stays, and so does the API token.
    let (status, body) = send_with_cookie(
        s,
        reqwest::Method::PUT,
        &a,
        "/api/me/password",
        Some(json!({"current_password": PASSWORD, "new_password": "a-brand-new-password"})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(s.get_with_cookie(&a, "/api/me").await.0, 200);
    assert_eq!(s.get_with_cookie(&b, "/api/me").await.0, 401);
    assert_eq!(s.get(&token, "/api/me").await.0, 200);

    // One session ended by id, then all of them.
    let c = s.sign_in("alice", "a-brand-new-password").await.unwrap();
    let (_, list) = s.get_with_cookie(&a, "/api/me/sessions").await;
    let c_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/me/sessions/{c_id}");
    assert_eq!(
        send_with_cookie(s, reqwest::Method::DELETE, &a, &path, None)
            .await
            .0,
        204
    );
    assert_eq!(s.get_with_cookie(&c, "/api/me").await.0, 401);
    assert_eq!(
        send_with_cookie(s, reqwest::Method::DELETE, &a, &path, None)
            .await
            .0,
        404
    );
    assert_eq!(
        send_with_cookie(s, reqwest::Method::DELETE, &a, "/api/me/sessions", None)
            .await
            .0,
        204
    );
    assert_eq!(s.get_with_cookie(&a, "/api/me").await.0, 401);
}

async fn an_admin_reset_ends_every_session(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let member_token = s.user("acme", "mia", Role::Member).await;
    let mia = s.sign_in("mia", PASSWORD).await.unwrap();
    let (_, me) = s.get(&member_token, "/api/me").await;
    let mia_id = me["id"].as_str().unwrap().to_string();
    let (status, reset) = s
        .post(&admin, &format!("/api/users/{mia_id}/password"), json!({}))
        .await;
    assert_eq!(status, 200, "{reset}");
    let one_time = reset["one_time_password"].as_str().unwrap().to_string();
    assert_eq!(s.get_with_cookie(&mia, "/api/me").await.0, 401);
    assert_eq!(attempt(s, "mia", PASSWORD, &[]).await.0, 401);
    let fresh = s.sign_in("mia", &one_time).await.unwrap();
    let (_, me) = s.get_with_cookie(&fresh, "/api/me").await;
    assert_eq!(me["must_change_password"], true);
    // a member cannot reset anyone; nobody resets their own this way
    let (_, alice) = s.get(&admin, "/api/me").await;
    let alice_path = format!("/api/users/{}/password", alice["id"].as_str().unwrap());
    assert_eq!(s.post(&member_token, &alice_path, json!({})).await.0, 403);
    assert_eq!(s.post(&admin, &alice_path, json!({})).await.0, 409);
    // Someone in two organizations: an admin of one cannot take over the account.
    let hostile = s.user("globex", "hal", Role::Admin).await;
    let (_, hal) = s.get(&hostile, "/api/me").await;
    let globex = uuid::Uuid::parse_str(hal["organizations"][0]["id"].as_str().unwrap()).unwrap();
    let mut tx = s.service.db.begin().await.unwrap();
    service::store::users::insert_membership(
        &mut tx,
        globex,
        uuid::Uuid::parse_str(&mia_id).unwrap(),
        Role::Member,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let path = format!("/api/users/{mia_id}/password");
    assert_error(
        &s.post(&hostile, &path, json!({})).await,
        403,
        "forbidden",
        None,
    );
    assert_error(
        &s.post(&admin, &path, json!({})).await,
        403,
        "forbidden",
        None,
    );
}

async fn sessions_expire_when_idle(s: &TestServer) {
    s.user("acme", "alice", Role::Admin).await;
    let a = s.sign_in("alice", PASSWORD).await.unwrap();
    // Used within the idle timeout, it lives on past it...
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert_eq!(s.get_with_cookie(&a, "/api/me").await.0, 200);
    }
    // ...and left alone longer, it ends.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    assert_eq!(s.get_with_cookie(&a, "/api/me").await.0, 401);
}

async fn tokens_expire(s: &TestServer) {
    s.user("acme", "alice", Role::Admin).await;
    let a = s.sign_in("alice", PASSWORD).await.unwrap();
    // through the Settings form's server function
    let create = |days: &'static str| {
        let a = a.clone();
        async move {
            let r = s
                .http
                .post(s.url("/fn/tokens/create"))
                .header("cookie", a)
                .header("sec-fetch-site", "same-origin")
                .form(&[("name", "ci"), ("expires_in_days", days)])
                .send()
                .await
                .unwrap();
            TestServer::json(r).await
        }
    };
    let r = create("0").await;
    assert_error(&r, 400, "validation_failed", Some("expires_in_days"));
    let (status, created) = create("30").await;
    assert_eq!(status, 200, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    let expires = created["token"]["expires_at"].as_str().unwrap();
    let in_days = (chrono::DateTime::parse_from_rfc3339(expires)
        .unwrap()
        .timestamp()
        - chrono::Utc::now().timestamp())
        / 86_400;
    assert!((29..=30).contains(&in_days), "{expires}");
    assert_eq!(s.get(&secret, "/api/me").await.0, 200);
    // Its time passes.
    let mut db = s.service.db.write().await.unwrap();
    sqlx::query("UPDATE api_tokens SET expires_at = 1 WHERE id = $1")
        .bind(created["token"]["id"].as_str().unwrap().to_string())
        .execute(&mut *db)
        .await
        .unwrap();
    drop(db);
    let r = s.get(&secret, "/api/me").await;
    assert_error(&r, 401, "unauthorized", None);
    assert!(
        r.1["error"].as_str().unwrap().contains("expired"),
        "{}",
        r.1
    );
}

async fn server_functions_obey_the_service_limits(s: &TestServer) {
    use model::environment::EnvironmentQuery;
    s.user("acme", "alice", Role::Admin).await;
    let a = s.sign_in("alice", PASSWORD).await.unwrap();
    let call = |body: Value| {
        let a = a.clone();
        async move {
            let r = s
                .http
                .post(s.url("/fn/environments/list"))
                .header("cookie", a)
                .header("sec-fetch-site", "same-origin")
                .json(&body)
                .send()
                .await
                .unwrap();
            TestServer::json(r).await
        }
    };
    let mut q = EnvironmentQuery::default();
    assert_eq!(call(json!({ "query": q })).await.0, 200);
    q.list.page_size = 100_000;
    assert_error(
        &call(json!({ "query": q })).await,
        400,
        "invalid_parameter",
        Some("pagesize"),
    );
    let mut q = EnvironmentQuery::default();
    q.list.search = Some("x".repeat(100_000));
    assert_error(
        &call(json!({ "query": q })).await,
        400,
        "invalid_parameter",
        Some("search"),
    );
    let mut q = EnvironmentQuery::default();
    q.filter.tags = (0..5000).map(|i| format!("t{i}")).collect();
    assert_error(
        &call(json!({ "query": q })).await,
        400,
        "invalid_parameter",
        Some("filter.tags"),
    );
    // A body that does not decode is the caller's mistake.
    let mut bad = json!({ "query": EnvironmentQuery::default() });
    bad["query"]["list"]["order"]["field"] = json!("no-such-field");
    assert_error(&call(bad).await, 400, "invalid_body", None);
    assert_error(
        &call(json!("not an object")).await,
        400,
        "invalid_body",
        None,
    );
}

async fn tls_is_believed_only_from_a_trusted_proxy(s: &TestServer) {
    s.user("acme", "alice", Role::Admin).await;
    // The test client is on 127.0.0.1, which this server trusts as its proxy.
    let (status, _, _, cookie) = attempt(
        s,
        "alice",
        PASSWORD,
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "198.51.100.7, 203.0.113.9"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    assert!(cookie.starts_with("__Host-meshenv_session="), "{cookie}");
    assert!(cookie.contains("; Secure") && cookie.contains("Path=/"));
    let r = s
        .http
        .get(s.url("/api/me/sessions"))
        .header("cookie", pair(&cookie))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(r.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    assert_eq!(r.headers()["cache-control"], "no-store");
    let (status, list) = TestServer::json(r).await;
    assert_eq!(status, 200, "{list}");
    // the client as the proxy saw it, not the proxy, nor what the client claimed before it
    assert_eq!(list[0]["client_addr"], "203.0.113.9");
    // the __Host- cookie means nothing over plain http
    assert_eq!(s.get_with_cookie(&pair(&cookie), "/api/me").await.0, 401);
}

/// Failures from one IPv6 /64 count as one address's: a host is handed the whole /64, so
/// stepping through it must not buy more guesses.
async fn an_ipv6_network_is_one_address(s: &TestServer) {
    for i in 1..=5 {
        let from = format!("2001:db8:7:7::{i:x}");
        let login = format!("nobody-{i}");
        let (status, body, _, _) =
            attempt(s, &login, "wrong-password", &[("x-forwarded-for", &from)]).await;
        assert_eq!(status, 401, "{from}: {body}");
    }
    let (status, body, _, _) = attempt(
        s,
        "nobody-6",
        "wrong-password",
        &[("x-forwarded-for", "2001:db8:7:7:ffff::1")],
    )
    .await;
    assert_eq!(status, 429, "{body}");
    // the next /64 is another address
    let (status, body, _, _) = attempt(
        s,
        "nobody-7",
        "wrong-password",
        &[("x-forwarded-for", "2001:db8:7:8::1")],
    )
    .await;
    assert_eq!(status, 401, "{body}");
}

/// A peer that is not a trusted proxy cannot claim TLS or another address.
async fn untrusted_forwarding_headers_are_ignored(s: &TestServer) {
    s.user("acme", "alice", Role::Admin).await;
    let (status, _, _, cookie) = attempt(
        s,
        "alice",
        PASSWORD,
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "203.0.113.9"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    assert!(cookie.starts_with("meshenv_session=") && !cookie.contains("Secure"));
    let r = s
        .http
        .get(s.url("/api/me/sessions"))
        .header("cookie", pair(&cookie))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
    let (_, list) = TestServer::json(r).await;
    assert_eq!(list[0]["client_addr"], "127.0.0.1");

    // Login CSRF: another site's form cannot sign a visitor in.
    let r = s
        .http
        .post(s.url("/fn/sign_in"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("login", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_error(&TestServer::json(r).await, 403, "csrf_rejected", None);

    // Pages name their scripts' nonce, and no script runs inline without it.
    let (csp, html) = s.login_page().await;
    let script_src = csp.split(';').find(|d| d.contains("script-src")).unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
    let nonce = script_src
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{html}");
}

both_backends!(untrusted_forwarding_headers_are_ignored);
