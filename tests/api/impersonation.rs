//! Impersonation (API.md §2, seed `002_*`): `POST /auth/impersonate?uuid=` and
//! `DELETE /auth/impersonate` with the revert token — who may act as whom, what the token can do,
//! and that both identities reach the audit trail.

use crate::helpers::{assert_error, spawn_app, TestApp, ADMIN_EMAIL, USER_PASSWORD};
use app::domain::Role;
use serde_json::{json, Value};

async fn impersonate(app: &TestApp, token: &str, user: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/auth/impersonate?uuid={user}&reason=ticket%204711"
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn stop(app: &TestApp, token: &str, revert: &str) -> reqwest::Response {
    app.client
        .delete(app.url("/auth/impersonate"))
        .bearer_auth(token)
        .json(&json!({ "impersonator_revert_token": revert }))
        .send()
        .await
        .unwrap()
}

struct World {
    app: TestApp,
    root: String,
    acme: String,
    ada: String,
    acme_admin: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let acme = app
        .create_organization(&root, json!({"name": "Acme", "company_name": "Acme Inc"}))
        .await;
    let ada = app.add_user(&acme, "ada@acme.example", Role::User).await;
    app.add_user(&acme, "boss@acme.example", Role::Admin).await;
    let acme_admin = app.token_for("boss@acme.example", USER_PASSWORD).await;
    World {
        app,
        root,
        acme,
        ada,
        acme_admin,
    }
}

#[tokio::test]
async fn a_super_admin_acts_as_a_user_and_returns_with_the_revert_token() {
    let w = world().await;
    let app = &w.app;
    let response = impersonate(app, &w.root, &w.ada).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "created_at",
            "impersonator_revert_token",
            "provider",
            "role",
            "timezone",
            "token",
            "updated_at",
            "username"
        ],
        "the seed's body"
    );
    assert_eq!(body["role"], "User");
    assert_eq!(body["provider"], "email");
    let acting = body["token"].as_str().unwrap().to_string();
    let revert = body["impersonator_revert_token"]
        .as_str()
        .unwrap()
        .to_string();

    // The token is Ada's: her profile, her view of the world.
    let me: Value = app.get("/v2/user/me", &acting).await.json().await.unwrap();
    assert_eq!(me["data"]["attributes"]["email"], "ada@acme.example");
    assert_error(app.get("/v2/outbox", &acting).await, 403).await;
    // No escalation: no second impersonation, no token of her own for the admin to keep.
    assert_error(impersonate(app, &acting, &w.ada).await, 403).await;
    assert_error(
        app.put_json("/v2/user/access_token", &acting, &json!({}))
            .await,
        403,
    )
    .await;
    // What is done as her names both.
    let saved = app
        .put_json("/v2/user/me", &acting, &json!({"user": {"city": "Patras"}}))
        .await;
    assert_eq!(saved.status(), 200);
    let trail: Value = app
        .get(&format!("/v2/audit/events?q[target_id]={}", w.ada), &w.root)
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"user.impersonate"), "{actions:?}");
    let update = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["attributes"]["action"] == "user.update")
        .unwrap();
    assert_eq!(update["attributes"]["actor"]["email"], "ada@acme.example");
    assert_eq!(update["attributes"]["impersonator"]["email"], ADMIN_EMAIL);
    let started = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["attributes"]["action"] == "user.impersonate")
        .unwrap();
    assert_eq!(started["attributes"]["changes"]["reason"], "ticket 4711");
    assert_eq!(started["attributes"]["organization_id"], w.acme.as_str());

    // Someone else's session can't spend the revert token; Ada's own neither.
    let ada_own = app.token_for("ada@acme.example", USER_PASSWORD).await;
    assert_error(stop(app, &w.root, &revert).await, 422).await;
    assert_error(stop(app, &ada_own, &revert).await, 422).await;

    // The impersonation's own session with its token: back as the admin.
    let back = stop(app, &acting, &revert).await;
    assert_eq!(back.status(), 200);
    let back: Value = back.json().await.unwrap();
    assert_eq!(back["role"], "Super Admin");
    let admin_again = back["token"].as_str().unwrap();
    let me: Value = app
        .get("/v2/user/me", admin_again)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["attributes"]["email"], ADMIN_EMAIL);
    assert_eq!(app.get("/v2/outbox", admin_again).await.status(), 200);
    assert_error(app.get("/v2/user/me", &acting).await, 401).await;
    assert_eq!(app.audited("user.stop_impersonating").await, 1);
    assert_eq!(
        app.get("/v2/user/me", &ada_own).await.status(),
        200,
        "Ada's own session stays"
    );

    // A revert token works once: a new impersonation's session can't spend the old one.
    let again: Value = impersonate(app, admin_again, &w.ada)
        .await
        .json()
        .await
        .unwrap();
    let second = again["token"].as_str().unwrap();
    assert_error(stop(app, second, &revert).await, 422).await;
    assert_eq!(
        app.get("/v2/user/me", second).await.status(),
        200,
        "nothing changed"
    );
}

