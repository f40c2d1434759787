//! The signed-in user's credentials (issue 8, part 2): the personal access token
//! (`/v2/user/access_token`, `Authorization: Basic`) and the sessions (`/v2/user/sessions`,
//! `/v2/user/token/valid`), through the API and as the page's plain form posts.

use crate::helpers::{
    assert_error, spawn_app, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, USER_PASSWORD,
};
use app::domain::Role;
use app::server::db::Sql;
use serde_json::{json, Value};

async fn basic(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap()
}

async fn sign_in_as(app: &TestApp, email: &str, password: &str, agent: &str) -> String {
    let response = app
        .client
        .post(app.url("/auth/sign_in"))
        .header("user-agent", agent)
        .json(&json!({"username": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_string()
}

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.unwrap()
}

#[tokio::test]
async fn an_access_token_is_shown_once_works_as_basic_until_replaced_or_revoked() {
    let app = spawn_app().await;
    let session = app.admin_token().await;

    let status = json_of(app.get("/v2/user/access_token", &session).await, 200).await;
    assert_eq!(
        status,
        json!({"active": false, "created_at": null, "last_used_at": null})
    );

    let issued = json_of(
        app.put_json("/v2/user/access_token", &session, &json!({}))
            .await,
        200,
    )
    .await;
    let first = issued["access_token"].as_str().unwrap().to_string();
    assert!(first.len() >= 43, "at least 256 random bits: {first}");
    assert!(issued["created_at"].as_str().unwrap().ends_with('Z'));
    // Only its hash is stored.
    let stored = app
        .db
        .fetch_count(
            &Sql::new("SELECT COUNT(*) FROM users WHERE access_token_hash = $1")
                .bind(first.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(stored, 0, "the raw token is not in the database");

    let me = json_of(basic(&app, "/v2/user/me", &first).await, 200).await;
    assert_eq!(me["data"]["attributes"]["email"], ADMIN_EMAIL);
    let validity = json_of(basic(&app, "/v2/user/token/valid", &first).await, 200).await;
    assert_eq!(validity, json!({"valid": true, "expires_at": null}));
    let status = json_of(app.get("/v2/user/access_token", &session).await, 200).await;
    assert_eq!(status["active"], true);
    assert!(
        status["last_used_at"].is_string(),
        "its use is recorded: {status}"
    );

    // A new token replaces the old one.
    let issued = json_of(
        app.put_json("/v2/user/access_token", &session, &json!({}))
            .await,
        200,
    )
    .await;
    let second = issued["access_token"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    assert_error(basic(&app, "/v2/user/me", &first).await, 401).await;
    assert_eq!(basic(&app, "/v2/user/me", &second).await.status(), 200);

    // Revoked, it stops working; revoking again is no error.
    let revoked = json_of(
        app.put_json("/v2/user/access_token/revoke", &session, &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(revoked, json!({}));
    assert_error(basic(&app, "/v2/user/me", &second).await, 401).await;
    assert_eq!(
        app.put_json("/v2/user/access_token/revoke", &session, &json!({}))
            .await
            .status(),
        200
    );
    let status = json_of(app.get("/v2/user/access_token", &session).await, 200).await;
    assert_eq!(status["active"], false);

    assert_eq!(app.audited("access_token.generate").await, 2);
    assert_eq!(
        app.audited("access_token.revoke").await,
        1,
        "the no-op revoke isn't audited"
    );
    let changes: Vec<(String,)> = app
        .db
        .fetch_all(&Sql::new(
            "SELECT changes FROM audit_events WHERE action LIKE 'access_token.%'",
        ))
        .await
        .unwrap();
    for (changes,) in changes {
        assert!(
            !changes.contains(&first) && !changes.contains(&second),
            "masked: {changes}"
        );
    }
}

#[tokio::test]
async fn a_user_lists_and_ends_their_own_sessions_only() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Acme", "company_name": "Acme Inc"}))
        .await;
    app.add_user(&org, "ada@acme.example", Role::User).await;
    app.add_user(&org, "bob@acme.example", Role::User).await;
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
    let laptop = sign_in_as(&app, "ada@acme.example", USER_PASSWORD, firefox).await;
    let phone = sign_in_as(
        &app,
        "ada@acme.example",
        USER_PASSWORD,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    )
    .await;
    let script = sign_in_as(&app, "ada@acme.example", USER_PASSWORD, "curl/8.5.0").await;
    let bob = sign_in_as(&app, "bob@acme.example", USER_PASSWORD, "curl/8.5.0").await;

    let list = json_of(app.get("/v2/user/sessions", &laptop).await, 200).await;
    assert_eq!(list["meta"]["total_count"], 3, "{list}");
    let sessions = list["data"].as_array().unwrap();
    let current: Vec<&Value> = sessions
        .iter()
        .filter(|s| s["attributes"]["current"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["attributes"]["device"], "Firefox on Linux");
    assert_eq!(current[0]["type"], "sessions");
    let mut devices: Vec<&str> = sessions
        .iter()
        .map(|s| s["attributes"]["device"].as_str().unwrap())
        .collect();
    devices.sort();
    assert_eq!(devices, ["Firefox on Linux", "Safari on iPhone", "curl"]);
    let id_of = |device: &str| {
        sessions
            .iter()
            .find(|s| s["attributes"]["device"] == device)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let phone_id = id_of("Safari on iPhone");

    // Bob can't see or end Ada's session: a 404, like a missing one, and it still works.
    assert_error(
        app.delete(&format!("/v2/user/sessions/{phone_id}"), &bob)
            .await,
        404,
    )
    .await;
    assert_eq!(app.get("/v2/user/me", &phone).await.status(), 200);
    let bobs = json_of(app.get("/v2/user/sessions", &bob).await, 200).await;
    assert_eq!(bobs["meta"]["total_count"], 1);

    // Ada ends her phone's session: its token stops working at once.
    let response = app
        .delete(&format!("/v2/user/sessions/{phone_id}"), &laptop)
        .await;
    assert_eq!(response.status(), 204);
    assert_error(app.get("/v2/user/me", &phone).await, 401).await;
    assert_error(
        app.delete(&format!("/v2/user/sessions/{phone_id}"), &laptop)
            .await,
        404,
    )
    .await;
    assert_eq!(app.audited("session.revoke").await, 1);

    // "Sign out everywhere else" keeps this one, ends the script's, and leaves Bob alone.
    let response = app.delete("/v2/user/sessions", &laptop).await;
    assert_eq!(response.status(), 204);
    assert_error(app.get("/v2/user/me", &script).await, 401).await;
    assert_eq!(app.get("/v2/user/me", &laptop).await.status(), 200);
    assert_eq!(app.get("/v2/user/me", &bob).await.status(), 200);
    let list = json_of(app.get("/v2/user/sessions", &laptop).await, 200).await;
    assert_eq!(list["meta"]["total_count"], 1);

    let validity = json_of(app.get("/v2/user/token/valid", &laptop).await, 200).await;
    assert_eq!(validity["valid"], true);
    assert!(validity["expires_at"].as_str().unwrap().ends_with('Z'));

    // Ending the current session is signing out.
    let own = list["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.delete(&format!("/v2/user/sessions/{own}"), &laptop)
            .await
            .status(),
        204
    );
    assert_error(app.get("/v2/user/token/valid", &laptop).await, 401).await;
}

#[tokio::test]
async fn with_an_access_token_sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let session = app.admin_token().await;
    let other = app.admin_token().await;
    let issued = json_of(
        app.put_json("/v2/user/access_token", &session, &json!({}))
            .await,
        200,
    )
    .await;
    let token = issued["access_token"].as_str().unwrap().to_string();
    let response = app
        .client
        .delete(app.url("/v2/user/sessions"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_error(app.get("/v2/user/me", &session).await, 401).await;
    assert_error(app.get("/v2/user/me", &other).await, 401).await;
    assert_eq!(
        basic(&app, "/v2/user/me", &token).await.status(),
        200,
        "the token is no session"
    );
}

#[tokio::test]
async fn bad_session_requests_get_the_error_body_and_change_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for path in [
        "/v2/user/sessions?q=phone",
        "/v2/user/sessions?per_page=0",
        "/v2/user/sessions?sort_by=ip",
        "/v2/user/sessions?q[device]=curl",
        "/v2/user/sessions?date_range_start=yesterday",
    ] {
        let body = assert_error(app.get(path, &token).await, 422).await;
        assert_eq!(body["status_text"], "Parameter Error", "{path}");
    }
    for id in [
        "not-a-uuid",
        "ab%00cd",
        "%C3%9C",
        "00000000-0000-0000-0000-000000000000",
    ] {
        assert_error(
            app.delete(&format!("/v2/user/sessions/{id}"), &token).await,
            404,
        )
        .await;
    }
    assert_eq!(app.count("sessions").await, 1, "nothing ended");
    assert_error(basic(&app, "/v2/user/me", "not-a-token").await, 401).await;
    // Bytes no header parser should choke on: Latin-1 and a lone continuation byte.
    for raw in [&b"Basic \xdcn\xefcode"[..], &b"Basic \x80"[..]] {
        let response = app
            .client
            .get(app.url("/v2/user/me"))
            .header(
                "authorization",
                reqwest::header::HeaderValue::from_bytes(raw).unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert_error(response, 401).await;
    }
    // Anonymous callers get nothing.
    for path in [
        "/v2/user/sessions",
        "/v2/user/access_token",
        "/v2/user/token/valid",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_error(response, 401).await;
    }
}

#[tokio::test]
async fn parallel_token_generation_leaves_exactly_one_working_token() {
    let app = spawn_app().await;
    let session = app.admin_token().await;
    let empty = json!({});
    let requests = (0..12).map(|_| app.put_json("/v2/user/access_token", &session, &empty));
    let answers = futures::future::join_all(requests).await;
    let mut tokens = Vec::new();
    for response in answers {
        let body = json_of(response, 200).await;
        tokens.push(body["access_token"].as_str().unwrap().to_string());
    }
    let mut working = 0;
    for token in &tokens {
        if basic(&app, "/v2/user/me", token).await.status() == 200 {
            working += 1;
        }
    }
    assert_eq!(working, 1, "the last write wins; every other token is dead");
}

/// The page's forms without JavaScript: generating lands back on `/me/security`, which shows the
/// token once (it rides a short-lived cookie, never the URL); revoking and signing out the other
/// sessions redirect with a notice. A foreign `Origin` is refused.
#[tokio::test]
async fn the_security_page_forms_work_as_plain_posts_and_show_the_token_once() {
    let app = spawn_app().await;
    let cookie = app.admin_session_cookie().await;
    let other = app.admin_token().await;

    let response = app
        .post_page_form("/api/me/access_token/generate", &cookie, &[])
        .await;
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("/me/security?notice=access_token_generated"),
        "{location}"
    );
    let handed: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let flash = handed
        .iter()
        .find(|c| c.starts_with("steward_issued_token="))
        .expect("the token rides a cookie to the page");
    assert!(
        flash.contains("HttpOnly")
            && flash.contains("Path=/me/security")
            && flash.contains("Max-Age=120")
    );
    let token = flash
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("steward_issued_token=")
        .to_string();
    assert!(!location.contains(&token), "never in the URL");
    assert_eq!(basic(&app, "/v2/user/me", &token).await.status(), 200);

    // The page shows it, and takes the cookie away.
    let page = app
        .client
        .get(app.url(&location))
        .header("accept", "text/html")
        .header("cookie", format!("{cookie}; steward_issued_token={token}"))
        .send()
        .await
        .unwrap();
    let cleared = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("steward_issued_token=;"));
    let html = page.text().await.unwrap();
    assert!(cleared, "the page takes the token's cookie away");
    assert!(html.contains(&token), "shown once");
    assert!(html.contains("Access token generated"));
    // A cookie that names some other value shows nothing.
    let html = app
        .page_html(
            "/me/security",
            &format!("{cookie}; steward_issued_token=forged-value"),
        )
        .await;
    assert!(!html.contains("forged-value"));
    assert!(!html.contains(&token), "not shown a second time");

    // Revoke it.
    let response = app
        .post_page_form("/api/me/access_token/revoke", &cookie, &[])
        .await;
    assert_eq!(response.status(), 302);
    assert_error(basic(&app, "/v2/user/me", &token).await, 401).await;

    // Sign out everywhere else.
    let response = app
        .post_page_form("/api/me/sessions/revoke_others", &cookie, &[])
        .await;
    assert_eq!(response.status(), 302);
    assert_error(app.get("/v2/user/me", &other).await, 401).await;
    let html = app.page_html("/me/security", &cookie).await;
    assert!(
        html.contains("This device"),
        "the page's own session remains"
    );

    // From another site: refused, nothing generated.
    let response = app
        .client
        .post(app.url("/api/me/access_token/generate"))
        .header("accept", "text/html")
        .header("origin", "http://evil.example")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let status = json_of(
        app.get(
            "/v2/user/access_token",
            &app.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(status["active"], false);
}

/// An admin acting as a user (`POST /auth/impersonate`) sees the user's sessions, the
/// impersonation's marked, but can't end them or mint the user a token: both would outlast the
/// impersonation.
#[tokio::test]
async fn an_impersonating_session_can_look_but_not_touch_the_users_credentials() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Acme", "company_name": "Acme Inc"}))
        .await;
    let ada = app.add_user(&org, "ada@acme.example", Role::User).await;
    let own = app.token_for("ada@acme.example", USER_PASSWORD).await;
    let root_id: (String,) = app
        .db
        .fetch_optional(&Sql::new("SELECT id FROM users WHERE email = $1").bind(ADMIN_EMAIL))
        .await
        .unwrap()
        .unwrap();
    let (acting, _) = app.impersonate(&root, &ada).await;

    let list = json_of(app.get("/v2/user/sessions", &acting).await, 200).await;
    assert_eq!(list["meta"]["total_count"], 2);
    let marked: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["attributes"]["impersonator_id"] == root_id.0.as_str())
        .collect();
    assert_eq!(marked.len(), 1);
    let users_own = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["attributes"]["impersonator_id"].is_null())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    for response in [
        app.delete(&format!("/v2/user/sessions/{users_own}"), &acting)
            .await,
        app.delete("/v2/user/sessions", &acting).await,
        app.put_json("/v2/user/access_token", &acting, &json!({}))
            .await,
        app.put_json("/v2/user/access_token/revoke", &acting, &json!({}))
            .await,
    ] {
        let body = assert_error(response, 403).await;
        assert!(
            body["message"].as_str().unwrap().contains("impersonating"),
            "{body}"
        );
    }
    assert_eq!(
        app.get("/v2/user/me", &own).await.status(),
        200,
        "the user's own session stays"
    );
    let status = json_of(app.get("/v2/user/access_token", &own).await, 200).await;
    assert_eq!(status["active"], false, "no token was minted");
}
