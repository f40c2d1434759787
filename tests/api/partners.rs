//! Partners and their customers: a customer organization with its first Admin, and handing a
//! partner's customers and pending invitations to someone else before they leave.

use crate::helpers::{assert_error, spawn_app, TestApp, USER_PASSWORD};
use app::domain::Role;
use serde_json::{json, Value};

/// A partner organization with two partner Admins and a plain Admin, and another organization.
struct Partners {
    app: TestApp,
    root: String,
    partner_org: String,
    other_org: String,
    pat: String,
    pat_token: String,
    quinn: String,
    plain_admin: String,
    plain_admin_token: String,
    stranger_token: String,
}

async fn partners() -> Partners {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let partner_org = app
        .create_organization(
            &root,
            json!({"name": "Reseller", "company_name": "Reseller Ltd"}),
        )
        .await;
    let other_org = app
        .create_organization(&root, json!({"name": "Other", "company_name": "Other Ltd"}))
        .await;
    let pat = app
        .add_user(&partner_org, "pat@reseller.example", Role::Admin)
        .await;
    let quinn = app
        .add_user(&partner_org, "quinn@reseller.example", Role::Admin)
        .await;
    let plain_admin = app
        .add_user(&partner_org, "plain@reseller.example", Role::Admin)
        .await;
    app.add_user(&other_org, "admin@other.example", Role::Admin)
        .await;
    for id in [&pat, &quinn] {
        let made = app
            .put_json(&format!("/v2/users/{id}/partner"), &root, &json!({}))
            .await;
        assert_eq!(made.status(), 200);
    }
    let pat_token = app.token_for("pat@reseller.example", USER_PASSWORD).await;
    let plain_admin_token = app.token_for("plain@reseller.example", USER_PASSWORD).await;
    let stranger_token = app.token_for("admin@other.example", USER_PASSWORD).await;
    Partners {
        app,
        root,
        partner_org,
        other_org,
        pat,
        pat_token,
        quinn,
        plain_admin,
        plain_admin_token,
        stranger_token,
    }
}

fn customer(name: &str, email: &str) -> Value {
    json!({
        "organization": {"name": name, "company_name": format!("{name} Inc")},
        "user": {"email": email, "first_name": "Cass"}
    })
}

