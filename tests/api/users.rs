//! `/v2/users`: who may see and change whom (every endpoint as anonymous, User, Admin of the
//! organization, Admin of another, Super Admin), the rules that keep an organization and the
//! instance administered, bad input, and the list.

use crate::helpers::{
    assert_error, assert_screen_lists_summaries, spawn_app, TestApp, ADMIN_EMAIL, USER_PASSWORD,
};
use app::domain::Role;
use serde_json::{json, Value};

struct World {
    app: TestApp,
    org_a: String,
    org_b: String,
    super_id: String,
    admin_a: String,
    user_a: String,
    target: String,
    tokens: Tokens,
}

struct Tokens {
    super_admin: String,
    admin_a: String,
    user_a: String,
    admin_b: String,
}

/// Two organizations: A with an Admin and two Users (one of them the target), B with an Admin.
async fn world() -> World {
    let app = spawn_app().await;
    let super_admin = app.admin_token().await;
    let org_a = app
        .create_organization(
            &super_admin,
            json!({"name": "Alpha", "company_name": "Alpha Ltd"}),
        )
        .await;
    let org_b = app
        .create_organization(
            &super_admin,
            json!({"name": "Beta", "company_name": "Beta Ltd"}),
        )
        .await;
    let admin_a = app
        .add_user(&org_a, "admin@alpha.example", Role::Admin)
        .await;
    let user_a = app.add_user(&org_a, "user@alpha.example", Role::User).await;
    let target = app
        .add_user(&org_a, "target@alpha.example", Role::User)
        .await;
    app.add_user(&org_b, "admin@beta.example", Role::Admin)
        .await;
    let tokens = Tokens {
        super_admin: super_admin.clone(),
        admin_a: app.token_for("admin@alpha.example", USER_PASSWORD).await,
        user_a: app.token_for("user@alpha.example", USER_PASSWORD).await,
        admin_b: app.token_for("admin@beta.example", USER_PASSWORD).await,
    };
    let me: Value = app
        .get(&format!("/v2/users?q[email]={ADMIN_EMAIL}"), &super_admin)
        .await
        .json()
        .await
        .unwrap();
    let super_id = me["data"][0]["id"].as_str().unwrap().to_string();
    World {
        app,
        org_a,
        org_b,
        super_id,
        admin_a,
        user_a,
        target,
        tokens,
    }
}

async fn status(response: reqwest::Response) -> u16 {
    response.status().as_u16()
}

