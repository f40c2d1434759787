//! Users who get in by email: created, invited, confirmed, and resetting a forgotten password.
//! Every link is read back from the outbox, as the invitee would read it from their inbox.

use crate::helpers::{assert_error, spawn_app, TestApp, USER_PASSWORD};
use app::domain::Role;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "a brand new password";

/// An app, the Super Admin's token, and an organization "Alpha" with an Admin.
async fn setup() -> (TestApp, String, String, String) {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    let admin = app.token_for("admin@alpha.example", USER_PASSWORD).await;
    (app, root, org, admin)
}

#[tokio::test]
async fn an_invitee_accepts_from_the_emailed_link_and_is_signed_in() {
    let (app, _, org, admin) = setup().await;
    let response = app
        .post_json(
            "/v2/users/invite",
            &admin,
            &json!({"user": {"email": "new@alpha.example", "role": "User", "first_name": "Nia"}}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let attributes = &created["data"]["attributes"];
    assert_eq!(attributes["verified"], false);
    assert_eq!(attributes["organization"]["id"], org.as_str());
    assert_eq!(app.audited("user.invite").await, 1);

    // Not yet: there is no password to sign in with.
    assert_error(app.sign_in("new@alpha.example", NEW_PASSWORD).await, 401).await;

    let token = app.emailed_token("new@alpha.example", "/invitation/").await;
    let shown: Value = app
        .client
        .get(app.url(&format!("/auth/invitation?invitation_token={token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["email"], "new@alpha.example");
    assert_eq!(shown["organization"]["name"], "Alpha");
    assert_eq!(shown["role"], "User");
    assert!(shown["expires_at"].as_str().unwrap().ends_with('Z'));

    // A mismatched confirmation and a short password: both named, nothing spent.
    let bad = app
        .client
        .put(app.url("/auth/invitation"))
        .json(
            &json!({"invitation_token": token, "password": "short", "password_confirmation": "x"}),
        )
        .send()
        .await
        .unwrap();
    let body = assert_error(bad, 422).await;
    assert_eq!(body["errors"][0]["field"], "password");

    let accepted = app
        .client
        .put(app.url("/v2/auth/invitation"))
        .json(&json!({"invitation_token": token, "password": NEW_PASSWORD,
                      "password_confirmation": NEW_PASSWORD, "last_name": "Okafor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    assert!(accepted.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("steward_session="));
    let signed_in: Value = accepted.json().await.unwrap();
    assert_eq!(signed_in["organization"]["uuid"], org.as_str());
    let token_of_invitee = signed_in["token"].as_str().unwrap();
    let me: Value = app
        .get("/v2/user/me", token_of_invitee)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["attributes"]["verified"], true);
    assert_eq!(me["data"]["attributes"]["first_name"], "Nia");
    assert_eq!(me["data"]["attributes"]["last_name"], "Okafor");

    // Once only.
    let again = app
        .client
        .put(app.url("/auth/invitation"))
        .json(
            &json!({"invitation_token": token, "password": "another password",
                      "password_confirmation": "another password"}),
        )
        .send()
        .await
        .unwrap();
    let body = assert_error(again, 422).await;
    assert_eq!(body["errors"][0]["field"], "invitation_token");
    assert_error(
        app.client
            .get(app.url(&format!("/auth/invitation?invitation_token={token}")))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert_eq!(
        app.sign_in("new@alpha.example", NEW_PASSWORD)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_user_created_with_a_password_signs_in_at_once_and_without_one_confirms_first() {
    let (app, _, _, admin) = setup().await;
    let with = app
        .post_json(
            "/v2/users",
            &admin,
            &json!({"user": {"email": "ready@alpha.example", "password": NEW_PASSWORD}}),
        )
        .await;
    assert_eq!(with.status(), 201);
    let body: Value = with.json().await.unwrap();
    assert_eq!(
        body["data"]["attributes"]["username"],
        "ready@alpha.example"
    );
    assert_eq!(body["data"]["attributes"]["role"], "User");
    assert_eq!(
        app.sign_in("ready@alpha.example", NEW_PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(app.emails_to("ready@alpha.example").await, 0);

    let without = app
        .post_json(
            "/v2/users",
            &admin,
            &json!({"user": {"email": "later@alpha.example"}}),
        )
        .await;
    assert_eq!(without.status(), 201);
    let token = app.emailed_token("later@alpha.example", "/confirm/").await;
    let shown: Value = app
        .client
        .get(app.url(&format!("/auth/confirmation?confirmation_token={token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        shown,
        json!({"email": "later@alpha.example", "confirmed": false, "needs_password": true})
    );
    let no_password = app
        .client
        .post(app.url("/auth/confirmation"))
        .json(&json!({"confirmation_token": token}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_error(no_password, 422).await["errors"][0]["field"],
        "password"
    );
    let confirmed = app
        .client
        .post(app.url("/auth/confirmation"))
        .json(
            &json!({"confirmation_token": token, "password": NEW_PASSWORD,
                      "password_confirmation": NEW_PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    assert_eq!(
        app.sign_in("later@alpha.example", NEW_PASSWORD)
            .await
            .status(),
        200
    );
    let reused = app
        .client
        .post(app.url("/auth/confirmation"))
        .json(
            &json!({"confirmation_token": token, "password": NEW_PASSWORD,
                      "password_confirmation": NEW_PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    assert_error(reused, 422).await;
}

#[tokio::test]
async fn resend_replaces_the_link_and_a_confirmed_user_needs_none() {
    let (app, _, _, admin) = setup().await;
    let created: Value = app
        .post_json(
            "/v2/users/invite",
            &admin,
            &json!({"user": {"email": "slow@alpha.example"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["data"]["id"].as_str().unwrap().to_string();
    let first = app
        .emailed_token("slow@alpha.example", "/invitation/")
        .await;
    let resent = app
        .post_json(
            &format!("/v2/users/{id}/resend_confirmation"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(resent.status(), 202);
    let second = app
        .emailed_token("slow@alpha.example", "/invitation/")
        .await;
    assert_ne!(first, second);
    assert_eq!(app.emails_to("slow@alpha.example").await, 2);
    let old = app
        .client
        .get(app.url(&format!("/auth/invitation?invitation_token={first}")))
        .send()
        .await
        .unwrap();
    assert_error(old, 404).await;
    let accepted = app
        .client
        .put(app.url("/auth/invitation"))
        .json(
            &json!({"invitation_token": second, "password": NEW_PASSWORD,
                      "password_confirmation": NEW_PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let again = app
        .post_json(
            &format!("/v2/users/{id}/resend_confirmation"),
            &admin,
            &json!({}),
        )
        .await;
    assert_error(again, 409).await;
}

#[tokio::test]
async fn who_may_add_users_and_what_a_bad_request_changes() {
    let (app, root, org, admin) = setup().await;
    let other = app
        .create_organization(&root, json!({"name": "Beta", "company_name": "Beta Ltd"}))
        .await;
    app.add_user(&org, "user@alpha.example", Role::User).await;
    let user = app.token_for("user@alpha.example", USER_PASSWORD).await;
    let users_before = app.count("users").await;
    let emails_before = app.count("outbox_messages").await;

    let anonymous = app
        .client
        .post(app.url("/v2/users/invite"))
        .json(&json!({"user": {"email": "x@alpha.example"}}))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
    let as_user = app
        .post_json(
            "/v2/users/invite",
            &user,
            &json!({"user": {"email": "x@alpha.example"}}),
        )
        .await;
    assert_error(as_user, 403).await;
    let above_own_role = app
        .post_json(
            "/v2/users",
            &admin,
            &json!({"user": {"email": "x@alpha.example", "role": "Super Admin"}}),
        )
        .await;
    assert_error(above_own_role, 403).await;
    let foreign_org = app
        .post_json(
            "/v2/users/invite",
            &admin,
            &json!({"user": {"email": "x@alpha.example", "organization_id": other}}),
        )
        .await;
    assert_error(foreign_org, 404).await;
    let taken = app
        .post_json(
            "/v2/users/invite",
            &admin,
            &json!({"user": {"email": "USER@alpha.example"}}),
        )
        .await;
    assert_eq!(
        assert_error(taken, 422).await["errors"][0]["field"],
        "user.email"
    );
    let all_at_once = app
        .post_json(
            "/v2/users",
            &admin,
            &json!({"user": {"email": "not an email", "role": "Boss", "locale": "xx",
                             "timezone": "Mars/Olympus", "password": "short"}}),
        )
        .await;
    let body = assert_error(all_at_once, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    // "not an email" would make a bad username too, but nobody typed one: only the email is named.
    assert!(!fields.contains(&"user.username"), "{fields:?}");
    for field in [
        "user.email",
        "user.role",
        "user.locale",
        "user.timezone",
        "user.password",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let password_on_invite = app
        .post_json(
            "/v2/users/invite",
            &admin,
            &json!({"user": {"email": "x@alpha.example", "password": NEW_PASSWORD}}),
        )
        .await;
    assert_error(password_on_invite, 422).await;
    let nul = app
        .post_json(
            "/v2/users/invite",
            &admin,
            &json!({"user": {"email": "x\u{0}@alpha.example"}}),
        )
        .await;
    assert_error(nul, 422).await;
    assert_eq!(app.count("users").await, users_before, "nothing created");
    assert_eq!(
        app.count("outbox_messages").await,
        emails_before,
        "nothing sent"
    );

    // A Super Admin may invite into any organization.
    let anywhere = app
        .post_json(
            "/v2/users/invite",
            &root,
            &json!({"user": {"email": "b@beta.example", "organization_id": other, "role": "Admin"}}),
        )
        .await;
    assert_eq!(anywhere.status(), 201);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_once_from_the_email_and_ends_every_session() {
    let (app, _, org, _) = setup().await;
    app.add_user(&org, "forgetful@alpha.example", Role::User)
        .await;
    let old_session = app
        .token_for("forgetful@alpha.example", USER_PASSWORD)
        .await;

    for email in ["forgetful@alpha.example", "nobody@alpha.example"] {
        let response = app
            .client
            .post(app.url("/auth/password"))
            .json(&json!({"email": email}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202, "the same answer for {email}");
    }
    assert_eq!(app.emails_to("nobody@alpha.example").await, 0);
    let token = app
        .emailed_token("forgetful@alpha.example", "/password/reset/")
        .await;

    let mismatch = app
        .client
        .put(app.url("/auth/password"))
        .json(
            &json!({"reset_password_token": token, "password": NEW_PASSWORD,
                      "password_confirmation": "something else"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_error(mismatch, 422).await["errors"][0]["field"],
        "password_confirmation"
    );
    assert_eq!(
        app.get("/v2/user/me", &old_session).await.status(),
        200,
        "nothing changed"
    );

    // Ten parallel uses of one link: exactly one sets the password.
    let attempts = (0..10).map(|i| {
        let password = format!("{NEW_PASSWORD} {i}");
        app.client
            .put(app.url("/auth/password"))
            .json(&json!({"reset_password_token": token, "password": password,
                          "password_confirmation": password}))
            .send()
    });
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 422),
        "{statuses:?}"
    );

    assert_eq!(
        app.get("/v2/user/me", &old_session).await.status(),
        401,
        "signed out everywhere"
    );
    assert_eq!(
        app.sign_in("forgetful@alpha.example", USER_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(app.audited("user.password_reset").await, 1);

    let forged = app
        .client
        .put(app.url("/auth/password"))
        .json(
            &json!({"reset_password_token": "forged\u{0}token", "password": NEW_PASSWORD,
                      "password_confirmation": NEW_PASSWORD}),
        )
        .send()
        .await
        .unwrap();
    assert_error(forged, 422).await;
    let blank = app
        .client
        .post(app.url("/auth/password"))
        .json(&json!({"email": ""}))
        .send()
        .await
        .unwrap();
    assert_error(blank, 422).await;
}

#[tokio::test]
async fn reset_emails_to_one_address_are_capped() {
    let (app, _, org, _) = setup().await;
    app.add_user(&org, "target@alpha.example", Role::User).await;
    let requests = (0..12).map(|_| {
        app.client
            .post(app.url("/auth/password"))
            .json(&json!({"email": "target@alpha.example"}))
            .send()
    });
    for response in futures::future::join_all(requests).await {
        assert_eq!(response.unwrap().status(), 202);
    }
    assert_eq!(app.emails_to("target@alpha.example").await, 5);
}
