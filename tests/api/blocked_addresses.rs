//! Addresses blocked by the per-IP limit of failed sign-ins (API.md §2, issue 8): audited when the
//! limit is reached, listed to a Super Admin, and lifted by one.

use crate::helpers::{assert_error, spawn_app_with, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};
use app::domain::Role;
use serde_json::Value;

/// Every request of the suite comes from the loopback address.
const HERE: &str = "127.0.0.1";

/// A Super Admin's token and an Admin's, both taken before the address is blocked.
async fn tokens(app: &TestApp) -> (String, String) {
    let root = app.admin_token().await;
    let org = app
        .create_organization(
            &root,
            serde_json::json!({"name": "Alpha", "company_name": "Alpha Ltd"}),
        )
        .await;
    app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    let admin = app
        .token_for("admin@alpha.example", crate::helpers::USER_PASSWORD)
        .await;
    (root, admin)
}

async fn block_here(app: &TestApp, limit: usize) {
    for i in 0..limit {
        let response = app
            .sign_in_owned(format!("nobody{i}@steward.test"), "x")
            .await;
        assert_eq!(response.status(), 401);
    }
    assert_error(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await, 429).await;
}

async fn listed(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get("/v2/blocked_addresses", token).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_blocked_address_is_audited_listed_and_lifted_by_a_super_admin() {
    let app = spawn_app_with(|c| c.sign_in_rate_limit = 3).await;
    let (root, admin) = tokens(&app).await;
    assert!(listed(&app, &root).await.is_empty());

    block_here(&app, 3).await;
    assert_error(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await, 429).await;
    // Once per block, not once per refusal.
    assert_eq!(app.audited("address.blocked").await, 1);

    let blocked = listed(&app, &root).await;
    assert_eq!(blocked.len(), 1, "{blocked:?}");
    assert_eq!(blocked[0]["address"], HERE);
    assert_eq!(blocked[0]["failed_attempts"], 5);
    assert!(blocked[0]["blocked_until"].is_string());

    // An Admin manages their users, not an address every tenant shares.
    assert_error(app.get("/v2/blocked_addresses", &admin).await, 403).await;
    assert_error(
        app.delete(&format!("/v2/blocked_addresses/{HERE}"), &admin)
            .await,
        403,
    )
    .await;
    assert_eq!(listed(&app, &root).await.len(), 1);

    let lifted = app
        .delete(&format!("/v2/blocked_addresses/{HERE}"), &root)
        .await;
    assert_eq!(lifted.status(), 204);
    assert_eq!(app.audited("address.unblocked").await, 1);
    assert!(listed(&app, &root).await.is_empty());
    assert_eq!(app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), 200);

    // Not blocked any more: nothing to lift, nothing recorded.
    assert_error(
        app.delete(&format!("/v2/blocked_addresses/{HERE}"), &root)
            .await,
        404,
    )
    .await;
    assert_eq!(app.audited("address.unblocked").await, 1);

    // The count started over: three more failures block it again, audited again.
    block_here(&app, 3).await;
    assert_eq!(app.audited("address.blocked").await, 2);
}

#[tokio::test]
async fn a_parallel_burst_is_audited_once_and_a_parallel_lift_succeeds_once() {
    let app = spawn_app_with(|c| c.sign_in_rate_limit = 3).await;
    let (root, _) = tokens(&app).await;
    let burst = (0..30).map(|i| app.sign_in_owned(format!("nobody{i}@steward.test"), "x"));
    let statuses: Vec<u16> = futures::future::join_all(burst)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 3);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 27);
    assert_eq!(app.audited("address.blocked").await, 1);

    let path = format!("/v2/blocked_addresses/{HERE}");
    let lifts = (0..8).map(|_| app.delete(&path, &root));
    let statuses: Vec<u16> = futures::future::join_all(lifts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 204).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 404).count(),
        7,
        "{statuses:?}"
    );
    assert_eq!(app.audited("address.unblocked").await, 1);
}

#[tokio::test]
async fn odd_addresses_are_not_found_and_change_nothing() {
    let app = spawn_app_with(|c| c.sign_in_rate_limit = 3).await;
    let (root, _) = tokens(&app).await;
    block_here(&app, 3).await;
    for odd in [
        "%00",
        "127.0.0.1%00",
        "%E2%80%AE1.0.0.721",
        "unknown%0A",
        &"9".repeat(300),
        "%20",
    ] {
        let response = app
            .delete(&format!("/v2/blocked_addresses/{odd}"), &root)
            .await;
        assert_error(response, 404).await;
    }
    assert_eq!(listed(&app, &root).await.len(), 1);
    assert_eq!(app.audited("address.unblocked").await, 0);
}

#[tokio::test]
async fn the_page_lifts_an_address_with_a_plain_form_post() {
    let app = spawn_app_with(|c| c.sign_in_rate_limit = 3).await;
    let cookie = app.admin_session_cookie().await;
    let (root, _) = tokens(&app).await;
    block_here(&app, 3).await;

    let page = app.page_html("/blocked_addresses", &cookie).await;
    assert!(page.contains("<code>127.0.0.1</code>"), "{page}");
    let response = app
        .post_page_form("/api/blocked_addresses/lift", &cookie, &[("address", HERE)])
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()["location"],
        "/blocked_addresses?notice=address_unblocked"
    );
    assert!(listed(&app, &root).await.is_empty());
    let page = app
        .page_html("/blocked_addresses?notice=address_unblocked", &cookie)
        .await;
    assert!(page.contains("No address is blocked"), "{page}");
    assert!(page.contains("Address unblocked"), "{page}");
}
