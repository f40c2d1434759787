//! Two-factor authentication (issue 8): TOTP and SMS set-up, the second step of sign-in with a
//! code or a recovery code, and everything a wrong, reused, forged or parallel attempt does.

use crate::helpers::{assert_error, spawn_app, spawn_app_with, TestApp, USER_PASSWORD};
use app::domain::Role;
use app::server::auth::totp;
use app::server::db::Sql;
use serde_json::{json, Value};

const EMAIL: &str = "ann@alpha.example";

/// A User of a fresh organization and their session token.
async fn user(app: &TestApp) -> String {
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, EMAIL, Role::User).await;
    app.token_for(EMAIL, USER_PASSWORD).await
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Turns TOTP on the way an authenticator app would: reads the secret, answers its code. Answers
/// the secret, the step that code used, and the recovery codes.
async fn turn_on_totp(app: &TestApp, token: &str) -> (Vec<u8>, i64, Vec<String>) {
    let setup: Value = app
        .post_json("/v2/user/2fa/enable", token, &json!({"method": "totp"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = totp::decode_secret(setup["secret"].as_str().unwrap()).unwrap();
    assert!(setup["otpauth_url"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Steward:ann%40alpha.example?secret="));
    let step = totp::step_at(now_secs());
    let response = app
        .post_json(
            "/v2/user/2fa/verify",
            token,
            &json!({"otp_attempt": totp::code_for_step(&secret, step)}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (secret, step, codes)
}

/// The first step for a user with 2FA: no token, the state.
async fn first_step(app: &TestApp) -> String {
    let response = app.sign_in(EMAIL, USER_PASSWORD).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no session yet"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["otp_required"], true, "{body}");
    assert!(body.get("token").is_none());
    body["otp_session_state"].as_str().unwrap().to_string()
}

async fn check_2fa_with(app: &TestApp, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/auth/check_2fa"))
        .json(&json!({"username": EMAIL, "password": password}))
        .send()
        .await
        .unwrap()
}

/// What `check_2fa` says of the user with their right password.
async fn check_2fa(app: &TestApp) -> Value {
    check_2fa_with(app, USER_PASSWORD)
        .await
        .json()
        .await
        .unwrap()
}

async fn second_step(app: &TestApp, state: &str, code: &str) -> reqwest::Response {
    app.client
        .post(app.url("/auth/sign_in"))
        .json(&json!({"otp_session_state": state, "otp_attempt": code}))
        .send()
        .await
        .unwrap()
}

async fn with_recovery_code(app: &TestApp, state: &str, code: &str) -> reqwest::Response {
    app.client
        .post(app.url("/auth/sign_in/recovery_code"))
        .json(&json!({"otp_session_state": state, "recovery_code": code}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn totp_turns_on_with_its_first_code_and_sign_in_then_asks_for_a_fresh_one() {
    let app = spawn_app().await;
    let token = user(&app).await;
    // Verifying before any set-up, and a wrong code, change nothing.
    assert_error(
        app.post_json(
            "/v2/user/2fa/verify",
            &token,
            &json!({"otp_attempt": "123456"}),
        )
        .await,
        422,
    )
    .await;
    let setup: Value = app
        .post_json("/v2/user/2fa/enable", &token, &json!({"method": "totp"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = totp::decode_secret(setup["secret"].as_str().unwrap()).unwrap();
    let wrong = totp::code_for_step(&secret, totp::step_at(now_secs()) + 5);
    let body = assert_error(
        app.post_json(
            "/v2/user/2fa/verify",
            &token,
            &json!({"otp_attempt": wrong}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "otp_attempt");
    let me: Value = app.get("/v2/user/me", &token).await.json().await.unwrap();
    assert_eq!(
        me["data"]["attributes"]["two_factor_authentication"]["enabled"],
        false
    );
    assert!(app
        .sign_in(EMAIL, USER_PASSWORD)
        .await
        .json::<Value>()
        .await
        .unwrap()["token"]
        .is_string());

    let step = totp::step_at(now_secs());
    let response = app
        .post_json(
            "/v2/user/2fa/verify",
            &token,
            &json!({"otp_attempt": totp::code_for_step(&secret, step)}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let codes: Value = response.json().await.unwrap();
    assert_eq!(codes["recovery_codes"].as_array().unwrap().len(), 10);
    let me: Value = app.get("/v2/user/me", &token).await.json().await.unwrap();
    let tfa = &me["data"]["attributes"]["two_factor_authentication"];
    assert_eq!(tfa["enabled"], true);
    assert_eq!(tfa["otp_totp_enabled"], true);
    assert_eq!(tfa["otp_default_method"], "totp");
    assert_eq!(app.audited("user.2fa_enabled").await, 1);

    // The seed is sealed at rest: the database alone doesn't give it away.
    let (stored,): (Option<String>,) = app
        .db
        .fetch_optional(&Sql::new("SELECT otp_secret FROM users WHERE email = $1").bind(EMAIL))
        .await
        .unwrap()
        .unwrap();
    let stored = stored.unwrap();
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(!stored.contains(setup["secret"].as_str().unwrap()));

    // Signing in asks for the code; the one used to turn TOTP on can't be used again.
    let check = check_2fa(&app).await;
    assert_eq!(
        check,
        json!({"two_factor_enabled": true, "otp_default_method": "totp"})
    );
    let state = first_step(&app).await;
    assert_error(
        second_step(&app, &state, &totp::code_for_step(&secret, step)).await,
        401,
    )
    .await;
    let next = totp::code_for_step(&secret, step + 1);
    let response = second_step(&app, &state, &next).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("set-cookie").is_some());
    let signed_in: Value = response.json().await.unwrap();
    let session = signed_in["token"].as_str().unwrap();
    assert_eq!(app.get("/v2/user/me", session).await.status(), 200);
    // The state is spent, and the code too, even with a new state.
    assert_error(second_step(&app, &state, &next).await, 401).await;
    let state = first_step(&app).await;
    assert_error(second_step(&app, &state, &next).await, 401).await;
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let app = spawn_app().await;
    let token = user(&app).await;
    let (_, _, codes) = turn_on_totp(&app, &token).await;
    assert_eq!(codes.len(), 10);
    assert!(
        codes.iter().all(|c| c.len() == 11 && &c[5..6] == "-"),
        "{codes:?}"
    );
    let remaining: Value = app
        .get("/v2/user/2fa/recovery_codes", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(remaining, json!({"remaining": 10}));

    let state = first_step(&app).await;
    // Typed in capitals with spaces: still the code.
    let typed = format!(" {} ", codes[3].to_uppercase());
    let response = with_recovery_code(&app, &state, &typed).await;
    assert_eq!(response.status(), 200);
    let state = first_step(&app).await;
    assert_error(with_recovery_code(&app, &state, &codes[3]).await, 401).await;
    let remaining: Value = app
        .get("/v2/user/2fa/recovery_codes", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(remaining, json!({"remaining": 9}));

    // A new set replaces the old one.
    let fresh: Value = app
        .post_json("/v2/user/2fa/recovery_codes", &token, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let fresh = fresh["recovery_codes"][0].as_str().unwrap().to_string();
    assert_error(with_recovery_code(&app, &state, &codes[4]).await, 401).await;
    assert_eq!(with_recovery_code(&app, &state, &fresh).await.status(), 200);
}

#[tokio::test]
async fn parallel_uses_of_one_recovery_code_sign_in_once() {
    let app = spawn_app().await;
    let token = user(&app).await;
    let (_, _, codes) = turn_on_totp(&app, &token).await;
    let state = first_step(&app).await;
    let attempts = (0..12).map(|_| with_recovery_code(&app, &state, &codes[0]));
    let statuses: Vec<u16> = futures::future::join_all(attempts)
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
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn wrong_second_factors_count_toward_the_lockout_even_in_a_burst() {
    let app = spawn_app_with(|config| config.lockout_attempts = 5).await;
    let token = user(&app).await;
    let (secret, step, _) = turn_on_totp(&app, &token).await;
    let state = first_step(&app).await;
    // 30 parallel wrong codes (never six digits of the right one: letters).
    let burst = (0..30).map(|_| second_step(&app, &state, "abcdef"));
    let statuses: Vec<u16> = futures::future::join_all(burst)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    let (failed,): (i64,) = app
        .db
        .fetch_optional(&Sql::new("SELECT failed_attempts FROM users WHERE email = $1").bind(EMAIL))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed, 5, "exactly the threshold got counted");
    assert_eq!(app.audited("user.2fa_failed").await, 4);
    assert_eq!(app.audited("user.locked").await, 1);
    // Locked: the right code gets the same answer as a wrong one, and the password too.
    let body = assert_error(
        second_step(&app, &state, &totp::code_for_step(&secret, step + 1)).await,
        401,
    )
    .await;
    assert_eq!(
        body["message"],
        app::server::services::auth::INVALID_SECOND_FACTOR
    );
    assert_error(app.sign_in(EMAIL, USER_PASSWORD).await, 401).await;
}

#[tokio::test]
async fn forged_blank_and_foreign_states_are_refused() {
    let app = spawn_app().await;
    let token = user(&app).await;
    let (secret, step, _) = turn_on_totp(&app, &token).await;
    let code = totp::code_for_step(&secret, step + 1);
    for forged in ["forged", "x\u{0}y", &"a".repeat(5000), "ü🦀"] {
        assert_error(second_step(&app, forged, &code).await, 401).await;
    }
    let body = assert_error(second_step(&app, "", "").await, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["otp_session_state", "otp_attempt"]);
    // A newer sign-in replaces the state of an older one.
    let older = first_step(&app).await;
    let newer = first_step(&app).await;
    assert_error(second_step(&app, &older, &code).await, 401).await;
    assert_eq!(second_step(&app, &newer, &code).await.status(), 200);
    // An expired state.
    let state = first_step(&app).await;
    app.db
        .execute(
            &Sql::new("UPDATE user_tokens SET expires_at = $1 WHERE purpose = 'otp_session'")
                .bind(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .await
        .unwrap();
    assert_error(
        second_step(&app, &state, &totp::code_for_step(&secret, step + 2)).await,
        401,
    )
    .await;
    // Bad bodies of the set-up endpoints.
    let body = assert_error(
        app.post_json(
            "/v2/user/2fa/enable",
            &token,
            &json!({"method": "carrier pigeon"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "method");
    assert_error(
        app.post_json("/v2/user/2fa/enable", &token, &json!({}))
            .await,
        422,
    )
    .await;
    let body = assert_error(
        app.put_json(
            "/v2/user/2fa/default_method",
            &token,
            &json!({"method": "sms"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "method");
}

#[tokio::test]
async fn turning_2fa_off_needs_the_password_and_tells_the_user_when_the_policy_says_so() {
    let app = spawn_app().await;
    let token = user(&app).await;
    let root = app.admin_token().await;
    assert_eq!(
        app.put_json(
            "/admin/v1/policies/notification",
            &root,
            &json!({"secondFactorRemoved": true})
        )
        .await
        .status(),
        200
    );
    turn_on_totp(&app, &token).await;
    let emails_before = app.emails_to(EMAIL).await;
    let body = assert_error(
        app.client
            .delete(app.url("/v2/user/2fa"))
            .bearer_auth(&token)
            .json(&json!({"password": "not my password"}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "password");
    let off = app
        .client
        .delete(app.url("/v2/user/2fa"))
        .bearer_auth(&token)
        .json(&json!({"password": USER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 204);
    assert_eq!(app.audited("user.2fa_disabled").await, 1);
    assert_eq!(app.emails_to(EMAIL).await, emails_before + 1);
    assert_eq!(app.count("recovery_codes").await, 0);
    // Signing in takes only the password again.
    let signed_in: Value = app
        .sign_in(EMAIL, USER_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    assert!(signed_in["token"].is_string(), "{signed_in}");
    // Off already: a clear 422.
    assert_error(
        app.client
            .delete(app.url("/v2/user/2fa"))
            .bearer_auth(&token)
            .json(&json!({"password": USER_PASSWORD}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
}

/// The newest text to `phone`, and the code in it.
async fn texted_code(app: &TestApp, phone: &str) -> String {
    let (body,): (String,) = app
        .db
        .fetch_optional(
            &Sql::new(
                "SELECT body_text FROM outbox_messages WHERE channel = 'sms' AND recipient = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT 1",
            )
            .bind(phone),
        )
        .await
        .unwrap()
        .expect("a text in the outbox");
    body.chars().take(6).collect()
}

#[tokio::test]
async fn sms_codes_go_through_the_outbox_for_set_up_and_sign_in() {
    let app = spawn_app().await;
    let token = user(&app).await;
    let body = assert_error(
        app.post_json(
            "/v2/user/2fa/enable",
            &token,
            &json!({"method": "sms", "phone": "555-0100"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "phone");
    assert_eq!(app.count("outbox_messages").await, 0);
    let response = app
        .post_json(
            "/v2/user/2fa/enable",
            &token,
            &json!({"method": "sms", "phone": "+1 555 010 4567"}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let phone = "+15550104567";
    let code = texted_code(&app, phone).await;
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    let response = app
        .post_json("/v2/user/2fa/verify", &token, &json!({"otp_attempt": code}))
        .await;
    assert_eq!(response.status(), 200);
    let me: Value = app.get("/v2/user/me", &token).await.json().await.unwrap();
    let tfa = &me["data"]["attributes"]["two_factor_authentication"];
    assert_eq!(tfa["otp_sms_enabled"], true);
    assert_eq!(tfa["otp_default_method"], "sms");

    // Sign-in texts a code at once; asking again sends a new one and only that one works.
    let response = app.sign_in(EMAIL, USER_PASSWORD).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["otp_default_method"], "sms");
    let state = body["otp_session_state"].as_str().unwrap().to_string();
    let first = texted_code(&app, phone).await;
    let resend = app
        .client
        .post(app.url("/auth/send_sms_otp"))
        .json(&json!({"otp_session_state": state}))
        .send()
        .await
        .unwrap();
    assert_eq!(resend.status(), 204);
    let second = texted_code(&app, phone).await;
    if first != second {
        assert_error(second_step(&app, &state, &first).await, 401).await;
    }
    assert_eq!(second_step(&app, &state, &second).await.status(), 200);
    // A forged state texts nobody.
    let texts = app.count("outbox_messages").await;
    let forged = app
        .client
        .post(app.url("/auth/send_sms_otp"))
        .json(&json!({"otp_session_state": "forged"}))
        .send()
        .await
        .unwrap();
    assert_error(forged, 401).await;
    assert_eq!(app.count("outbox_messages").await, texts);
}

#[tokio::test]
async fn texts_are_limited_per_user() {
    let app = spawn_app().await;
    let token = user(&app).await;
    let body = json!({"method": "sms", "phone": "+15550104567"});
    let sends = (0..8).map(|_| app.post_json("/v2/user/2fa/enable", &token, &body));
    let statuses: Vec<u16> = futures::future::join_all(sends)
        .await
        .into_iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 202).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        3,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn the_default_method_is_one_that_is_on() {
    let app = spawn_app().await;
    let token = user(&app).await;
    turn_on_totp(&app, &token).await;
    app.post_json(
        "/v2/user/2fa/enable",
        &token,
        &json!({"method": "sms", "phone": "+15550104567"}),
    )
    .await;
    let code = texted_code(&app, "+15550104567").await;
    assert_eq!(
        app.post_json("/v2/user/2fa/verify", &token, &json!({"otp_attempt": code}))
            .await
            .status(),
        200
    );
    // TOTP came first and stays the default until the user says otherwise.
    let check = check_2fa(&app).await;
    assert_eq!(check["otp_default_method"], "totp");
    assert_eq!(
        app.put_json(
            "/v2/user/2fa/default_method",
            &token,
            &json!({"method": "sms"})
        )
        .await
        .status(),
        200
    );
    let check = check_2fa(&app).await;
    assert_eq!(
        check,
        json!({"two_factor_enabled": true, "otp_default_method": "sms"})
    );
    // check_2fa checks the password like a sign-in.
    assert_error(check_2fa_with(&app, "nope").await, 401).await;
}

/// The browser's way: the login form, then the second step's form, both plain posts.
#[tokio::test]
async fn the_login_page_asks_for_the_code_after_the_password() {
    let app = spawn_app().await;
    let token = user(&app).await;
    let (secret, step, _) = turn_on_totp(&app, &token).await;
    let response = app
        .post_page_form(
            "/api/sign_in",
            "",
            &[
                ("username", EMAIL),
                ("password", USER_PASSWORD),
                ("next", "/users"),
            ],
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"],
        "/login?step=totp&next=%2Fusers"
    );
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        !cookies.iter().any(|c| c.starts_with("steward_session=")),
        "{cookies:?}"
    );
    let state_cookie = cookies
        .iter()
        .find(|c| c.starts_with("steward_otp_state="))
        .expect("the state waits in a cookie");
    assert!(state_cookie.contains("HttpOnly"));
    let cookie = state_cookie.split(';').next().unwrap().to_string();

    let page = app
        .page_html("/login?step=totp&next=%2Fusers", &cookie)
        .await;
    assert!(
        page.contains("Authentication code") && page.contains("Use a recovery code"),
        "{page}"
    );
    // Only the user's own methods: no text messages for this one, even when asked for.
    assert!(!page.contains("Use a text message"), "{page}");
    let asked_for_sms = app.page_html("/login?step=sms", &cookie).await;
    assert!(
        asked_for_sms.contains("Authentication code")
            && !asked_for_sms.contains("Code from the text message"),
        "{asked_for_sms}"
    );
    // Without the state, the step starts over instead of asking for a code.
    let lost = app.page_html("/login?step=totp", "").await;
    assert!(
        lost.contains("That sign-in has expired") && !lost.contains("Authentication code"),
        "{lost}"
    );

    let wrong = app
        .post_page_form(
            "/api/sign_in/second_factor",
            &cookie,
            &[
                ("otp_attempt", "000000x"),
                ("step", "totp"),
                ("next", "/users"),
            ],
        )
        .await;
    assert_eq!(
        wrong.headers()["location"],
        "/login?step=totp&error=otp_invalid&next=%2Fusers"
    );
    let code = totp::code_for_step(&secret, step + 1);
    let right = app
        .post_page_form(
            "/api/sign_in/second_factor",
            &cookie,
            &[
                ("otp_attempt", code.as_str()),
                ("step", "totp"),
                ("next", "/users"),
            ],
        )
        .await;
    assert_eq!(right.headers()["location"], "/users");
    assert!(right.headers().get_all("set-cookie").iter().any(|v| v
        .to_str()
        .unwrap()
        .starts_with("steward_session=")
        && !v.to_str().unwrap().starts_with("steward_session=;")));
    // Without the cookie there is nothing to finish: back to the first step.
    let lost = app
        .post_page_form(
            "/api/sign_in/second_factor",
            "",
            &[("otp_attempt", "123456")],
        )
        .await;
    assert_eq!(lost.headers()["location"], "/login?error=otp_expired");
}

/// The set-cookie values of a response.
fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

/// `/me/security`'s card without JavaScript: the set-up lands back on the page with the QR code
/// and the key, the first code turns it on, and the recovery codes ride a short-lived cookie to
/// the page, shown once (never in the URL); a forged cookie shows nothing. Cancel drops a set-up.
/// A foreign `Origin` is refused and changes nothing.
#[tokio::test]
async fn the_security_card_works_as_plain_form_posts_and_shows_the_codes_once() {
    let app = spawn_app().await;
    let cookie = app.admin_session_cookie().await;

    let from_elsewhere = app
        .client
        .post(app.url("/api/me/two_factor/totp"))
        .header("accept", "text/html")
        .header("origin", "http://evil.example")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(from_elsewhere.status(), 403);
    let html = app.page_html("/me/security", &cookie).await;
    assert!(html.contains("Set up an authenticator app") && !html.contains("Set-up key"));

    // Started, then cancelled: back to where it was.
    let response = app
        .post_page_form("/api/me/two_factor/totp", &cookie, &[])
        .await;
    assert_eq!(response.status(), 302);
    let html = app.page_html("/me/security", &cookie).await;
    assert!(
        html.contains("Set-up key") && html.contains("<svg"),
        "{html}"
    );
    let response = app
        .post_page_form("/api/me/two_factor/cancel", &cookie, &[])
        .await;
    assert_eq!(response.status(), 302);
    assert!(!app
        .page_html("/me/security", &cookie)
        .await
        .contains("Set-up key"));

    app.post_page_form("/api/me/two_factor/totp", &cookie, &[])
        .await;
    let html = app.page_html("/me/security", &cookie).await;
    let key = html
        .split("id=\"totp-secret\"")
        .nth(1)
        .and_then(|rest| rest.split("value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the set-up key is on the page")
        .to_string();
    let secret = totp::decode_secret(&key).unwrap();
    let code = totp::code_for_step(&secret, totp::step_at(now_secs()));
    let response = app
        .post_page_form(
            "/api/me/two_factor/confirm",
            &cookie,
            &[("otp_attempt", &code)],
        )
        .await;
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("/me/security?notice=two_factor_enabled"),
        "{location}"
    );
    let handed = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("steward_issued_codes="))
        .expect("the codes ride a cookie to the page");
    assert!(handed.contains("HttpOnly") && handed.contains("Path=/me/security"));
    let value = handed
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("steward_issued_codes=")
        .to_string();
    let codes: Vec<&str> = value.split('.').collect();
    assert_eq!(codes.len(), 10);
    assert!(!location.contains(codes[0]), "never in the URL");

    // The page shows them once and takes the cookie away; the count stays.
    let page = app
        .client
        .get(app.url(&location))
        .header("accept", "text/html")
        .header("cookie", format!("{cookie}; steward_issued_codes={value}"))
        .send()
        .await
        .unwrap();
    assert!(set_cookies(&page)
        .iter()
        .any(|c| c.starts_with("steward_issued_codes=;")));
    let html = page.text().await.unwrap();
    assert!(codes.iter().all(|code| html.contains(code)), "shown once");
    assert!(html.contains("10 of 10"));
    let forged = app
        .page_html(
            "/me/security",
            &format!("{cookie}; steward_issued_codes=aaaaa-aaaaa.{}", codes[0]),
        )
        .await;
    assert!(
        !forged.contains("aaaaa-aaaaa"),
        "a made-up code is not shown"
    );
    assert!(forged.contains(codes[0]), "a real unused one is");

    // Spent at sign-in, it is no longer shown even from the cookie.
    let state = {
        let body: Value = app
            .sign_in(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
            .await
            .json()
            .await
            .unwrap();
        body["otp_session_state"].as_str().unwrap().to_string()
    };
    assert_eq!(
        with_recovery_code(&app, &state, codes[0]).await.status(),
        200
    );
    let html = app
        .page_html(
            "/me/security",
            &format!("{cookie}; steward_issued_codes={}", codes[0]),
        )
        .await;
    assert!(!html.contains(codes[0]));
    assert!(html.contains("9 of 10"));
}
