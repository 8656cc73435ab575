//! Single sign-on against a real OpenID provider (node's `oidc-provider`, tools/oidc-provider.mjs),
//! the whole authorization code flow over HTTP, on both databases: first and later sign-ins,
//! a flow finished by another process, and every refusal, each with no session opened.

use crate::common::{session_cookie_of as session_cookie, texts, Backend, TestServer};
use model::user::Role;
use serde_json::{json, Value};
use service::sso::{ProviderSettings, SsoSettings, TeamMap};
use std::path::PathBuf;
use tokio::io::AsyncBufReadExt;

/// What the provider registers as meshenv's address. The test's browser maps it to the test
/// server's real one (the provider must know its clients before the server's port is known).
const PUBLIC: &str = "http://meshenv.test";
const CLIENT_SECRET: &str = "test-client-secret";

/// The provider, running until dropped; its settings file is rewritten to change what it says.
struct Provider {
    issuer: String,
    file: PathBuf,
    _dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

fn people() -> Value {
    json!({
        "alice": { "email": "alice@example.com", "name": "Alice Ops", "groups": ["ops", "dev"] },
        "bob": { "email": "bob@example.com", "name": "Bob Dev", "groups": ["dev"] },
        "mallory": { "email": "mallory@evil.example", "name": "Mallory", "groups": ["ops"] },
        "carol": { "email": "carol@example.com", "name": "Carol", "groups": ["sales"] },
        "dave": { "email": "dave@example.com", "name": "Dave", "groups": ["dev"] },
    })
}

impl Provider {
    async fn start() -> Provider {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("provider.json");
        write_settings(&file, people(), None);
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tools/oidc-provider.mjs");
        let mut child = tokio::process::Command::new("node")
            .arg(&script)
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs tools/oidc-provider.mjs (scripts/bootstrap installs its packages)");
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let issuer = tokio::time::timeout(std::time::Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(i) = line.strip_prefix("issuer ") {
                    return i.to_string();
                }
            }
            panic!("the OpenID provider stopped before it listened");
        })
        .await
        .expect("the OpenID provider listens within a minute");
        Provider {
            issuer,
            file,
            _dir: dir,
            _child: child,
        }
    }

    fn set(&self, users: Value, mischief: Option<&str>) {
        write_settings(&self.file, users, mischief);
    }
}

/// Writes what the provider says: its one client (meshenv), its people, and any mischief.
fn write_settings(file: &std::path::Path, users: Value, mischief: Option<&str>) {
    let settings = json!({
        "clients": [{
            "client_id": "meshenv",
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [format!("{PUBLIC}/auth/oidc/corp/callback")],
            "post_logout_redirect_uris": [format!("{PUBLIC}/login")],
        }],
        "users": users,
        "mischief": mischief,
    });
    std::fs::write(file, settings.to_string()).unwrap();
}

impl Provider {
    fn settings(&self) -> SsoSettings {
        SsoSettings {
            public_url: Some(PUBLIC.parse().unwrap()),
            providers: vec![ProviderSettings {
                name: "corp".into(),
                label: "Corp ID".into(),
                issuer: self.issuer.clone(),
                client_id: "meshenv".into(),
                client_secret: Some(CLIENT_SECRET.into()),
                scopes: vec!["email".into(), "profile".into(), "groups".into()],
                groups_claim: "groups".into(),
                allowed_domains: vec!["example.com".into()],
                organization: "acme".into(),
                default_role: None,
                role_map: vec![("ops".into(), Role::Admin), ("dev".into(), Role::Member)],
                team_map: TeamMap::Pairs(vec![
                    ("ops".into(), "Platform".into()),
                    ("dev".into(), "Developers".into()),
                ]),
            }],
            password_sign_in: true,
            break_glass: None,
        }
    }
}

/// A browser: keeps cookies, follows nothing by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Where starting a sign-in with the provider sends a browser without cookies: the provider's
/// authorization URL, or meshenv's sign-in page with the refusal.
async fn start_sign_in(s: &TestServer) -> String {
    let r = s
        .http
        .get(s.url("/auth/oidc/corp/start"))
        .send()
        .await
        .unwrap();
    r.headers()["location"].to_str().unwrap().to_string()
}

