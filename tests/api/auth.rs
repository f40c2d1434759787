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

/// Failed attempts that got as far as a password check (the reservation admitted them).
async fn checked_failures(app: &crate::helpers::TestApp) -> i64 {
    app.audited("user.sign_in_failed").await + app.audited("user.locked").await
}

#[tokio::test]
async fn a_parallel_burst_gets_no_more_guesses_than_the_lockout_allows() {
    // Lock at 10 (the default); the per-address limit out of the way.
    let app = spawn_app_with(|c| c.sign_in_rate_limit = 1_000).await;
    let burst = (0..30).map(|_| app.sign_in(ADMIN_EMAIL, "wrong password"));
    let wrong_message = json!(crate::helpers::INVALID_CREDENTIALS);
    for response in futures::future::join_all(burst).await {
        let body = assert_error(response, 401).await;
        assert_eq!(body["message"], wrong_message);
    }
    assert_eq!(
        checked_failures(&app).await,
        10,
        "only ten guesses were checked"
    );
    assert_eq!(app.audited("user.locked").await, 1);

    // Locked: the right password reads exactly like a wrong one.
    let right = assert_error(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await, 401).await;
    let wrong = assert_error(app.sign_in(ADMIN_EMAIL, "another guess").await, 401).await;
    assert_eq!(right, wrong);
    assert_eq!(
        checked_failures(&app).await,
        10,
        "a locked account checks nothing"
    );
}

#[tokio::test]
async fn the_right_password_hidden_in_a_burst_gets_no_extra_chances() {
    let app = spawn_app_with(|c| c.sign_in_rate_limit = 1_000).await;
    for _ in 0..9 {
        assert_error(app.sign_in(ADMIN_EMAIL, "wrong password").await, 401).await;
    }
    // 39 wrong and the right one at once: only one attempt is left before the lock.
    let mut attempts: Vec<_> = (0..39)
        .map(|_| app.sign_in(ADMIN_EMAIL, "wrong password"))
        .collect();
    attempts.insert(20, app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    let signed_in = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        40 - signed_in
    );
    let checked = checked_failures(&app).await;
    if signed_in == 1 {
        // The right password took the last slot: no wrong one was checked after the nine.
        assert_eq!(checked, 9);
    } else {
        // A wrong one took it: the account is locked, the right password is refused.
        assert_eq!(checked, 10);
        assert_eq!(app.audited("user.locked").await, 1);
        assert_error(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await, 401).await;
    }
}

