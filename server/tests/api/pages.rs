//! Server-rendered pages, as a browser without JavaScript gets them.

use crate::common::{
    test_site, TestServer, PASSWORD, PLAIN_CSS, SITE_CSS, TWINNED_WASM, TWINNED_WASM_BR,
};
use model::user::Role;
use serde_json::json;

both_backends!(
    buttons_follow_the_pages_organization_not_the_first,
    assets_are_served_as_built_and_pages_compressed,
    the_head_carries_the_stylesheet_and_starts_the_app_after_paint,
    forms_a_role_cannot_use_say_so,
    a_router_built_meanwhile_never_stalls_a_page
);

async fn page(s: &TestServer, cookie: &str, path: &str) -> String {
    let (status, body) = answer(s, cookie, path).await;
    assert_eq!(status, 200, "{path}");
    body
}

async fn answer(s: &TestServer, cookie: &str, path: &str) -> (u16, String) {
    let r = s
        .http
        .get(s.url(path))
        .header("cookie", cookie)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Someone who is a member of one organization and an admin of another sees an admin's buttons
/// on the second's pages, and only there, whichever organization their list names first.
async fn buttons_follow_the_pages_organization_not_the_first(s: &TestServer) {
    let alice = s.user("aaa-first", "alice", Role::Member).await;
    let gary = s.user("zzz-second", "gary", Role::Admin).await;
    let org_of = |me: serde_json::Value| me["organizations"][0]["id"].as_str().unwrap().to_string();
    let member_org = org_of(s.get(&alice, "/api/me").await.1);
    let admin_org = org_of(s.get(&gary, "/api/me").await.1);
    let (_, me) = s.get(&alice, "/api/me").await;
    sqlx::query("INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES ($1, $2, 'admin', 0)")
        .bind(admin_org.clone())
        .bind(me["id"].as_str().unwrap().to_string())
        .execute(&mut *s.service.db.write().await.unwrap())
        .await
        .unwrap();
    let (_, me) = s.get(&alice, "/api/me").await;
    assert_eq!(
        org_of(me),
        member_org,
        "the member organization comes first"
    );
    let cookie = s.sign_in("alice", PASSWORD).await.expect("signed in");

    let new_link = "href=\"/environments/new\"";
    let admin_list = page(s, &cookie, &format!("/environments?orgID={admin_org}")).await;
    assert!(admin_list.contains(new_link), "an admin here");
    let member_list = page(s, &cookie, &format!("/environments?orgID={member_org}")).await;
    assert!(!member_list.contains(new_link), "a member there");

    let (status, env) = s
        .post(
            &gary,
            "/api/environments",
            json!({"name": "prod", "description": "d"}),
        )
        .await;
    assert_eq!(status, 201, "{env}");
    let detail = page(
        s,
        &cookie,
        &format!("/environments/{}", env["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        detail.contains(">Archive<"),
        "the lifecycle buttons of an admin"
    );
}

/// Assets go out as the build wrote them: the brotli twin when there is one and the client takes
/// it, else the plain file, never compressed per request. Pages are still compressed.
async fn assets_are_served_as_built_and_pages_compressed(s: &TestServer) {
    let get = |path: &str| {
        s.http
            .get(s.url(path))
            .header("accept-encoding", "gzip, br")
            .send()
    };
    let r = get(TWINNED_WASM).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "br");
    assert_eq!(r.headers()["vary"], "accept-encoding");
    assert_eq!(r.bytes().await.unwrap().as_ref(), TWINNED_WASM_BR);
    let r = get(PLAIN_CSS).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers().get("content-encoding"),
        None,
        "not compressed per request"
    );
    // a test binary has no hash.txt beside it: the names are not hashed, so revalidate
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert_eq!(
        r.bytes().await.unwrap().len(),
        "body { color: black; }\n".len() * 200
    );
    let r = get("/login").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().contains_key("content-encoding"),
        "pages are compressed"
    );
}