fn location(r: &reqwest::Response, base: &str) -> String {
    let l = r.headers()["location"].to_str().unwrap();
    if l.starts_with('/') {
        format!("{base}{l}")
    } else {
        l.to_string()
    }
}

/// A query parameter's value in a URL.
fn param<'a>(url: &'a str, name: &str) -> &'a str {
    url.split(&format!("{name}="))
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
}

/// Calls a callback URL from a fresh client carrying `state` in the flow cookie: another
/// process's answer, or an attacker's replay.
async fn with_flow_cookie(url: &str, state: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .header("cookie", format!("meshenv_sso_state={state}"))
        .send()
        .await
        .unwrap()
}

/// Starts a sign-in at `s` and signs in at the provider as `login`; returns the callback URL
/// (on the test server) the provider sent the browser to. `tamper` may change the provider URL.
async fn to_callback(
    b: &reqwest::Client,
    s: &TestServer,
    p: &Provider,
    login: &str,
    tamper: impl Fn(String) -> String,
) -> String {
    let r = b
        .get(s.url("/auth/oidc/corp/start?next=%2Fworkspaces"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "start redirects to the provider");
    let mut url = tamper(location(&r, &s.base));
    assert!(url.starts_with(&p.issuer), "{url}");
    for _ in 0..10 {
        if let Some(rest) = url.strip_prefix(PUBLIC) {
            return s.url(rest);
        }
        let r = b.get(&url).send().await.unwrap();
        assert!(r.status().is_redirection(), "{url}: {}", r.status());
        url = location(&r, &p.issuer);
        if let Some(uid) = url
            .strip_prefix(&format!("{}/interaction/", p.issuer))
            .map(str::to_string)
        {
            // The provider's own sign-in form.
            let r = b
                .post(&url)
                .form(&[("prompt", "login"), ("login", login), ("password", "any")])
                .send()
                .await
                .unwrap();
            assert!(
                r.status().is_redirection(),
                "login for {uid}: {}",
                r.status()
            );
            url = location(&r, &p.issuer);
        }
    }
    panic!("the provider never sent the browser back");
}

/// The callback's answer: where it sends the browser, and the session cookie if one opened.
async fn finish(b: &reqwest::Client, callback: &str) -> (String, Option<String>) {
    let r = b.get(callback).send().await.unwrap();
    assert_eq!(r.status(), 303, "{callback}");
    let cookie = session_cookie(&r);
    (
        r.headers()["location"].to_str().unwrap().to_string(),
        cookie,
    )
}

async fn sign_in(s: &TestServer, p: &Provider, login: &str) -> (String, Option<String>) {
    let b = browser();
    let cb = to_callback(&b, s, p, login, |u| u).await;
    finish(&b, &cb).await
}

async fn count(s: &TestServer, sql: &str) -> i64 {
    use sqlx::Row;
    s.rows(sql).await[0].try_get::<i64, _>(0).unwrap()
}

async fn start(backend: Backend) -> Option<(Provider, TestServer)> {
    let p = Provider::start().await;
    let settings = p.settings();
    let s = TestServer::start_tuned(backend, Default::default(), move |svc| {
        svc.with_sso(settings)
    })
    .await?;
    Some((p, s))
}

macro_rules! sso_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some((p, s)) = super::start($crate::common::Backend::Sqlite).await {
                        super::$name(&p, &s).await;
                        s.stop().await;
                    }
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some((p, s)) = super::start($crate::common::Backend::Postgres).await {
                        super::$name(&p, &s).await;
                        s.stop().await;
                    }
                }
            }
        )*
    };
}

sso_both!(
    first_sign_in_creates_and_later_ones_follow_the_claims,
    another_process_finishes_the_flow,
    refusals_open_no_session,
    password_sign_in_can_be_switched_off,
);

