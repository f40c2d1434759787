//! The notification policy through ZITADEL's management API (API.md §7): create-or-update,
//! reset to the instance default, the default itself, `x-zitadel-orgid`, the growing sequence and
//! ZITADEL's error shape.

use crate::helpers::{spawn_app, spawn_app_with, TestApp, USER_PASSWORD};
use app::domain::Role;
use serde_json::{json, Value};

const POLICY: &str = "/management/v1/policies/notification";

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    org: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(org) = org {
        request = request.header("x-zitadel-orgid", org);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// ZITADEL's error: `{"code", "message", "details": []}` and nothing of the §1 body.
fn assert_zitadel_error(body: &Value, code: i64) {
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(body["details"], json!([]));
    assert!(
        body.get("status_text").is_none(),
        "not the /v2 error body: {body}"
    );
}

#[tokio::test]
async fn an_admin_sets_resets_and_reads_the_policy_with_a_growing_sequence() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    let admin = app.token_for("admin@alpha.example", USER_PASSWORD).await;

    // Nothing set: the instance default, every trigger off.
    let (status, shown) = send(&app, reqwest::Method::GET, POLICY, &admin, None, None).await;
    assert_eq!(status, 200);
    assert_eq!(shown["policy"]["isDefault"], true);
    assert_eq!(shown["policy"]["passwordChange"], false);

    let (status, first) = send(
        &app,
        reqwest::Method::PUT,
        POLICY,
        &admin,
        None,
        Some(json!({"passwordChange": true})),
    )
    .await;
    assert_eq!(status, 200);
    let details = &first["details"];
    assert_eq!(details["resourceOwner"], org.as_str());
    assert!(details["creationDate"].as_str().unwrap().ends_with('Z'));
    let sequence = |v: &Value| {
        v["details"]["sequence"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let s1 = sequence(&first);

    let (_, shown) = send(&app, reqwest::Method::GET, POLICY, &admin, None, None).await;
    assert_eq!(shown["policy"]["isDefault"], false);
    assert_eq!(shown["policy"]["passwordChange"], true);
    assert_eq!(shown["policy"]["emailChange"], false);

    // POST is create-or-update too; left-out triggers are off.
    let (status, second) = send(
        &app,
        reqwest::Method::POST,
        POLICY,
        &admin,
        None,
        Some(json!({"accountLocked": true})),
    )
    .await;
    assert_eq!(status, 200);
    let s2 = sequence(&second);
    assert!(s2 > s1, "{s1} then {s2}");
    let (_, shown) = send(&app, reqwest::Method::GET, POLICY, &admin, None, None).await;
    assert_eq!(shown["policy"]["passwordChange"], false);
    assert_eq!(shown["policy"]["accountLocked"], true);

    // Back to the default, which a Super Admin sets for the instance.
    let (status, third) = send(&app, reqwest::Method::DELETE, POLICY, &admin, None, None).await;
    assert_eq!(status, 200);
    assert!(sequence(&third) > s2);
    let (status, again) = send(&app, reqwest::Method::DELETE, POLICY, &admin, None, None).await;
    assert_eq!(status, 404);
    assert_zitadel_error(&again, 5);
    let (status, _) = send(
        &app,
        reqwest::Method::PUT,
        "/admin/v1/policies/notification",
        &root,
        None,
        Some(json!({"passwordChange": true})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, shown) = send(&app, reqwest::Method::GET, POLICY, &admin, None, None).await;
    assert_eq!(shown["policy"]["isDefault"], true);
    assert_eq!(
        shown["policy"]["passwordChange"], true,
        "the default reaches it"
    );
    let (_, default) = send(
        &app,
        reqwest::Method::GET,
        "/management/v1/policies/default/notification",
        &admin,
        None,
        None,
    )
    .await;
    assert_eq!(default["policy"]["passwordChange"], true);
    assert_eq!(default["policy"]["details"]["resourceOwner"], "instance");
    assert_eq!(app.audited("notification_policy.update").await, 2);
    assert_eq!(app.audited("notification_policy.reset").await, 1);
    assert_eq!(app.audited("notification_policy.default_update").await, 1);
}

#[tokio::test]
async fn another_organization_by_header_and_every_refusal_in_zitadel_shape() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let alpha = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    let beta = app
        .create_organization(&root, json!({"name": "Beta", "company_name": "Beta Ltd"}))
        .await;
    app.add_user(&alpha, "admin@alpha.example", Role::Admin)
        .await;
    app.add_user(&alpha, "user@alpha.example", Role::User).await;
    let admin = app.token_for("admin@alpha.example", USER_PASSWORD).await;
    let user = app.token_for("user@alpha.example", USER_PASSWORD).await;
    let on = Some(json!({"passwordChange": true}));

    // A Super Admin administers any organization through the header.
    let (status, changed) = send(
        &app,
        reqwest::Method::PUT,
        POLICY,
        &root,
        Some(&beta),
        on.clone(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(changed["details"]["resourceOwner"], beta.as_str());

    for (token, org, body, status, code) in [
        // Another organization's Admin: permission denied.
        (admin.as_str(), Some(beta.as_str()), on.clone(), 403, 7),
        // An organization that doesn't exist.
        (
            root.as_str(),
            Some("6f1c0000-0000-4000-8000-000000000000"),
            on.clone(),
            404,
            5,
        ),
        (root.as_str(), Some("not-an-id"), on.clone(), 404, 5),
        // A User reads but doesn't change their organization's policy.
        (user.as_str(), None, on.clone(), 403, 7),
        // Bad bodies: invalid argument.
        (
            admin.as_str(),
            None,
            Some(json!({"passwordChange": "yes"})),
            400,
            3,
        ),
        (
            admin.as_str(),
            None,
            Some(json!({"smsChange": true})),
            400,
            3,
        ),
        (admin.as_str(), None, Some(json!([true])), 400, 3),
        // No credentials.
        ("not-a-token", None, on.clone(), 401, 16),
    ] {
        let (got, body) = send(&app, reqwest::Method::PUT, POLICY, token, org, body.clone()).await;
        assert_eq!(got, status, "{org:?} {body}");
        assert_zitadel_error(&body, code);
    }
    let (status, _) = send(&app, reqwest::Method::GET, POLICY, &user, None, None).await;
    assert_eq!(status, 200, "a User reads their own");
    let (status, body) = send(
        &app,
        reqwest::Method::PUT,
        "/admin/v1/policies/notification",
        &admin,
        None,
        on.clone(),
    )
    .await;
    assert_eq!(status, 403);
    assert_zitadel_error(&body, 7);
    let anonymous = app.client.get(app.url(POLICY)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_zitadel_error(&anonymous.json().await.unwrap(), 16);
    // Nothing changed by the refusals: Alpha still follows the (unset) default.
    let (_, shown) = send(&app, reqwest::Method::GET, POLICY, &admin, None, None).await;
    assert_eq!(shown["policy"]["isDefault"], true);
    assert_eq!(app.audited("notification_policy.update").await, 1);
}

#[tokio::test]
async fn a_password_change_emails_the_user_only_when_the_policy_says_so() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, "user@alpha.example", Role::User).await;
    let change = |token: String, from: &'static str, to: &'static str| {
        let app = &app;
        async move {
            let response = app
                .put_json(
                    "/v2/user/password",
                    &token,
                    &json!({"current_password": from, "password": to, "password_confirmation": to}),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    };
    // Off (nothing set anywhere): no email.
    let token = app.token_for("user@alpha.example", USER_PASSWORD).await;
    change(token, USER_PASSWORD, "second password 2").await;
    assert_eq!(app.emails_to("user@alpha.example").await, 0);
    assert_eq!(app.count("notifications").await, 0);

    // The instance default turns it on for every organization without its own policy.
    let (status, _) = send(
        &app,
        reqwest::Method::PUT,
        "/admin/v1/policies/notification",
        &root,
        None,
        Some(json!({"passwordChange": true})),
    )
    .await;
    assert_eq!(status, 200);
    let token = app
        .token_for("user@alpha.example", "second password 2")
        .await;
    change(token, "second password 2", "third password 3").await;
    assert_eq!(app.emails_to("user@alpha.example").await, 1);
    // ... and an in-app notification, in the user's own inbox.
    let token = app
        .token_for("user@alpha.example", "third password 3")
        .await;
    let inbox: Value = app
        .get("/v2/notifications", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbox["meta"]["unread_count"], 1, "{inbox}");
    assert_eq!(
        inbox["data"][0]["attributes"]["notification_type"],
        "password_change"
    );
    app.emailed_token("user@alpha.example", "/password/forgot")
        .await;

    // A reset is a change too.
    let asked = app
        .client
        .post(app.url("/auth/password"))
        .json(&json!({"email": "user@alpha.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 202);
    let reset = app
        .emailed_token("user@alpha.example", "/password/reset/")
        .await;
    let done = app
        .client
        .put(app.url("/auth/password"))
        .json(
            &json!({"reset_password_token": reset, "password": "fourth password 4",
                      "password_confirmation": "fourth password 4"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(
        app.emails_to("user@alpha.example").await,
        3,
        "the reset link and the notice"
    );
    assert_eq!(app.count("notifications").await, 2);

    // The organization's own policy wins over the default: off.
    let (status, _) = send(
        &app,
        reqwest::Method::PUT,
        POLICY,
        &root,
        Some(&org),
        Some(json!({"passwordChange": false})),
    )
    .await;
    assert_eq!(status, 200);
    let token = app
        .token_for("user@alpha.example", "fourth password 4")
        .await;
    change(token, "fourth password 4", "fifth password 5").await;
    assert_eq!(app.emails_to("user@alpha.example").await, 3);
    assert_eq!(app.count("notifications").await, 2);
}

#[tokio::test]
async fn an_email_change_and_a_lockout_notify_when_their_triggers_are_on() {
    let app = spawn_app_with(|config| config.lockout_attempts = 3).await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    let id = app.add_user(&org, "user@alpha.example", Role::User).await;
    let (status, _) = send(
        &app,
        reqwest::Method::PUT,
        POLICY,
        &root,
        Some(&org),
        Some(json!({"emailChange": true, "accountLocked": true})),
    )
    .await;
    assert_eq!(status, 200);
    let response = app
        .put_json(
            &format!("/v2/users/{id}"),
            &root,
            &json!({"user": {"email": "renamed@alpha.example"}}),
        )
        .await;
    assert_eq!(response.status(), 200);
    // The old address hears of it: the owner is still there if the change wasn't theirs.
    assert_eq!(app.emails_to("user@alpha.example").await, 1);
    assert_eq!(app.emails_to("renamed@alpha.example").await, 0);
    for _ in 0..3 {
        let response = app.sign_in("renamed@alpha.example", "wrong password").await;
        assert_eq!(response.status(), 401);
    }
    assert_eq!(
        app.emails_to("renamed@alpha.example").await,
        1,
        "the lockout"
    );
    let types: Vec<(String,)> = app
        .db
        .fetch_all(&app::server::db::Sql::new(
            "SELECT notification_type FROM notifications ORDER BY created_at, notification_type",
        ))
        .await
        .unwrap();
    let types: Vec<&str> = types.iter().map(|(t,)| t.as_str()).collect();
    assert_eq!(types, ["email_change", "account_locked"]);
}
