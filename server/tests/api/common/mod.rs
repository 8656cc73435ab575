//! The integration-test harness: the real meshenv server on an ephemeral port, over HTTP, on
//! SQLite (a temporary file) or PostgreSQL (a fresh database per test, dropped afterwards).
#![allow(dead_code)]

use model::user::Role;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde_json::{json, Value};
use service::db::Db;
use service::Service;
use sqlx::Connection;
use std::sync::{Arc, Once};
use uuid::Uuid;

/// Which database a test server runs on: the service's own name for it.
pub use service::db::Backend;

pub const PASSWORD: &str = "correct-horse-battery";

/// `s` as a query parameter's value: everything but unreserved characters percent-encoded.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A plain asset of the test site, large enough that a compressing server would compress it.
pub const PLAIN_CSS: &str = "/pkg/plain.css";
/// An asset with its brotli twin beside it, as the release build writes them.
pub const TWINNED_WASM: &str = "/pkg/app.wasm";
pub const TWINNED_WASM_BR: &[u8] = b"the brotli twin";

/// The site's own stylesheet (`<output name>.css`), which pages carry inline.
pub const SITE_CSS: &str = ".test-site > .marker { color: #123456; }\n";

/// The site every test server serves (`site_root`): a few built assets.
pub fn test_site() -> &'static str {
    static SITE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = SITE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir(&pkg).unwrap();
        std::fs::write(
            pkg.join("plain.css"),
            "body { color: black; }\n".repeat(200),
        )
        .unwrap();
        std::fs::write(pkg.join("meshenv.css"), SITE_CSS).unwrap();
        std::fs::write(pkg.join("app.wasm"), vec![7u8; 4096]).unwrap();
        std::fs::write(pkg.join("app.wasm.br"), TWINNED_WASM_BR).unwrap();
        dir
    });
    dir.path().to_str().unwrap()
}
/// The secret key every test server uses, so servers sharing a database agree.
pub const TEST_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// MESHENV_PROBE_DENY of every test server.
pub const TEST_PROBE_DENY: &str = "127.0.0.2/32";

pub fn test_keys() -> service::secrets::Keyring {
    service::secrets::Keyring::from_text(TEST_KEY).unwrap()
}

pub struct TestServer {
    pub base: String,
    pub service: Arc<Service>,
    pub http: reqwest::Client,
    pub db_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
    pg_database: Option<String>,
}

/// Runs `body` once on SQLite and once on PostgreSQL, as two tests.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(s) = $crate::common::TestServer::start($crate::common::Backend::Sqlite).await {
                        super::$name(&s).await;
                        s.stop().await;
                    }
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(s) = $crate::common::TestServer::start($crate::common::Backend::Postgres).await {
                        super::$name(&s).await;
                        s.stop().await;
                    }
                }
            }
        )*
    };
}

fn postgres_admin_url() -> String {
    std::env::var("MESHENV_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

fn with_database(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("postgres URL has a database");
    format!("{base}/{db}")
}

static SKIP_NOTICE: Once = Once::new();

async fn fresh_postgres_database() -> Option<(String, String)> {
    let admin = postgres_admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("PostgreSQL at {admin} is unreachable and CI=true: {e}");
            }
            SKIP_NOTICE.call_once(|| {
                eprintln!("\n!!!!! PostgreSQL at {admin} is unreachable ({e}): SKIPPING the PostgreSQL half of the tests !!!!!\n");
            });
            return None;
        }
    };
    sweep_orphans(&mut conn).await;
    let name = format!(
        "meshenv_t_{}_{}",
        std::process::id(),
        Uuid::new_v4().simple()
    );
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    Some((with_database(&admin, &name), name))
}

static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Drops test databases left by test processes that died before cleaning up (a panic skips
/// `stop`). Each name carries its process id; a database whose process is gone is an orphan.
async fn sweep_orphans(conn: &mut sqlx::PgConnection) {
    SWEPT
        .get_or_init(|| async {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'meshenv_t_%'",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
            for name in names {
                let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
                let alive =
                    pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
                if !alive {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut *conn)
                        .await;
                }
            }
        })
        .await;
}

/// How long stopping a test server may take before the test fails.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

impl TestServer {
    pub async fn start(backend: Backend) -> Option<TestServer> {
        Self::start_with(backend, Default::default()).await
    }

