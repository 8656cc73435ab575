//! Server-rendered pages, as a browser without JavaScript gets them.

use crate::common::{TestServer, PASSWORD, PLAIN_CSS, SITE_CSS, TWINNED_WASM, TWINNED_WASM_BR};
use model::user::Role;
use serde_json::json;

both_backends!(
    buttons_follow_the_pages_organization_not_the_first,
    assets_are_served_as_built_and_pages_compressed,
    the_head_carries_the_stylesheet_and_starts_the_app_after_paint
);

async fn page(s: &TestServer, cookie: &str, path: &str) -> String {
    let r = s
        .http
        .get(s.url(path))
        .header("cookie", cookie)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
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
        !head.contains("preload"),
        "nothing fetched ahead of the page: {head}"
    );
    let script = head
        .split("<script")
        .find(|s| s.contains("m.hydrate()"))
        .expect("the script that starts the app");
    assert!(script.contains("requestAnimationFrame"), "{script}");
    assert!(script.contains("\"/pkg/meshenv.js\""), "{script}");
    assert!(script.contains("\"/pkg/meshenv.wasm\""), "{script}");
    let nonce = script
        .split("nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a nonce");
    assert!(csp.contains(&format!("'nonce-{nonce}'")), "{csp}");
}
