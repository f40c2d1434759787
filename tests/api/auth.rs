use crate::helpers::{assert_error, spawn_app, spawn_app_with, ADMIN_EMAIL, ADMIN_PASSWORD};
use serde_json::{json, Value};

#[tokio::test]
async fn sign_in_answers_the_seed_body_and_a_cookie() {
    let app = spawn_app().await;
    let response = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.starts_with("steward_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 200);
    assert_eq!(body["status_text"], "OK");
    assert_eq!(body["role"], "Super Admin");
    assert_eq!(body["provider"], "email");
    assert_eq!(body["verified"], true);
    assert_eq!(body["sign_in_count"], 1);
    assert_eq!(body["organization"]["name"], "Steward");
    assert!(body["token"].as_str().unwrap().len() >= 40);

    // The username works as well as the email, and the alias path too.
    let by_username = app
        .client
        .post(app.url("/v2/auth/sign_in"))
        .json(&json!({"username": "root", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(by_username.status(), 200);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_indistinguishable() {
    let app = spawn_app().await;
    let wrong = assert_error(app.sign_in(ADMIN_EMAIL, "not the password").await, 401).await;
    let unknown = assert_error(
        app.sign_in("nobody@steward.test", "not the password").await,
        401,
    )
    .await;
    assert_eq!(wrong["message"], unknown["message"]);
    // Only a hash is stored, never the token.
    let token = app.admin_token().await;
    let stored: i64 = app
        .db
        .fetch_count(
            &app::server::db::Sql::new("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
                .bind(token.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn bad_sign_in_requests_are_4xx_with_the_error_body() {
    let app = spawn_app().await;
    let malformed = app
        .client
        .post(app.url("/auth/sign_in"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_error(malformed, 400).await;
    let wrong_type = app
        .client
        .post(app.url("/auth/sign_in"))
        .body("username=a&password=b")
        .send()
        .await
        .unwrap();
    assert_error(wrong_type, 415).await;
    let blank = assert_error(app.sign_in("", "").await, 422).await;
    assert_eq!(blank["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn tokens_are_required_checked_and_revoked_by_sign_out() {
    let app = spawn_app().await;
    assert_error(
        app.client
            .get(app.url("/v2/organizations"))
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    assert_error(app.get("/v2/organizations", "forged-token").await, 401).await;
    let odd_scheme = app
        .client
        .get(app.url("/v2/organizations"))
        .header("authorization", "Token abc")
        .send()
        .await
        .unwrap();
    assert_error(odd_scheme, 401).await;

    let token = app.admin_token().await;
    assert_eq!(app.get("/v2/organizations", &token).await.status(), 200);
    assert_eq!(app.delete("/auth/sign_out", &token).await.status(), 204);
    assert_error(app.get("/v2/organizations", &token).await, 401).await;
}

#[tokio::test]
async fn sessions_expire_when_idle() {
    let app = spawn_app_with(|c| c.session_idle_timeout = std::time::Duration::from_secs(1)).await;
    let token = app.admin_token().await;
    assert_eq!(app.get("/v2/organizations", &token).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_error(app.get("/v2/organizations", &token).await, 401).await;
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_in_parallel() {
    let app = spawn_app_with(|c| c.lockout_attempts = 3).await;
    let attempts = (0..6).map(|_| app.sign_in(ADMIN_EMAIL, "wrong password"));
    for response in futures::future::join_all(attempts).await {
        assert_eq!(response.status(), 401);
    }
    let failed: i64 = app
        .db
        .fetch_count(
            &app::server::db::Sql::new("SELECT failed_attempts FROM users WHERE email = $1")
                .bind(ADMIN_EMAIL),
        )
        .await
        .unwrap();
    assert!(
        (3..=6).contains(&failed),
        "parallel failures were counted atomically: {failed}"
    );
    let locked = assert_error(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await, 401).await;
    assert!(locked["message"].as_str().unwrap().contains("locked"));
    let audited = app
        .db
        .fetch_count(&app::server::db::Sql::new(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'user.locked'",
        ))
        .await
        .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn failed_sign_ins_are_rate_limited_per_address() {
    let app = spawn_app_with(|c| c.sign_in_rate_limit = 2).await;
    for _ in 0..2 {
        assert_eq!(app.sign_in("nobody@steward.test", "x").await.status(), 401);
    }
    assert_error(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await, 429).await;
}

#[tokio::test]
async fn the_instance_api_key_is_enforced_when_configured() {
    let app = spawn_app_with(|c| c.api_key = Some("instance-key".into())).await;
    assert_error(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await, 401).await;
    let response = app
        .client
        .post(app.url("/auth/sign_in"))
        .header("x-api-key", "instance-key")
        .json(&json!({"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // The pages don't need the key.
    assert_eq!(
        app.client
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn cookie_authenticated_changes_need_a_same_origin_request() {
    let app = spawn_app().await;
    let cookie = app.admin_session_cookie().await;
    let cross_site = app
        .client
        .delete(app.url("/auth/sign_out"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_error(cross_site, 403).await;
    let no_origin = app
        .client
        .delete(app.url("/auth/sign_out"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_error(no_origin, 403).await;
    let host = app.address.trim_start_matches("http://").to_string();
    let same_origin = app
        .client
        .delete(app.url("/auth/sign_out"))
        .header("cookie", &cookie)
        .header("origin", format!("http://{host}"))
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), 204);
}

#[tokio::test]
async fn the_ui_sign_in_form_sets_the_cookie_and_redirects() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/sign_in"))
        .header("accept", "text/html")
        .form(&[
            ("username", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
            ("next", "/organizations"),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/organizations");
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("steward_session="));

    let failed = app
        .client
        .post(app.url("/api/sign_in"))
        .header("accept", "text/html")
        .form(&[
            ("username", ADMIN_EMAIL),
            ("password", "nope"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.headers()["location"], "/login?error=invalid");
    assert!(!failed.headers().contains_key("set-cookie"));
}