#[tokio::test]
async fn who_may_impersonate_whom() {
    let w = world().await;
    let app = &w.app;
    let globex = app
        .create_organization(
            &w.root,
            json!({"name": "Globex", "company_name": "Globex Inc"}),
        )
        .await;
    let gus = app
        .add_user(&globex, "gus@globex.example", Role::User)
        .await;
    let boss_id: Value = app
        .get("/v2/user/me", &w.acme_admin)
        .await
        .json()
        .await
        .unwrap();
    let boss_id = boss_id["data"]["id"].as_str().unwrap().to_string();
    let other_root = app
        .add_user(&w.acme, "root2@acme.example", Role::SuperAdmin)
        .await;
    let root_me: Value = app.get("/v2/user/me", &w.root).await.json().await.unwrap();
    let root_id = root_me["data"]["id"].as_str().unwrap().to_string();
    let ada_token = app.token_for("ada@acme.example", USER_PASSWORD).await;

    // An Admin: Users of their own organization only.
    assert_eq!(impersonate(app, &w.acme_admin, &w.ada).await.status(), 200);
    assert_error(impersonate(app, &w.acme_admin, &gus).await, 404).await;
    assert_error(impersonate(app, &w.acme_admin, &boss_id).await, 403).await;
    assert_error(impersonate(app, &w.acme_admin, &root_id).await, 404).await;
    // A Super Admin: anyone but a Super Admin, never themselves.
    assert_eq!(impersonate(app, &w.root, &gus).await.status(), 200);
    assert_eq!(impersonate(app, &w.root, &boss_id).await.status(), 200);
    assert_error(impersonate(app, &w.root, &other_root).await, 403).await;
    assert_error(impersonate(app, &w.root, &root_id).await, 403).await;
    // A User sees nobody else.
    assert_error(impersonate(app, &ada_token, &gus).await, 404).await;
    assert_error(impersonate(app, &ada_token, &w.ada).await, 403).await;

    // Bad input: the error body, nothing written.
    let sessions_before = app.count("sessions").await;
    for (query, status) in [
        ("", 422),
        ("?uuid=", 422),
        ("?uuid=not-a-uuid", 404),
        ("?uuid=ab%00cd", 404),
        ("?uuid=00000000-0000-0000-0000-000000000000", 404),
    ] {
        let response = app
            .client
            .post(app.url(&format!("/auth/impersonate{query}")))
            .bearer_auth(&w.root)
            .send()
            .await
            .unwrap();
        assert_error(response, status).await;
    }
    let long = "x".repeat(501);
    let response = app
        .client
        .post(app.url(&format!("/auth/impersonate?uuid={}&reason={long}", w.ada)))
        .bearer_auth(&w.root)
        .send()
        .await
        .unwrap();
    let body = assert_error(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "reason");
    assert_eq!(app.count("sessions").await, sessions_before);
    assert_error(stop(app, &w.root, "").await, 422).await;
    let anonymous = app
        .client
        .post(app.url(&format!("/auth/impersonate?uuid={}", w.ada)))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
}

#[tokio::test]
async fn parallel_stops_spend_the_revert_token_once() {
    let w = world().await;
    let app = &w.app;
    let body: Value = impersonate(app, &w.root, &w.ada)
        .await
        .json()
        .await
        .unwrap();
    let acting = body["token"].as_str().unwrap().to_string();
    let revert = body["impersonator_revert_token"]
        .as_str()
        .unwrap()
        .to_string();
    let stops = (0..8).map(|_| stop(app, &acting, &revert));
    let statuses: Vec<u16> = futures::future::join_all(stops)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [200, 401, 422].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(app.audited("user.stop_impersonating").await, 1);
}

fn cookie_pair(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|pair| pair.starts_with(&format!("{name}=")))
}

/// The console's buttons as plain form posts: "Impersonate" swaps the browser's session for the
/// user's and keeps the revert token in its own cookie; every page shows the banner; "Stop
/// impersonating" signs the admin in anew.
#[tokio::test]
async fn the_browser_impersonates_sees_the_banner_and_stops() {
    let w = world().await;
    let app = &w.app;
    let cookie = app.admin_session_cookie().await;
    let page = app.page_html(&format!("/users/{}", w.ada), &cookie).await;
    assert!(
        page.contains("impersonate-title"),
        "the user's page offers it"
    );

    let response = app
        .post_page_form(
            "/api/impersonate",
            &cookie,
            &[("id", w.ada.as_str()), ("reason", "ticket 9")],
        )
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/?notice=impersonating");
    let session = cookie_pair(&response, "steward_session").expect("the user's session");
    let revert = cookie_pair(&response, "steward_revert").expect("the revert token");
    let both = format!("{session}; {revert}");
    let home = app.page_html("/", &both).await;
    assert!(
        home.contains("You are acting as") && home.contains("ada@acme.example"),
        "the banner"
    );
    assert!(home.contains("Stop impersonating"));
    // The admin's own browser session ended.
    let old = app.page_html("/users", &cookie).await;
    assert!(!old.contains("Stop impersonating") && !old.contains("ada@acme.example"));

    let response = app
        .post_page_form("/api/impersonate/stop", &both, &[])
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.headers()["location"],
        "/users?notice=impersonation_ended"
    );
    let admin = cookie_pair(&response, "steward_session").expect("the admin's new session");
    assert_eq!(
        cookie_pair(&response, "steward_revert").as_deref(),
        Some("steward_revert=")
    );
    let users = app.page_html("/users", &admin).await;
    assert!(users.contains("You are yourself again.") || users.contains("ada@acme.example"));
    assert!(!users.contains("Stop impersonating"));
    // The impersonation's session is gone.
    let gone = app.page_html("/", &both).await;
    assert!(!gone.contains("Stop impersonating"));

    // From another site: refused.
    let response = app
        .client
        .post(app.url("/api/impersonate"))
        .header("accept", "text/html")
        .header("origin", "http://evil.example")
        .header("cookie", &admin)
        .form(&[("id", w.ada.as_str()), ("reason", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}