/// The head carries the stylesheet itself, verbatim (`>` unescaped), not a render-blocking link;
/// and the app's code is fetched by a script (with the page's nonce) that waits for the first
/// paint, not preloaded from the head.
async fn the_head_carries_the_stylesheet_and_starts_the_app_after_paint(s: &TestServer) {
    let (csp, html) = s.login_page().await;
    let head = &html[..html.find("</head>").expect("a head")];
    assert!(
        head.contains(&format!("<style id=\"leptos\">{SITE_CSS}</style>")),
        "{head}"
    );
    assert!(!head.contains("rel=\"stylesheet\""), "{head}");
    assert!(
        !head.contains("<link rel=\"preload\"") && !head.contains("rel=preload"),
        "nothing fetched ahead of the page: {head}"
    );
    let script = head
        .split("<script")
        .find(|s| s.contains("m.hydrate()"))
        .expect("the script that starts the app");
    assert!(script.contains("requestAnimationFrame"), "{script}");
    // a split build's chunks, named in the head, are preloaded by this script, after the paint
    assert!(script.contains("meta[name=meshenv-chunk]"), "{script}");
    assert!(script.contains("\"/pkg/meshenv.js\""), "{script}");
    assert!(script.contains("\"/pkg/meshenv.wasm\""), "{script}");
    let nonce = script
        .split("nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a nonce");
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
}

/// A member who opens a form only admins may use (by a link, a bookmark, the address bar) gets a
/// page that says so, with 403, not a form the server would refuse on submit. The admin gets
/// the form.
async fn forms_a_role_cannot_use_say_so(s: &TestServer) {
    let alice = s.user("acme", "alice", Role::Admin).await;
    s.user("acme", "bob", Role::Member).await;
    let (status, env) = s
        .post(&alice, "/api/environments", json!({"name": "prod"}))
        .await;
    assert_eq!(status, 201, "{env}");
    let (status, cred) = s
        .post(
            &alice,
            "/api/credentials",
            json!({"name": "ci", "type": "token", "secret": {"token": "t0k3n"}, "allowed_hosts": ["*.example"]}),
        )
        .await;
    assert_eq!(status, 201, "{cred}");
    let (status, conn) = s
        .post(
            &alice,
            "/api/connections",
            json!({"name": "prom", "kind": "prometheus", "url": "https://prom.example:443"}),
        )
        .await;
    assert_eq!(status, 201, "{conn}");
    let id = |v: &serde_json::Value| v["id"].as_str().unwrap().to_string();
    let paths = [
        "/environments/new".to_string(),
        format!("/environments/{}/edit", id(&env)),
        "/connections/new".to_string(),
        "/connections/import".to_string(),
        format!("/connections/{}/edit", id(&conn)),
        "/credentials/new".to_string(),
        format!("/credentials/{}/edit", id(&cred)),
    ];
    let member = s.sign_in("bob", PASSWORD).await.expect("bob signs in");
    let admin = s.sign_in("alice", PASSWORD).await.expect("alice signs in");
    for path in &paths {
        let (status, body) = answer(s, &member, path).await;
        assert_eq!(status, 403, "{path} for a member");
        assert!(body.contains("Not available to you"), "{path}: {body}");
        assert!(!body.contains("form-card"), "{path} shows no form");

        let body = page(s, &admin, path).await;
        assert!(
            !body.contains("Not available to you"),
            "{path} for the admin"
        );
    }
}

/// Building a router, as each server does when it starts, never stalls a page another server
/// in the same process is rendering. Leptos's route generation sets a process-wide "load no
/// data" flag while it runs, and a page whose data started loading meanwhile waited forever
/// (a test suite's servers start while others serve: that was CI's hang).
async fn a_router_built_meanwhile_never_stalls_a_page(s: &TestServer) {
    s.user("acme", "alice", Role::Admin).await;
    let cookie = s.sign_in("alice", PASSWORD).await.expect("signed in");
    /// Stops the building when the test ends, passed or failed (a blocking task still running
    /// would keep the test's runtime from shutting down).
    struct Stop(std::sync::Arc<std::sync::atomic::AtomicBool>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = Stop(done.clone());
    let building = {
        let (done, service) = (done.clone(), s.service.clone());
        tokio::task::spawn_blocking(move || {
            let mut built = 0u32;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                drop(server::http::router(
                    service.clone(),
                    server::leptos_options(test_site()),
                ));
                built += 1;
            }
            built
        })
    };
    for path in ["/environments", "/connections", "/workspaces", "/audit"].repeat(3) {
        let answered =
            tokio::time::timeout(std::time::Duration::from_secs(10), page(s, &cookie, path)).await;
        assert!(answered.is_ok(), "{path} stalled while routers were built");
    }
    drop(stop);
    assert!(building.await.unwrap() > 0, "routers were built meanwhile");
}
