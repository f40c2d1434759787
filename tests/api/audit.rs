//! The audit trail (API.md §8, issue 8): `GET /v2/audit/events[/{id}]` — every change, who made
//! it (and the impersonating admin), each field's before and after with secrets masked; a Super
//! Admin reads all of it, an Admin their organization's, a User nothing.

use crate::helpers::{assert_error, spawn_app, TestApp, ADMIN_EMAIL, USER_PASSWORD};
use app::domain::Role;
use app::server::db::Sql;
use serde_json::{json, Value};

async fn events(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app
        .client
        .get(app.url(&format!("/v2/audit/events{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_change_is_listed_with_its_diff_and_found_by_its_filters() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(
            &root,
            json!({"name": "Acme", "company_name": "Acme Inc", "city": "Berlin"}),
        )
        .await;
    let response = app
        .put_json(
            &format!("/v2/organizations/{org}"),
            &root,
            &json!({"organization": {"city": "Paris"}}),
        )
        .await;
    assert_eq!(response.status(), 200);

    let page = events(
        &app,
        &root,
        &format!("?q[action]=organization.update&q[target_id]={org}"),
    )
    .await;
    assert_eq!(page["meta"]["total_count"], 1, "{page}");
    let event = &page["data"][0];
    assert_eq!(event["type"], "audit_events");
    let a = &event["attributes"];
    assert_eq!(a["action"], "organization.update");
    assert_eq!(a["actor"]["email"], ADMIN_EMAIL);
    assert_eq!(a["impersonator"], Value::Null);
    assert_eq!(a["target_type"], "organizations");
    assert_eq!(a["target_name"], "Acme");
    assert_eq!(a["organization_id"], org.as_str());
    assert_eq!(
        a["changes"]["city"],
        json!({"from": "Berlin", "to": "Paris"})
    );
    assert!(a["created_at"].as_str().unwrap().ends_with('Z'));

    let id = event["id"].as_str().unwrap();
    let one: Value = app
        .get(&format!("/v2/audit/events/{id}"), &root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["data"], *event);

    // Newest first by default; other sorts and the search box's q.
    let all = events(&app, &root, "").await;
    let times: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["created_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    let searched = events(&app, &root, "?q=organization.cre").await;
    assert!(searched["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["attributes"]["action"] == "organization.create"));
    assert!(searched["meta"]["total_count"].as_u64().unwrap() >= 1);
    let by_kind = events(
        &app,
        &root,
        "?q[target_type]=ORGANIZATIONS&sort_by=action:asc",
    )
    .await;
    assert!(by_kind["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["attributes"]["target_type"] == "organizations"));
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%d");
    let future = events(&app, &root, &format!("?date_range_start={tomorrow}")).await;
    assert_eq!(future["meta"]["total_count"], 0);
}

#[tokio::test]
async fn admins_read_their_organization_users_nothing_and_others_are_404() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let acme = app
        .create_organization(&root, json!({"name": "Acme", "company_name": "Acme Inc"}))
        .await;
    let globex = app
        .create_organization(
            &root,
            json!({"name": "Globex", "company_name": "Globex Inc"}),
        )
        .await;
    app.add_user(&acme, "admin@acme.example", Role::Admin).await;
    app.add_user(&acme, "user@acme.example", Role::User).await;
    let admin = app.token_for("admin@acme.example", USER_PASSWORD).await;
    let user = app.token_for("user@acme.example", USER_PASSWORD).await;
    for (org, city) in [(&acme, "Athens"), (&globex, "Geneva")] {
        let response = app
            .put_json(
                &format!("/v2/organizations/{org}"),
                &root,
                &json!({"organization": {"city": city}}),
            )
            .await;
        assert_eq!(response.status(), 200);
    }

    let mine = events(&app, &admin, "").await;
    let seen: Vec<&str> = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["organization_id"].as_str().unwrap())
        .collect();
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|org| *org == acme), "only Acme's: {seen:?}");
    assert!(mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["attributes"]["action"] == "user.sign_in"
            && e["attributes"]["actor"]["email"] == "user@acme.example"));

    let theirs = events(
        &app,
        &root,
        &format!("?q[action]=organization.update&q[target_id]={globex}"),
    )
    .await;
    let globex_event = theirs["data"][0]["id"].as_str().unwrap().to_string();
    assert_error(
        app.get(&format!("/v2/audit/events/{globex_event}"), &admin)
            .await,
        404,
    )
    .await;
    assert_eq!(
        app.get(&format!("/v2/audit/events/{globex_event}"), &root)
            .await
            .status(),
        200
    );

    assert_error(app.get("/v2/audit/events", &user).await, 403).await;
    let acme_event = mine["data"][0]["id"].as_str().unwrap().to_string();
    assert_error(
        app.get(&format!("/v2/audit/events/{acme_event}"), &user)
            .await,
        403,
    )
    .await;
    let anonymous = app
        .client
        .get(app.url("/v2/audit/events"))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
}

#[tokio::test]
async fn secrets_stay_masked_and_an_impersonated_change_names_both_identities() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let issued: Value = app
        .put_json("/v2/user/access_token", &root, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let raw = issued["access_token"].as_str().unwrap().to_string();
    let page = events(&app, &root, "?q[action]=access_token.generate").await;
    let text = page.to_string();
    assert!(!text.contains(&raw), "the token never appears");
    assert_eq!(
        page["data"][0]["attributes"]["changes"]["access_token"],
        json!({"from": null, "to": "[hidden]"})
    );

    // A row a careless writer left with a secret in it is masked on the way out.
    let org: (String,) = app
        .db
        .fetch_optional(
            &Sql::new("SELECT organization_id FROM users WHERE email = $1").bind(ADMIN_EMAIL),
        )
        .await
        .unwrap()
        .unwrap();
    app.db
        .execute(
            &Sql::new(
                "INSERT INTO audit_events (id, actor_id, organization_id, action, target_type, changes, created_at) \
                 VALUES ($1, NULL, $2, 'test.secret', 'users', $3, $4)",
            )
            .bind(app::server::db::new_id())
            .bind(org.0.as_str())
            .bind(r#"{"password": {"from": "hunter2", "to": "hunter3"}, "nested": {"otp_secret": "JBSWY3DP"}}"#)
            .bind(chrono::Utc::now()),
        )
        .await
        .unwrap();
    let page = events(&app, &root, "?q[action]=test.secret").await;
    let text = page.to_string();
    assert!(
        !text.contains("hunter") && !text.contains("JBSWY3DP"),
        "{text}"
    );
    assert_eq!(page["data"][0]["attributes"]["actor"], Value::Null);

    // An admin acting as Ada changes her profile: the event names Ada and the admin.
    let acme = app
        .create_organization(&root, json!({"name": "Acme", "company_name": "Acme Inc"}))
        .await;
    let ada = app.add_user(&acme, "ada@acme.example", Role::User).await;
    let root_id: (String,) = app
        .db
        .fetch_optional(&Sql::new("SELECT id FROM users WHERE email = $1").bind(ADMIN_EMAIL))
        .await
        .unwrap()
        .unwrap();
    let (acting, _) = app.impersonate(&root, &ada).await;
    let response = app
        .put_json("/v2/user/me", &acting, &json!({"user": {"city": "Patras"}}))
        .await;
    assert_eq!(response.status(), 200);
    let page = events(
        &app,
        &root,
        &format!("?q[action]=user.update&q[target_id]={ada}"),
    )
    .await;
    let a = &page["data"][0]["attributes"];
    assert_eq!(a["actor"]["email"], "ada@acme.example");
    assert_eq!(a["impersonator"]["email"], ADMIN_EMAIL);
    assert_eq!(a["impersonator"]["id"], root_id.0.as_str());
}

#[tokio::test]
async fn bad_audit_queries_get_the_error_body() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    for query in [
        "?q[ip]=127.0.0.1",
        "?q[action]=ab%00cd",
        "?q=%00",
        "?sort_by=changes",
        "?per_page=101",
        "?date_range_start=-5000-01-01",
        "?relative_date_range=forever",
    ] {
        let response = app
            .client
            .get(app.url(&format!("/v2/audit/events{query}")))
            .bearer_auth(&root)
            .send()
            .await
            .unwrap();
        let body = assert_error(response, 422).await;
        assert_eq!(body["status_text"], "Parameter Error", "{query}");
    }
    // Odd but searchable text finds nothing, and says so with a 200.
    let page = events(
        &app,
        &root,
        "?q[action]=%C3%9CN%C3%8FCODE*&q[actor_id]='x*'",
    )
    .await;
    assert_eq!(page["meta"]["total_count"], 0);
    for id in [
        "not-a-uuid",
        "ab%00cd",
        "00000000-0000-0000-0000-000000000000",
    ] {
        assert_error(app.get(&format!("/v2/audit/events/{id}"), &root).await, 404).await;
    }
}

/// The screens: `/audit` lists and filters without JavaScript, an event's page shows the diff.
#[tokio::test]
async fn the_audit_pages_render_the_list_and_an_events_changes() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(
            &root,
            json!({"name": "Acme", "company_name": "Acme Inc", "city": "Berlin"}),
        )
        .await;
    app.put_json(
        &format!("/v2/organizations/{org}"),
        &root,
        &json!({"organization": {"city": "Paris"}}),
    )
    .await;
    let cookie = app.admin_session_cookie().await;
    let html = app
        .page_html("/audit?action=organization.update", &cookie)
        .await;
    assert!(html.contains("Organization updated"), "the action in words");
    let page = events(&app, &root, "?q[action]=organization.update").await;
    let id = page["data"][0]["id"].as_str().unwrap();
    assert!(
        html.contains(&format!("/audit/{id}")),
        "rows link to the event"
    );
    let created = events(&app, &root, "?q[action]=organization.create").await;
    let created = created["data"][0]["id"].as_str().unwrap();
    assert!(
        !html.contains(&format!("/audit/{created}")),
        "the filter applies"
    );
    let detail = app.page_html(&format!("/audit/{id}"), &cookie).await;
    for expected in [
        "Organization updated",
        "Berlin",
        "Paris",
        ADMIN_EMAIL,
        "Everything on this target",
    ] {
        assert!(detail.contains(expected), "{expected}");
    }
    let missing = app
        .page_html("/audit/00000000-0000-0000-0000-000000000000", &cookie)
        .await;
    assert!(missing.contains("not found"), "a missing event says so");
}