    /// A server with its own pool settings (the load test runs on the smallest pools).
    pub async fn start_with(
        backend: Backend,
        pools: service::db::PoolSettings,
    ) -> Option<TestServer> {
        Self::start_tuned(backend, pools, |s| s).await
    }

    /// A server whose service is adjusted first (short session timeouts, trusted proxies).
    pub async fn start_tuned(
        backend: Backend,
        pools: service::db::PoolSettings,
        tune: impl FnOnce(Service) -> Service,
    ) -> Option<TestServer> {
        let (db_url, dir, pg_database) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("meshenv.db").display());
                (url, Some(dir), None)
            }
            Backend::Postgres => {
                let (url, name) = fresh_postgres_database().await?;
                (url, None, Some(name))
            }
        };
        let mut s = Self::start_on_with(&db_url, &pools, tune).await;
        s._dir = dir;
        s.pg_database = pg_database;
        Some(s)
    }

    /// Another server process on the same database, as behind a load balancer.
    pub async fn start_on(db_url: &str) -> TestServer {
        Self::start_on_with(db_url, &Default::default(), |s| s).await
    }

    /// Another process on the same database, adjusted as `start_tuned` does.
    pub async fn start_on_tuned(db_url: &str, tune: impl FnOnce(Service) -> Service) -> TestServer {
        Self::start_on_with(db_url, &Default::default(), tune).await
    }

    async fn start_on_with(
        db_url: &str,
        pools: &service::db::PoolSettings,
        tune: impl FnOnce(Service) -> Service,
    ) -> TestServer {
        let db = Db::connect_with(db_url, pools).await.expect("connect");
        db.migrate().await.expect("migrate");
        // No background health checks (tests probe on demand); a short probe timeout.
        // The egress policy denies 127.0.0.2, so tests can show a probe there is never sent.
        let health = service::HealthSettings {
            interval: std::time::Duration::ZERO,
            probe: service::probe::ProbeSettings {
                timeout: std::time::Duration::from_secs(1),
                egress: Arc::new(
                    service::egress::EgressPolicy::from_lists("", TEST_PROBE_DENY).unwrap(),
                ),
                redirects: 0,
            },
        };
        let service = Arc::new(tune(Service::new(db, test_keys()).with_health(health)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let options = server::leptos_options(test_site());
        let svc = service.clone();
        let task = tokio::spawn(async move {
            server::serve(svc, options, listener, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            base,
            service,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // An answer that never comes fails the test that asked, by name.
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .unwrap(),
            db_url: db_url.to_string(),
            shutdown: Some(tx),
            task: Some(task),
            _dir: None,
            pg_database: None,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // A step that does not finish is a bug to name, not a hang for CI's time limit: the
        // server waits for responses still being written, the pools for connections still out.
        if let Some(t) = self.task.take() {
            tokio::time::timeout(STOP_WAIT, t)
                .await
                .expect("the server did not stop: a response never finished")
                .ok();
        }
        if tokio::time::timeout(STOP_WAIT, self.service.db.close())
            .await
            .is_err()
        {
            panic!(
                "the pools did not close: a connection was never given back ({:?})",
                self.service.db.gauges()
            );
        }
        if let Some(name) = self.pg_database.take() {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates a user (and their organization if new) and returns an API token for them.
    pub async fn user(&self, org: &str, name: &str, role: Role) -> String {
        self.service
            .add_user(
                org,
                name,
                &format!("{name}@example.com"),
                role,
                PASSWORD,
                false,
            )
            .await
            .expect("create user");
        self.service
            .create_token_for(name, "test")
            .await
            .expect("create token")
    }

    pub fn auth(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        h
    }

    /// Sends a request with a Bearer token and an optional JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .headers(Self::auth(token));
        if let Some(body) = body {
            req = req.json(&body);
        }
        Self::json(req.send().await.unwrap()).await
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, token, path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, token, path, Some(body))
            .await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, token, path, Some(body))
            .await
    }

    pub async fn delete(&self, token: &str, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, token, path, None).await
    }

    /// A workspace of the caller's organization holding `environments`, with `member_email`
    /// as a member; returns its id.
    pub async fn workspace_with(
        &self,
        token: &str,
        name: &str,
        environments: &[String],
        member_email: &str,
    ) -> String {
        let r = self
            .post(token, "/api/workspaces", json!({"name": name}))
            .await;
        assert_eq!(r.0, 201, "{}", r.1);
        let ws = r.1["id"].as_str().unwrap().to_string();
        for e in environments {
            let r = self
                .post(
                    token,
                    &format!("/api/workspaces/{ws}/environments/{e}"),
                    json!({}),
                )
                .await;
            assert!(r.0 == 201 || r.0 == 200, "{}", r.1);
        }
        let r = self
            .post(
                token,
                &format!("/api/workspaces/{ws}/members"),
                json!({"email": member_email, "role": "member"}),
            )
            .await;
        assert_eq!(r.0, 201, "{}", r.1);
        ws
    }

    /// A GET with a session cookie instead of a token.
    pub async fn get_with_cookie(&self, cookie: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        Self::json(r).await
    }

    pub async fn json(r: reqwest::Response) -> (u16, Value) {
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        let v = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, v)
    }

    /// Signs in through the UI's server function and returns the session cookie pair.
    pub async fn sign_in(&self, login: &str, password: &str) -> Option<String> {
        let r = self
            .http
            .post(self.url("/fn/sign_in"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("login", login), ("password", password)])
            .send()
            .await
            .unwrap();
        session_cookie_of(&r)
    }

    /// Writes `n` events for the organization straight into the table, 500 a statement.
    pub async fn seed_events(&self, org: &str, n: usize, start_micros: i64) {
        let mut db = self.service.db.write().await.unwrap();
        for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
            let values: Vec<String> = chunk
                .iter()
                .map(|i| {
                    format!(
                        "('{}', {}, '{org}', 'environment.update', 'environment', 'env-{i}', '{{\"name\":\"env-{i}\",\"description\":\"{}\"}}', 'environment.update env-{i}')",
                        uuid::Uuid::now_v7(),
                        start_micros + *i as i64,
                        "x".repeat(200)
                    )
                })
                .collect();
            sqlx::query(&format!(
                "INSERT INTO audit_events (id, occurred_at, organization_id, action, entity_type, entity_name, after_json, search_text) VALUES {}",
                values.join(", ")
            ))
            .execute(&mut *db)
            .await
            .unwrap();
        }
    }

    /// The sign-in page as a browser gets it: its Content-Security-Policy and its HTML.
    pub async fn login_page(&self) -> (String, String) {
        let r = self.http.get(self.url("/login")).send().await.unwrap();
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        (csp, r.text().await.unwrap())
    }

    /// Runs a statement straight against the database (the writer's connection on SQLite), to
    /// put it in a state the API cannot: an older release's schema, say.
    pub async fn exec(&self, sql: &str) {
        sqlx::query(sql)
            .execute(&mut *self.service.db.write().await.unwrap())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Runs a query straight against the database, for checking what was stored.
    pub async fn rows(&self, sql: &str) -> Vec<sqlx::any::AnyRow> {
        sqlx::query(sql)
            .fetch_all(&mut *self.service.db.read().await.unwrap())
            .await
            .unwrap()
    }
}

/// One text field of each item of a list answer (`list["events"][*]["action"]`, say).
/// The `meshenv_session=...` pair a response opens, if it opens one.
pub fn session_cookie_of(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("meshenv_session=") && !c.starts_with("meshenv_session=;"))
        .map(|c| c.split(';').next().unwrap().to_string())
}

pub fn texts<'a>(list: &'a Value, items: &str, field: &str) -> Vec<&'a str> {
    list[items]
        .as_array()
        .unwrap_or_else(|| panic!("no {items} in {list}"))
        .iter()
        .map(|i| {
            i[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field} in {i}"))
        })
        .collect()
}

/// Asserts an error response: its status, stable code and (optionally) field.
pub fn assert_error(resp: &(u16, Value), status: u16, code: &str, field: Option<&str>) {
    assert_eq!(resp.0, status, "status of {}", resp.1);
    assert_eq!(resp.1["code"], code, "code of {}", resp.1);
    assert!(
        resp.1["error"].as_str().is_some_and(|e| !e.is_empty()),
        "message of {}",
        resp.1
    );
    if let Some(f) = field {
        assert_eq!(resp.1["field"], f, "field of {}", resp.1);
    }
}