#[tokio::test]
async fn every_users_endpoint_answers_each_role_as_tenancy_says() {
    let w = world().await;
    let app = &w.app;
    let t = &w.tokens;
    let one = format!("/v2/users/{}", w.target);
    let can_delete = format!("{one}/can_delete");
    let anonymous = app.client.get(app.url(&one)).send().await.unwrap();
    assert_error(anonymous, 401).await;
    // (caller, GET one, GET can_delete, PUT): 404 for what the caller can't see.
    for (token, seen, changed) in [
        (&t.user_a, 404, 404),
        (&t.admin_b, 404, 404),
        (&t.admin_a, 200, 200),
        (&t.super_admin, 200, 200),
    ] {
        assert_eq!(status(app.get(&one, token).await).await, seen);
        assert_eq!(status(app.get(&can_delete, token).await).await, seen);
        let put = app
            .put_json(&one, token, &json!({"user": {"city": "Athens"}}))
            .await;
        assert_eq!(status(put).await, changed);
    }
    // The list: everyone sees exactly their share.
    for (token, expected) in [
        (&t.user_a, vec!["user@alpha.example"]),
        (&t.admin_b, vec!["admin@beta.example"]),
        (
            &t.admin_a,
            vec![
                "admin@alpha.example",
                "target@alpha.example",
                "user@alpha.example",
            ],
        ),
    ] {
        let body: Value = app.get("/v2/users", token).await.json().await.unwrap();
        let emails: Vec<&str> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["attributes"]["email"].as_str().unwrap())
            .collect();
        assert_eq!(emails, expected);
        assert_eq!(body["meta"]["total_count"], expected.len());
    }
    let all: Value = app
        .get("/v2/users", &t.super_admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["meta"]["total_count"], 5);

    // A User sees themselves but may not delete or promote themselves: 403.
    let me = format!("/v2/users/{}", w.user_a);
    assert_error(app.delete(&me, &t.user_a).await, 403).await;
    assert_error(
        app.put_json(&me, &t.user_a, &json!({"user": {"role": "Admin"}}))
            .await,
        403,
    )
    .await;
    assert_eq!(
        status(
            app.put_json(&me, &t.user_a, &json!({"user": {"title": "Analyst"}}))
                .await
        )
        .await,
        200
    );
    // Nobody gives a role above their own, nor moves a user where they can't see.
    assert_error(
        app.put_json(&one, &t.admin_a, &json!({"user": {"role": "Super Admin"}}))
            .await,
        403,
    )
    .await;
    assert_error(
        app.put_json(
            &one,
            &t.admin_a,
            &json!({"user": {"organization_id": w.org_b}}),
        )
        .await,
        404,
    )
    .await;
    // The writes that add users or send links, per caller: (invite into A, resend for the target,
    // make the target's Admin a partner). Invisible is 404, visible but not theirs to do is 403.
    let resend = format!("{one}/resend_confirmation");
    let partner = format!("/v2/users/{}/partner", w.admin_a);
    for (i, (token, invite, resent, partnered)) in [
        (&t.user_a, 403, 404, 404),
        (&t.admin_b, 404, 404, 404),
        (&t.admin_a, 201, 409, 403),
        (&t.super_admin, 201, 409, 200),
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({"user": {"email": format!("walk{i}@alpha.example"), "organization_id": w.org_a}});
        assert_eq!(
            status(app.post_json("/v2/users/invite", token, &body).await).await,
            invite
        );
        // The target is confirmed: nothing to resend (409), once it is the caller's to see.
        assert_eq!(
            status(app.post_json(&resend, token, &json!({})).await).await,
            resent
        );
        assert_eq!(
            status(app.put_json(&partner, token, &json!({})).await).await,
            partnered
        );
    }
    let anonymous = app
        .client
        .post(app.url("/v2/users"))
        .json(&json!({"user": {"email": "anon@alpha.example"}}))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;

    // An Admin can't touch the Super Admin (not visible to them at all).
    let root = format!("/v2/users/{}", w.super_id);
    assert_error(app.get(&root, &t.admin_a).await, 404).await;

    // Delete: invisible is 404, then the Admin of A deletes the target.
    assert_error(app.delete(&one, &t.admin_b).await, 404).await;
    assert_error(app.delete(&one, &t.user_a).await, 404).await;
    assert_eq!(status(app.delete(&one, &t.admin_a).await).await, 204);
    assert_error(app.get(&one, &t.super_admin).await, 404).await;
    assert_eq!(app.audited("user.delete").await, 1);
    let _ = w.org_a;
}

#[tokio::test]
async fn the_last_super_admin_and_the_last_admin_of_an_organization_stay() {
    let w = world().await;
    let app = &w.app;
    let t = &w.tokens;
    let root = format!("/v2/users/{}", w.super_id);
    let answer: Value = app
        .get(&format!("{root}/can_delete"), &t.super_admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["can_delete"], false);
    let reasons = answer["reasons"].to_string();
    assert!(
        reasons.contains("yourself") && reasons.contains("last Super Admin"),
        "{reasons}"
    );
    assert_error(
        app.put_json(&root, &t.super_admin, &json!({"user": {"role": "Admin"}}))
            .await,
        409,
    )
    .await;
    assert_error(app.delete(&root, &t.super_admin).await, 409).await;

    // Alpha's only Admin can't be demoted, moved or deleted while Alpha has users.
    let admin = format!("/v2/users/{}", w.admin_a);
    for change in [json!({"role": "User"}), json!({"organization_id": w.org_b})] {
        let error = assert_error(
            app.put_json(&admin, &t.super_admin, &json!({ "user": change }))
                .await,
            409,
        )
        .await;
        assert!(error["message"]
            .as_str()
            .unwrap()
            .contains("last Admin of Alpha"));
    }
    let answer: Value = app
        .get(&format!("{admin}/can_delete"), &t.super_admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["can_delete"], false);
    assert_error(app.delete(&admin, &t.super_admin).await, 409).await;
    let shown: Value = app.get(&admin, &t.super_admin).await.json().await.unwrap();
    assert_eq!(
        shown["data"]["attributes"]["role"], "Admin",
        "nothing changed"
    );

    // With a second Admin, the first may go.
    let target = format!("/v2/users/{}", w.target);
    assert_eq!(
        status(
            app.put_json(&target, &t.super_admin, &json!({"user": {"role": "Admin"}}))
                .await
        )
        .await,
        200
    );
    assert_eq!(
        status(
            app.put_json(&admin, &t.super_admin, &json!({"user": {"role": "User"}}))
                .await
        )
        .await,
        200
    );
    // A demoted user signs in again: their session ended.
    assert_error(app.get("/v2/users", &t.admin_a).await, 401).await;
}