#[tokio::test]
async fn a_parallel_burst_from_one_address_meets_the_rate_limit() {
    // Limit 60 per window; the lockout out of the way (unknown accounts anyway).
    let app = spawn_app().await;
    let burst = (0..80).map(|i| app.sign_in_owned(format!("nobody{i}@steward.test"), "x"));
    let responses = futures::future::join_all(burst).await;
    let mut unauthorized = 0;
    let mut limited = 0;
    for response in responses {
        match response.status().as_u16() {
            401 => unauthorized += 1,
            429 => {
                let retry_after: u64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(
                    (1..=300).contains(&retry_after),
                    "Retry-After {retry_after}"
                );
                assert_error(response, 429).await;
                limited += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((unauthorized, limited), (60, 20));
}

#[tokio::test]
async fn successful_sign_ins_do_not_use_up_the_address_limit() {
    let app = spawn_app_with(|c| c.sign_in_rate_limit = 2).await;
    assert_error(app.sign_in(ADMIN_EMAIL, "wrong").await, 401).await;
    for _ in 0..3 {
        assert_eq!(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), 200);
    }
    assert_error(app.sign_in(ADMIN_EMAIL, "wrong").await, 401).await;
    assert_error(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await, 429).await;
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
async fn control_characters_in_a_username_are_a_422() {
    let app = spawn_app().await;
    let body = assert_error(app.sign_in("root\u{0}@steward.test", "x").await, 422).await;
    assert_eq!(body["errors"][0]["field"], "username");
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
        .post_page_form(
            "/api/sign_in",
            "",
            &[
                ("username", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("next", "/organizations"),
            ],
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/organizations");
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("steward_session="));

    let failed = app
        .post_page_form(
            "/api/sign_in",
            "",
            &[
                ("username", ADMIN_EMAIL),
                ("password", "nope"),
                ("next", ""),
            ],
        )
        .await;
    // Back to the form, keeping what was typed but never the password.
    assert_eq!(
        failed.headers()["location"],
        "/login?error=invalid&username=root%40steward.test"
    );
    assert!(!failed.headers().contains_key("set-cookie"));
}

#[tokio::test]
async fn the_sign_in_form_refuses_foreign_pages_and_schemes() {
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_string();
    let form = [
        ("username", ADMIN_EMAIL),
        ("password", ADMIN_PASSWORD),
        ("next", "/"),
    ];
    for origin in [
        "http://evil.example".to_string(),
        format!("https://{host}"),
        format!("http://{host}.evil.example"),
    ] {
        let response = app
            .client
            .post(app.url("/api/sign_in"))
            .header("origin", &origin)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(!response.headers().contains_key("set-cookie"), "{origin}");
        assert_error(response, 403).await;
    }
    // A script without any Origin is no page of ours either.
    let no_origin = app
        .client
        .post(app.url("/api/sign_in"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_error(no_origin, 403).await;
    // Browsers that send Fetch Metadata instead are fine.
    let fetch_metadata = app
        .client
        .post(app.url("/api/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(fetch_metadata.headers().contains_key("set-cookie"));
}

#[tokio::test]
async fn with_an_api_key_the_server_functions_are_no_way_around_it() {
    let app = spawn_app_with(|c| c.api_key = Some("instance-key".into())).await;
    let form = [("username", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)];
    let scripted = app
        .client
        .post(app.url("/api/sign_in"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(!scripted.headers().contains_key("set-cookie"));
    assert_error(scripted, 403).await;
    // The browser's own sign-in still works, and its cookie opens the pages, not /v2.
    let page = app.post_page_form("/api/sign_in", "", &form).await;
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let list = app
        .client
        .post(app.url("/api/organizations/list"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_error(list, 403).await;
    let v2 = app
        .client
        .get(app.url("/v2/organizations"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_error(v2, 401).await;
}

#[tokio::test]
async fn an_admin_unlocks_a_locked_user_and_only_their_own() {
    use crate::helpers::USER_PASSWORD;
    use app::domain::Role;

    let app = spawn_app_with(|c| c.sign_in_rate_limit = 1_000).await;
    let root = app.admin_token().await;
    let alpha = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    let beta = app
        .create_organization(&root, json!({"name": "Beta", "company_name": "Beta Ltd"}))
        .await;
    let locked = app
        .add_user(&alpha, "locked@alpha.example", Role::User)
        .await;
    app.add_user(&alpha, "admin@alpha.example", Role::Admin)
        .await;
    app.add_user(&beta, "admin@beta.example", Role::Admin).await;
    app.add_user(&alpha, "colleague@alpha.example", Role::User)
        .await;
    let alpha_admin = app.token_for("admin@alpha.example", USER_PASSWORD).await;
    let beta_admin = app.token_for("admin@beta.example", USER_PASSWORD).await;
    let colleague = app
        .token_for("colleague@alpha.example", USER_PASSWORD)
        .await;

    for _ in 0..10 {
        assert_error(
            app.sign_in("locked@alpha.example", "wrong password").await,
            401,
        )
        .await;
    }
    assert_error(
        app.sign_in("locked@alpha.example", USER_PASSWORD).await,
        401,
    )
    .await;
    let path = format!("/v2/users/{locked}");
    let shown: Value = app.get(&path, &alpha_admin).await.json().await.unwrap();
    assert!(
        shown["data"]["attributes"]["locked_until"].is_string(),
        "{shown}"
    );
    let version = shown["data"]["attributes"]["updated_at"].clone();

    // Nobody else: neither another organization's Admin nor a colleague sees them.
    let unlock = format!("/v2/users/{locked}/unlock");
    assert_error(app.put_json(&unlock, &beta_admin, &json!({})).await, 404).await;
    assert_error(app.put_json(&unlock, &colleague, &json!({})).await, 404).await;
    assert_error(
        app.sign_in("locked@alpha.example", USER_PASSWORD).await,
        401,
    )
    .await;
    assert_eq!(app.audited("user.unlock").await, 0);

    let response = app.put_json(&unlock, &alpha_admin, &json!({})).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("etag"));
    let shown: Value = app.get(&path, &alpha_admin).await.json().await.unwrap();
    assert!(
        shown["data"]["attributes"]["locked_until"].is_null(),
        "{shown}"
    );
    assert_ne!(shown["data"]["attributes"]["updated_at"], version);
    assert_eq!(app.audited("user.unlock").await, 1);
    let event: Value = app
        .get("/v2/audit/events?q[action]=user.unlock", &alpha_admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        event["data"][0]["attributes"]["target_id"],
        json!(locked),
        "{event}"
    );
    assert!(
        event["data"][0]["attributes"]["changes"]["locked_until"]["to"].is_null(),
        "{event}"
    );

    // The count of failures starts again: nine more wrong ones don't lock them.
    for _ in 0..9 {
        assert_error(
            app.sign_in("locked@alpha.example", "wrong password").await,
            401,
        )
        .await;
    }
    assert_eq!(
        app.sign_in("locked@alpha.example", USER_PASSWORD)
            .await
            .status(),
        200
    );

    // Not locked: a second unlock changes nothing and records nothing.
    assert_eq!(
        app.put_json(&unlock, &alpha_admin, &json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(app.audited("user.unlock").await, 1);
}