#[tokio::test]
async fn a_partner_creates_a_customer_with_its_first_admin_who_is_invited() {
    let p = partners().await;
    let app = &p.app;
    let orgs_before = app.count("organizations").await;
    let response = app
        .post_json(
            "/v2/users/customer",
            &p.pat_token,
            &customer("Acme", "cass@acme.example"),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let org = created["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["data"]["type"], "organizations");
    assert_eq!(
        created["data"]["attributes"]["partner_organization_id"],
        p.partner_org.as_str()
    );
    let admin = &created["included"][0];
    assert_eq!(admin["type"], "users");
    assert_eq!(admin["attributes"]["role"], "Admin");
    assert_eq!(admin["attributes"]["organization"]["id"], org.as_str());
    assert_eq!(admin["attributes"]["verified"], false);
    assert_eq!(app.count("organizations").await, orgs_before + 1);
    assert_eq!(app.audited("organization.create").await, 3);
    assert_eq!(app.audited("user.invite").await, 1);

    // The invitation lets them in as the customer's Admin.
    let token = app.emailed_token("cass@acme.example", "/invitation/").await;
    let accepted = app
        .client
        .put(app.url("/auth/invitation"))
        .json(
            &json!({"invitation_token": token, "password": "a new password 1",
                      "password_confirmation": "a new password 1"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);

    // The partner sees their customer; another organization's Admin doesn't.
    assert_eq!(
        app.get(&format!("/v2/organizations/{org}"), &p.pat_token)
            .await
            .status(),
        200
    );
    assert_error(
        app.get(&format!("/v2/organizations/{org}"), &p.stranger_token)
            .await,
        404,
    )
    .await;

    // With a password the first Admin signs in at once.
    let mut with_password = customer("Bolt", "bo@bolt.example");
    with_password["user"]["password"] = json!("bolt password 1");
    let response = app
        .post_json("/v2/users/customer", &p.pat_token, &with_password)
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        app.sign_in("bo@bolt.example", "bolt password 1")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_customer_request_that_fails_creates_neither_half() {
    let p = partners().await;
    let app = &p.app;
    let orgs_before = app.count("organizations").await;
    let users_before = app.count("users").await;
    let emails_before = app.count("outbox_messages").await;

    // Every bad field of both halves at once.
    let body = assert_error(
        app.post_json(
            "/v2/users/customer",
            &p.pat_token,
            &json!({"organization": {"name": ""}, "user": {"email": "not an email", "role": "User"}}),
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "organization.name",
        "organization.company_name",
        "user.email",
        "user.role",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    // The organization is the new one; a weak password is named.
    let mut elsewhere = customer("Acme", "cass@acme.example");
    elsewhere["user"]["organization_id"] = json!(p.other_org);
    assert_error(
        app.post_json("/v2/users/customer", &p.pat_token, &elsewhere)
            .await,
        422,
    )
    .await;
    let mut weak = customer("Acme", "cass@acme.example");
    weak["user"]["password"] = json!("short");
    assert_error(
        app.post_json("/v2/users/customer", &p.pat_token, &weak)
            .await,
        422,
    )
    .await;
    // A taken email is found inside the transaction: the organization written before it goes too.
    assert_error(
        app.post_json(
            "/v2/users/customer",
            &p.pat_token,
            &customer("Acme", "quinn@reseller.example"),
        )
        .await,
        422,
    )
    .await;
    // Only a partner (or a Super Admin) creates customers.
    assert_error(
        app.post_json(
            "/v2/users/customer",
            &p.plain_admin_token,
            &customer("Acme", "cass@acme.example"),
        )
        .await,
        403,
    )
    .await;
    assert_error(
        app.post_json(
            "/v2/users/customer",
            "not-a-token",
            &customer("Acme", "cass@acme.example"),
        )
        .await,
        401,
    )
    .await;
    assert_error(
        app.post_json(
            "/v2/users/customer",
            &p.pat_token,
            &json!({"organization": {"name": "A", "company_name": "A"}, "user": {"email": "a@a.example"}, "extra": 1}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(app.count("organizations").await, orgs_before);
    assert_eq!(app.count("users").await, users_before);
    assert_eq!(app.count("outbox_messages").await, emails_before);

    // A Super Admin's customer stands alone.
    let response = app
        .post_json(
            "/v2/users/customer",
            &p.root,
            &customer("Solo", "solo@solo.example"),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        created["data"]["attributes"]["partner_organization_id"],
        Value::Null
    );
}

#[tokio::test]
async fn a_partner_hands_customers_and_pending_invitations_over_before_leaving() {
    let p = partners().await;
    let app = &p.app;
    for (name, email) in [("Acme", "cass@acme.example"), ("Bolt", "bo@bolt.example")] {
        let response = app
            .post_json("/v2/users/customer", &p.pat_token, &customer(name, email))
            .await;
        assert_eq!(response.status(), 201);
    }
    let invited = app
        .post_json(
            "/v2/users/invite",
            &p.pat_token,
            &json!({"user": {"email": "new@reseller.example"}}),
        )
        .await;
    assert_eq!(invited.status(), 201);

    // Pat holds customers: not deletable, not unmade.
    let can: Value = app
        .get(&format!("/v2/users/{}/can_delete", p.pat), &p.root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(can["can_delete"], false);
    assert!(can["reasons"][0]
        .as_str()
        .unwrap()
        .contains("2 customer organizations"));
    assert_error(
        app.delete(&format!("/v2/users/{}/partner", p.pat), &p.root)
            .await,
        409,
    )
    .await;

    // Customers need a partner: the plain Admin can't take them.
    assert_error(
        app.put_json(
            &format!("/v2/users/{}/inherit", p.plain_admin),
            &p.plain_admin_token,
            &json!({"from_user_id": p.pat}),
        )
        .await,
        409,
    )
    .await;
    // Nobody takes over from themselves; an unknown user is a 404; another organization's
    // Admin sees neither; a body without `from_user_id` is a 422.
    assert_error(
        app.put_json(
            &format!("/v2/users/{}/inherit", p.quinn),
            &p.plain_admin_token,
            &json!({"from_user_id": p.quinn}),
        )
        .await,
        422,
    )
    .await;
    assert_error(
        app.put_json(
            &format!("/v2/users/{}/inherit", p.quinn),
            &p.plain_admin_token,
            &json!({"from_user_id": uuid::Uuid::new_v4()}),
        )
        .await,
        404,
    )
    .await;
    assert_error(
        app.put_json(
            &format!("/v2/users/{}/inherit", p.quinn),
            &p.stranger_token,
            &json!({"from_user_id": p.pat}),
        )
        .await,
        404,
    )
    .await;
    assert_error(
        app.put_json(
            &format!("/v2/users/{}/inherit", p.quinn),
            &p.plain_admin_token,
            &json!({}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(app.audited("user.inherit").await, 0);

    // Quinn, a partner too, takes over.
    let response = app
        .put_json(
            &format!("/v2/users/{}/inherit", p.quinn),
            &p.plain_admin_token,
            &json!({"from_user_id": p.pat}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let handed: Value = response.json().await.unwrap();
    assert_eq!(
        handed["data"],
        json!({"customer_organizations": 2, "pending_invitations": 3})
    );
    assert_eq!(app.audited("user.inherit").await, 1);
    let can: Value = app
        .get(&format!("/v2/users/{}/can_delete", p.pat), &p.root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(can, json!({"can_delete": true, "reasons": []}));
    let quinn_can: Value = app
        .get(&format!("/v2/users/{}/can_delete", p.quinn), &p.root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(quinn_can["can_delete"], false);

    // transfer_resources is the same hand-over with both users named: back to Pat.
    let response = app
        .put_json(
            "/v2/user/transfer_resources",
            &p.root,
            &json!({"from_user_id": p.quinn, "to_user_id": p.pat}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let handed: Value = response.json().await.unwrap();
    assert_eq!(handed["data"]["customer_organizations"], 2);
    // A User hands nothing over.
    app.add_user(&p.partner_org, "user@reseller.example", Role::User)
        .await;
    let user_token = app.token_for("user@reseller.example", USER_PASSWORD).await;
    assert_error(
        app.put_json(
            "/v2/user/transfer_resources",
            &user_token,
            &json!({"from_user_id": p.pat, "to_user_id": p.quinn}),
        )
        .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn parallel_hand_overs_between_the_same_two_partners_neither_deadlock_nor_lose_customers() {
    let p = partners().await;
    let app = &p.app;
    for i in 0..3 {
        let response = app
            .post_json(
                "/v2/users/customer",
                &p.pat_token,
                &customer(&format!("Customer {i}"), &format!("c{i}@customer.example")),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let bodies: Vec<Value> = (0..10)
        .map(|i| {
            let (from, to) = if i % 2 == 0 {
                (&p.pat, &p.quinn)
            } else {
                (&p.quinn, &p.pat)
            };
            json!({"from_user_id": from, "to_user_id": to})
        })
        .collect();
    let mut requests = Vec::new();
    for body in &bodies {
        requests.push(app.put_json("/v2/user/transfer_resources", &p.root, body));
    }
    for response in futures::future::join_all(requests).await {
        assert_eq!(response.status(), 200);
    }
    let mut reasons = Vec::new();
    for id in [&p.pat, &p.quinn] {
        let can: Value = app
            .get(&format!("/v2/users/{id}/can_delete"), &p.root)
            .await
            .json()
            .await
            .unwrap();
        reasons.push(can["reasons"].to_string());
    }
    let (pat, quinn) = (&reasons[0], &reasons[1]);
    // All three customers are with exactly one of them.
    assert!(
        pat.contains("3 customer organizations") ^ quinn.contains("3 customer organizations"),
        "{pat} / {quinn}"
    );
}