#[tokio::test]
async fn bad_user_input_is_422_naming_each_field_and_changes_nothing() {
    let w = world().await;
    let app = &w.app;
    let t = &w.tokens;
    let one = format!("/v2/users/{}", w.target);
    let before: Value = app.get(&one, &t.super_admin).await.json().await.unwrap();
    let error = assert_error(
        app.put_json(
            &one,
            &t.super_admin,
            &json!({"user": {
                "email": "not-an-email", "url": "not a site", "locale": "xx",
                "timezone": "Mars/Olympus", "role": "Owner", "colour": "red"
            }}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        error["errors"][0]["field"], "user.colour",
        "unknown keys first: {error}"
    );
    let error = assert_error(
        app.put_json(
            &one,
            &t.super_admin,
            &json!({"user": {
                "email": "not-an-email", "url": "not a site", "locale": "xx", "role": "Owner"
            }}),
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = error["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["user.email", "user.role", "user.locale", "user.url"]
    );
    let error = assert_error(
        app.put_json(
            &one,
            &t.super_admin,
            &json!({"user": {"timezone": "Mars/Olympus"}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "user.timezone");
    // Another user's email, in any case.
    let error = assert_error(
        app.put_json(
            &one,
            &t.super_admin,
            &json!({"user": {"email": "USER@alpha.example"}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "user.email");
    assert_eq!(error["errors"][0]["message"], "has already been taken");
    for body in [
        json!({"user": [1, 2]}),
        json!({"user": {"city": 7}}),
        json!({}),
    ] {
        assert_error(app.put_json(&one, &t.super_admin, &body).await, 422).await;
    }
    let after: Value = app.get(&one, &t.super_admin).await.json().await.unwrap();
    assert_eq!(before, after);

    // The seed's own example body is accepted whole.
    let ok = app
        .put_json(
            &one,
            &t.super_admin,
            &json!({"user": {
                "email": "joe@clone-systems.example", "organization_id": w.org_b,
                "first_name": "Joe", "last_name": "Doe", "locale": "en", "timezone": "Europe/Athens",
                "phone": "2353032211", "mobile_phone": "+3053032211", "url": "clone-systems.com",
                "title": "Software Engineer", "address": "Street 33", "city": "Athens",
                "state": "State", "country": "Greece", "zipcode": "10431", "comment": "A comment"
            }}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let shown: Value = app.get(&one, &t.super_admin).await.json().await.unwrap();
    let a = &shown["data"]["attributes"];
    assert_eq!(a["organization"]["name"], "Beta");
    assert_eq!(a["timezone"], "Europe/Athens");
    assert_eq!(a["url"], "clone-systems.com");
    assert!(a.get("password_hash").is_none() && a.get("otp_secret").is_none());
    assert_eq!(shown["data"]["type"], "users");
}

#[tokio::test]
async fn the_list_filters_sorts_pages_and_exports() {
    let w = world().await;
    let app = &w.app;
    let t = &w.tokens;
    let emails = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["attributes"]["email"].as_str().unwrap().to_string())
            .collect()
    };
    let get = |query: &'static str| async move {
        let response = app.get(&format!("/v2/users?{query}"), &t.super_admin).await;
        assert_eq!(response.status(), 200, "{query}");
        response.json::<Value>().await.unwrap()
    };
    assert_eq!(
        emails(&get("q[email]=*@alpha.example&sort_by=email:desc").await),
        [
            "user@alpha.example",
            "target@alpha.example",
            "admin@alpha.example"
        ]
    );
    assert_eq!(
        emails(&get("q[role]=admin&sort_by=email").await),
        ["admin@alpha.example", "admin@beta.example"]
    );
    assert_eq!(
        emails(&get("q[email]=ADMIN@*").await),
        ["admin@alpha.example", "admin@beta.example"]
    );
    assert_eq!(emails(&get("q=targ").await), ["target@alpha.example"]);
    let page = get("per_page=2&page=2&sort_by=email").await;
    assert_eq!(page["meta"]["total_count"], 5);
    assert_eq!(page["meta"]["total_pages"], 3);
    assert_eq!(emails(&page).len(), 2);
    let by_org = app
        .get(
            &format!("/v2/users?q[organization_id]={}", w.org_b),
            &t.super_admin,
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(emails(&by_org), ["admin@beta.example"]);
    for bad in [
        "q[password_hash]=x",
        "sort_by=password_hash",
        "q[email]=a%00b",
        "per_page=0",
    ] {
        assert_error(
            app.get(&format!("/v2/users?{bad}"), &t.super_admin).await,
            422,
        )
        .await;
    }

    let csv = app
        .get(
            "/v2/users/export?q[email]=*@alpha.example&sort_by=email",
            &t.admin_a,
        )
        .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("id,email,username,role"));
    assert_eq!(lines.len(), 4, "header and Alpha's three users: {text}");
    assert!(lines[1].contains("admin@alpha.example") && lines[1].contains("Alpha"));
}

/// The users screen's server function answers the users that `GET /v2/users` answers, in its
/// order and with its totals, each carrying only what the screen's columns show.
#[tokio::test]
async fn the_users_screen_lists_what_the_api_lists_each_user_as_a_summary() {
    let w = world().await;
    let app = &w.app;
    let cookie = app
        .session_cookie("admin@alpha.example", USER_PASSWORD)
        .await;
    for (form, query) in [
        (vec![], ""),
        (vec![("sort", "email:desc")], "sort_by=email:desc"),
        (vec![("sort", "created_at:desc")], "sort_by=created_at:desc"),
        (
            vec![("q", "alpha"), ("sort", "last_name")],
            "q=alpha&sort_by=last_name",
        ),
        (vec![("per_page", "2"), ("page", "2")], "per_page=2&page=2"),
        (vec![("role", "User")], "q[role]=User"),
    ] {
        let screen = app
            .client
            .post(app.url("/api/users/list"))
            .header("origin", app.origin())
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(screen.status(), 200, "{form:?}");
        let screen: Value = screen.json().await.unwrap();
        let api = app
            .get(&format!("/v2/users?{query}"), &w.tokens.admin_a)
            .await;
        assert_eq!(api.status(), 200, "{query}");
        let api: Value = api.json().await.unwrap();
        assert_screen_lists_summaries(
            &screen,
            &api,
            &[
                "created_at",
                "email",
                "first_name",
                "last_name",
                "last_sign_in_at",
                "organization",
                "role",
            ],
            &format!("{form:?}"),
        );
    }
}

#[tokio::test]
async fn the_current_user_edits_their_profile_but_not_their_role_or_organization() {
    // (A role that isn't one is a 422 like anywhere else.)
    let w = world().await;
    let app = &w.app;
    let t = &w.tokens;
    let me: Value = app
        .get("/v2/user/me", &t.user_a)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["attributes"]["email"], "user@alpha.example");
    for change in [
        json!({"role": "Super Admin"}),
        json!({"organization_id": w.org_b}),
    ] {
        let mut body = json!({"first_name": "Uma"});
        body.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        assert_error(
            app.put_json("/v2/user/me", &t.user_a, &json!({ "user": body }))
                .await,
            403,
        )
        .await;
    }
    // The seed's body carries role and organization: unchanged, they are fine.
    let response = app
        .put_json(
            "/v2/user/me",
            &t.user_a,
            &json!({"user": {"first_name": "Uma", "role": "User", "organization_id": w.org_a}}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let me: Value = app
        .get("/v2/user/me", &t.user_a)
        .await
        .json()
        .await
        .unwrap();
    let a = &me["data"]["attributes"];
    assert_eq!(a["first_name"], "Uma");
    assert_eq!(a["role"], "User", "role is not the user's to change");
    assert_eq!(a["organization"]["id"], w.org_a.as_str());
    assert_error(
        app.put_json(
            "/v2/user/me",
            &t.user_a,
            &json!({"user": {"email": "admin@beta.example"}}),
        )
        .await,
        422,
    )
    .await;
    assert_error(
        app.put_json(
            "/v2/user/me",
            &t.user_a,
            &json!({"user": {"role": "Owner"}}),
        )
        .await,
        422,
    )
    .await;
    assert_error(app.get("/v2/user/me", "not-a-token").await, 401).await;
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let w = world().await;
    let app = &w.app;
    let other_session = app.token_for("user@alpha.example", USER_PASSWORD).await;
    let this_session = &w.tokens.user_a;
    let change = |current: &str, password: &str, confirmation: &str| json!({"current_password": current, "password": password, "password_confirmation": confirmation});
    let error = assert_error(
        app.put_json(
            "/v2/user/password",
            this_session,
            &change("wrong", "new password 2", "nope"),
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = error["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["current_password", "password_confirmation"]);
    assert_error(
        app.put_json(
            "/v2/user/password",
            this_session,
            &change(USER_PASSWORD, "short", "short"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        app.sign_in("user@alpha.example", USER_PASSWORD)
            .await
            .status(),
        200,
        "unchanged"
    );

    let ok = app
        .put_json(
            "/v2/user/password",
            this_session,
            &change(USER_PASSWORD, "new password 2", "new password 2"),
        )
        .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(
        app.get("/v2/user/me", this_session).await.status(),
        200,
        "this session stays"
    );
    assert_error(app.get("/v2/user/me", &other_session).await, 401).await;
    assert_eq!(
        app.sign_in("user@alpha.example", USER_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in("user@alpha.example", "new password 2")
            .await
            .status(),
        200
    );
    assert_eq!(app.audited("user.password_change").await, 1);
}

#[tokio::test]
async fn a_user_deletes_their_own_account_with_their_password_unless_it_holds_things_together() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    let leaver = app.add_user(&org, "leaver@alpha.example", Role::User).await;
    let token = app.token_for("leaver@alpha.example", USER_PASSWORD).await;
    let admin = app.token_for("admin@alpha.example", USER_PASSWORD).await;

    let wrong = app
        .client
        .delete(app.url("/v2/user/me"))
        .bearer_auth(&token)
        .json(&json!({"password": "not it at all"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_error(wrong, 422).await["errors"][0]["field"],
        "password"
    );
    let missing = app
        .client
        .delete(app.url("/v2/user/me"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_error(missing, 422).await;
    assert_eq!(
        app.get("/v2/user/me", &token).await.status(),
        200,
        "still there"
    );

    // The organization's only Admin can't leave while it has users; the answer says why.
    let answer: Value = app
        .get("/v2/user/can_delete", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["can_delete"], false);
    assert!(answer["reasons"][0]
        .as_str()
        .unwrap()
        .contains("last Admin"));
    let refused = app
        .client
        .delete(app.url("/v2/user/me"))
        .bearer_auth(&admin)
        .json(&json!({"password": USER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_error(refused, 409).await;
    let root_answer: Value = app
        .get("/v2/user/can_delete", &root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        root_answer["can_delete"], false,
        "the last Super Admin stays"
    );

    let answer: Value = app
        .get("/v2/user/can_delete", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer, json!({"can_delete": true, "reasons": []}));
    let deleted = app
        .client
        .delete(app.url("/v2/user/me"))
        .bearer_auth(&token)
        .json(&json!({"password": USER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        app.get("/v2/user/me", &token).await.status(),
        401,
        "the session went with it"
    );
    assert_error(app.get(&format!("/v2/users/{leaver}"), &root).await, 404).await;
    assert_eq!(app.audited("user.delete_self").await, 1);
}

#[tokio::test]
async fn only_a_super_admin_makes_an_admin_a_partner() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    let admin = app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    let user = app.add_user(&org, "user@alpha.example", Role::User).await;
    let admin_token = app.token_for("admin@alpha.example", USER_PASSWORD).await;

    let by_admin = app
        .put_json(
            &format!("/v2/users/{admin}/partner"),
            &admin_token,
            &json!({}),
        )
        .await;
    assert_error(by_admin, 403).await;
    let not_an_admin = app
        .put_json(&format!("/v2/users/{user}/partner"), &root, &json!({}))
        .await;
    assert_error(not_an_admin, 409).await;
    let made = app
        .put_json(&format!("/v2/users/{admin}/partner"), &root, &json!({}))
        .await;
    assert_eq!(made.status(), 200);
    let shown: Value = app
        .get(&format!("/v2/users/{admin}"), &root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["data"]["attributes"]["partner"], true);
    let unmade = app
        .delete(&format!("/v2/users/{admin}/partner"), &root)
        .await;
    assert_eq!(unmade.status(), 200);
    let unknown = app
        .put_json(
            &format!("/v2/users/{}/partner", uuid::Uuid::new_v4()),
            &root,
            &json!({}),
        )
        .await;
    assert_error(unknown, 404).await;
}

#[tokio::test]
async fn every_user_attribute_documented_as_nullable_accepts_null_and_keeps_its_value() {
    // The document says `null` keeps an attribute; every enum must therefore list `null`, or a
    // client that follows the schema is refused and one that doesn't is accepted (schemathesis).
    let w = world().await;
    let app = &w.app;
    let doc: Value = app
        .client
        .get(app.url("/v2/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let properties = doc["components"]["schemas"]["UserBody"]["properties"]["user"]["properties"]
        .as_object()
        .unwrap();
    assert!(properties.contains_key("locale") && properties.contains_key("timezone"));
    let mut all_null = serde_json::Map::new();
    for (key, schema) in properties {
        assert_eq!(schema["type"], json!(["string", "null"]), "{key}");
        if let Some(values) = schema["enum"].as_array() {
            assert!(values.contains(&Value::Null), "{key}'s enum lists null");
        }
        all_null.insert(key.clone(), Value::Null);
    }
    let before: Value = app
        .get("/v2/user/me", &w.tokens.user_a)
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .put_json(
            "/v2/user/me",
            &w.tokens.user_a,
            &json!({ "user": all_null }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let after: Value = app
        .get("/v2/user/me", &w.tokens.user_a)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        before["data"]["attributes"], after["data"]["attributes"],
        "null changes nothing"
    );
}

#[tokio::test]
async fn change_user_organization_moves_a_user_where_the_caller_may_put_them() {
    let w = world().await;
    let app = &w.app;
    let path = "/v2/organizations/change_user_organization";
    let body = json!({"user_id": w.target, "organization_id": w.org_b});
    // An Admin of A doesn't see B; a User sees only themselves; another organization's Admin
    // doesn't see the user.
    assert_error(app.put_json(path, &w.tokens.admin_a, &body).await, 404).await;
    assert_error(app.put_json(path, &w.tokens.user_a, &body).await, 404).await;
    assert_error(app.put_json(path, &w.tokens.admin_b, &body).await, 404).await;
    assert_error(
        app.put_json(
            path,
            &w.tokens.super_admin,
            &json!({"user_id": uuid::Uuid::new_v4(), "organization_id": w.org_b}),
        )
        .await,
        404,
    )
    .await;
    assert_error(
        app.put_json(path, &w.tokens.super_admin, &json!({"user_id": w.target}))
            .await,
        422,
    )
    .await;
    let audited = app.audited("user.update").await;

    let moved = app.put_json(path, &w.tokens.super_admin, &body).await;
    assert_eq!(moved.status(), 200);
    assert!(moved.headers().get("etag").is_some());
    let shown: Value = app
        .get(&format!("/v2/users/{}", w.target), &w.tokens.super_admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        shown["data"]["attributes"]["organization"]["id"],
        w.org_b.as_str()
    );
    assert_eq!(app.audited("user.update").await, audited + 1);
    // Now B's Admin manages them, and A's no longer sees them.
    assert_eq!(
        app.get(&format!("/v2/users/{}", w.target), &w.tokens.admin_b)
            .await
            .status(),
        200
    );
    assert_error(
        app.get(&format!("/v2/users/{}", w.target), &w.tokens.admin_a)
            .await,
        404,
    )
    .await;
}