async fn first_sign_in_creates_and_later_ones_follow_the_claims(p: &Provider, s: &TestServer) {
    // The sign-in page offers the provider.
    let (_, html) = s.login_page().await;
    assert!(
        html.contains("/auth/oidc/corp/start") && html.contains("Sign in with Corp ID"),
        "{html}"
    );

    let (to, cookie) = sign_in(s, p, "alice").await;
    assert_eq!(to, "/workspaces", "lands where it set out for");
    let cookie = cookie.expect("a session");
    let (st, me) = s.get_with_cookie(&cookie, "/api/me").await;
    assert_eq!(st, 200, "{me}");
    assert_eq!(me["name"], "Alice Ops");
    assert_eq!(me["email"], "alice@example.com");
    assert_eq!(me["organizations"][0]["name"], "acme");
    assert_eq!(me["organizations"][0]["role"], "admin", "ops maps to admin");
    let token = s.service.create_token_for("Alice Ops", "ci").await.unwrap();
    let (_, teams) = s.get(&token, "/api/teams").await;
    assert_eq!(texts(&teams, "teams", "name"), ["Developers", "Platform"]);
    for t in teams["teams"].as_array().unwrap() {
        assert_eq!(t["provider"], "corp");
        assert_eq!(t["member_count"], 1);
    }
    // Provider teams are not edited by hand.
    let team = teams["teams"][0]["id"].as_str().unwrap().to_string();
    let (st, _) = s
        .delete(
            &token,
            &format!("/api/teams/{team}/members/{}", me["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(st, 409);
    let (_, events) = s.get(&token, "/api/events?pagesize=100").await;
    let actions = texts(&events, "events", "action");
    assert!(actions.contains(&"user.create"), "{actions:?}");
    assert!(actions.contains(&"team.member_add"), "{actions:?}");
    assert!(actions.contains(&"user.sign_in"), "{actions:?}");
    assert_eq!(count(s, "SELECT COUNT(*) FROM users").await, 1);

    // Later: the provider moves her out of ops and renames her.
    let mut users = people();
    users["alice"]["groups"] = json!(["dev"]);
    users["alice"]["name"] = json!("Alice Dev");
    p.set(users.clone(), None);
    let (_, cookie2) = sign_in(s, p, "alice").await;
    let (_, me) = s.get_with_cookie(&cookie2.unwrap(), "/api/me").await;
    assert_eq!(me["name"], "Alice Dev");
    assert_eq!(me["organizations"][0]["role"], "member");
    assert_eq!(
        count(s, "SELECT COUNT(*) FROM users").await,
        1,
        "the same person, by subject"
    );
    let admin = s.user("acme", "root", Role::Admin).await;
    let (_, teams) = s.get(&admin, "/api/teams?search=platform").await;
    assert_eq!(teams["teams"][0]["member_count"], 0, "left the ops team");
    let (_, events) = s.get(&admin, "/api/events?pagesize=100").await;
    let actions = texts(&events, "events", "action");
    for a in ["user.role", "user.profile", "team.member_remove"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }

    // Then in no group that gives access: refused, out of the organization, tokens gone.
    users["alice"]["groups"] = json!(["sales"]);
    p.set(users, None);
    let (to, cookie3) = sign_in(s, p, "alice").await;
    assert_eq!(to, "/login?sso_error=no_access&provider=corp");
    assert!(cookie3.is_none());
    let (st, _) = s.get(&token, "/api/me").await;
    assert_eq!(st, 401, "her token went with her membership");
    let (st, _) = s.get_with_cookie(&cookie, "/api/me").await;
    assert_eq!(st, 401, "and her sessions");
    let (html_st, html) = {
        let r = s
            .http
            .get(s.url("/login?sso_error=no_access&provider=corp"))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(html_st, 200);
    assert!(
        html.contains("not in a group that has access"),
        "a clear page"
    );
}

async fn another_process_finishes_the_flow(p: &Provider, s: &TestServer) {
    let settings = p.settings();
    let other = TestServer::start_on_tuned(&s.db_url, move |svc| svc.with_sso(settings)).await;
    let b = browser();
    let cb = to_callback(&b, s, p, "bob", |u| u).await;
    // The browser comes back through the load balancer to the other process.
    let cb = cb.replacen(&s.base, &other.base, 1);
    // Its cookie was set for the first process's address: carry it over as a browser would
    // (one host behind the balancer).
    let r = with_flow_cookie(&cb, param(&cb, "state")).await;
    assert_eq!(r.status(), 303);
    let cookie = session_cookie(&r).expect("the other process opened the session");
    let (st, me) = s.get_with_cookie(&cookie, "/api/me").await;
    assert_eq!((st, me["name"].as_str()), (200, Some("Bob Dev")));
    other.stop().await;
}

async fn refusals_open_no_session(p: &Provider, s: &TestServer) {
    let sessions = "SELECT COUNT(*) FROM sessions";
    let refused = |code: &str| format!("/login?sso_error={code}&provider=corp");

    // Each ID token a relying party must refuse.
    for mischief in ["aud", "iss", "exp", "nonce", "foreign"] {
        p.set(people(), Some(mischief));
        let (to, cookie) = sign_in(s, p, "bob").await;
        assert_eq!(to, refused("token"), "{mischief}");
        assert!(cookie.is_none(), "{mischief}");
    }
    // A nonce changed on the way to the provider.
    p.set(people(), None);
    let b = browser();
    let cb = to_callback(&b, s, p, "bob", |u| {
        let (head, rest) = u.split_once("nonce=").unwrap();
        let tail = rest
            .split_once('&')
            .map(|(_, t)| format!("&{t}"))
            .unwrap_or_default();
        format!("{head}nonce=swapped{tail}")
    })
    .await;
    assert_eq!(finish(&b, &cb).await, (refused("token"), None));
    assert_eq!(
        count(s, sessions).await,
        0,
        "no ID token check let anyone in"
    );
    assert_eq!(count(s, "SELECT COUNT(*) FROM users").await, 0);

    // A key rotation is followed: a token signed by a key the JWKS only now publishes.
    p.set(people(), Some("rotate"));
    let (to, cookie) = sign_in(s, p, "bob").await;
    assert_eq!(to, "/workspaces");
    assert!(cookie.is_some());
    p.set(people(), None);
    let before = count(s, sessions).await;

    // A state that is wrong, replayed, or not this browser's.
    let b = browser();
    let cb = to_callback(&b, s, p, "bob", |u| u).await;
    let wrong = cb.replace("state=", "state=x");
    assert_eq!(finish(&b, &wrong).await, (refused("flow"), None));
    let stranger = browser();
    assert_eq!(
        finish(&stranger, &cb).await,
        (refused("flow"), None),
        "a callback link is no good in another browser"
    );
    let (to, cookie) = finish(&b, &cb).await;
    assert_eq!(to, "/workspaces");
    assert!(cookie.is_some());
    // the flow cookie was cleared by the first use: put it back, as an attacker would
    let r = with_flow_cookie(&cb, param(&cb, "state")).await;
    assert_eq!(
        r.headers()["location"],
        refused("flow").as_str(),
        "a state works once"
    );
    assert!(session_cookie(&r).is_none());

    // A code used once already, brought back with a fresh flow's state.
    let code = param(&cb, "code").to_string();
    let b2 = browser();
    let cb2 = to_callback(&b2, s, p, "bob", |u| u).await;
    let fresh_code = param(&cb2, "code");
    let replayed = cb2.replace(fresh_code, &code);
    assert_eq!(finish(&b2, &replayed).await, (refused("token"), None));
    assert_eq!(
        count(s, sessions).await,
        before + 1,
        "only the one honest sign-in"
    );

    // People the configuration does not let in.
    let (to, cookie) = sign_in(s, p, "mallory").await;
    assert_eq!((to, cookie), (refused("email_domain"), None));
    let (to, cookie) = sign_in(s, p, "carol").await;
    assert_eq!(
        (to, cookie),
        (refused("no_access"), None),
        "no group gives a role"
    );
    // An account made by hand with Dave's email is not taken over by email alone.
    s.user("acme", "dave", Role::Member).await;
    let (to, cookie) = sign_in(s, p, "dave").await;
    assert_eq!((to, cookie), (refused("email_taken"), None));
    // The provider said no.
    let b = browser();
    let r = b.get(s.url("/auth/oidc/corp/start")).send().await.unwrap();
    let auth = location(&r, &s.base);
    let state = param(&auth, "state");
    let (to, cookie) = finish(
        &b,
        &s.url(&format!(
            "/auth/oidc/corp/callback?error=access_denied&state={state}"
        )),
    )
    .await;
    assert_eq!((to, cookie), (refused("provider"), None));
    // Sign-ins started and never finished: an address may have 30 under way.
    let mut started = 0;
    let refused_at = loop {
        let to = start_sign_in(s).await;
        if !to.starts_with(&p.issuer) {
            break to;
        }
        started += 1;
        assert!(
            started <= 30,
            "more than 30 sign-ins under way from one address"
        );
    };
    assert_eq!(refused_at, refused("throttled"));
    assert_eq!(
        count(s, "SELECT COUNT(*) FROM sign_in_flows").await,
        service::sso::FLOWS_PER_ADDRESS
    );
    // Addresses are cheap: flows started from many of them, none over its own limit, fill the
    // table only up to the cap on all of them together.
    s.exec("DELETE FROM sign_in_flows").await;
    let max = service::sso::FLOWS_UNDER_WAY_MAX;
    let now = chrono::Utc::now().timestamp_micros();
    s.exec(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {max}) \
         INSERT INTO sign_in_flows (state_hash, id, provider, key_id, sealed, next_path, client_addr, created_at) \
         SELECT 'flood-' || i, 'flood-' || i, 'corp', 'k', 's', '/', '198.51.' || (i / 250) || '.' || (i % 250), {now} FROM n"
    ))
    .await;
    assert_eq!(start_sign_in(s).await, refused("throttled"));
    assert_eq!(count(s, "SELECT COUNT(*) FROM sign_in_flows").await, max);
    // one finishes (or expires), and the next may start
    s.exec("DELETE FROM sign_in_flows WHERE state_hash = 'flood-1'")
        .await;
    assert!(start_sign_in(s).await.starts_with(&p.issuer));
    assert_eq!(count(s, "SELECT COUNT(*) FROM sign_in_flows").await, max);
    s.exec("DELETE FROM sign_in_flows").await;
    // An unknown provider.
    let r = s
        .http
        .get(s.url("/auth/oidc/nope/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/login?sso_error=unavailable&provider=nope"
    );
    assert_eq!(count(s, sessions).await, before + 1);
}

async fn password_sign_in_can_be_switched_off(p: &Provider, s: &TestServer) {
    s.user("acme", "root", Role::Admin).await;
    s.user("acme", "erin", Role::Member).await;
    let mut settings = p.settings();
    settings.password_sign_in = false;
    settings.break_glass = Some("root".into());
    let off = TestServer::start_on_tuned(&s.db_url, move |svc| svc.with_sso(settings)).await;
    assert!(off.sign_in("erin", crate::common::PASSWORD).await.is_none());
    let r = off
        .http
        .post(off.url("/fn/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .form(&[("login", "erin"), ("password", crate::common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        off.sign_in("root", crate::common::PASSWORD).await.is_some(),
        "the break-glass admin still can"
    );
    let (_, html) = off.login_page().await;
    assert!(
        html.contains("Emergency sign-in"),
        "the form is tucked away"
    );
    // API tokens keep working.
    let token = off.service.create_token_for("erin", "ci").await.unwrap();
    assert_eq!(off.get(&token, "/api/me").await.0, 200);

    // Signing out of a provider's session goes on to the provider's logout.
    let (_, cookie) = sign_in(&off, p, "bob").await;
    let cookie = cookie.unwrap();
    let r = off
        .http
        .post(off.url("/fn/sign_out"))
        .header("sec-fetch-site", "same-origin")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with(&format!("{}/session/end?", p.issuer)),
        "{to}"
    );
    assert!(to.contains("client_id=meshenv") && to.contains("post_logout_redirect_uri="));
    assert_eq!(off.get_with_cookie(&cookie, "/api/me").await.0, 401);
    off.stop().await;
}
