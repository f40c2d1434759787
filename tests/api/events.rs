//! Events (API.md §5): who an event reaches (the matching table over own choices, defaults,
//! locked defaults and channels), who may post one, idempotent retries under parallel bursts,
//! delivery that survives the instance that took it, and every way a body can be wrong.

use crate::helpers::{assert_error, spawn_app, spawn_app_with, TestApp, USER_PASSWORD};
use crate::smtp_server::SmtpServer;
use app::domain::Role;
use app::server::db::Sql;
use app::server::mailer::{SmtpSecurity, SmtpSettings};
use serde_json::{json, Value};
use std::time::Duration;

const EVENTS: &str = "/v2/events";

struct Org {
    app: TestApp,
    org: String,
    root: String,
    admin: String,
}

async fn org_of(app: TestApp) -> Org {
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    Org {
        admin: app.token_for("admin@alpha.example", USER_PASSWORD).await,
        app,
        org,
        root,
    }
}

fn scan(org: &str) -> Value {
    json!({"event": {"type": "scan_event", "organization_id": org, "status": "completed",
        "result": "fail", "severity": 6, "title": "Weekly scan of 10.0.0.0/24", "url": "/scans/42"}})
}

async fn notifications_of(app: &TestApp, email: &str) -> i64 {
    app.db
        .fetch_count(
            &Sql::new(
                "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = $1",
            )
            .bind(email),
        )
        .await
        .unwrap()
}

async fn event_emails_to(app: &TestApp, email: &str) -> i64 {
    app.db
        .fetch_count(
            &Sql::new(
                "SELECT COUNT(*) FROM outbox_messages WHERE recipient = $1 AND template = 'event'",
            )
            .bind(email),
        )
        .await
        .unwrap()
}

async fn post(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    let response = app.post_json(EVENTS, token, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The organization's defaults, as its Admin sets them.
async fn set_defaults(app: &TestApp, admin: &str, org: &str, defaults: Value) {
    let response = app
        .put_json(
            &format!("/v2/organizations/{org}/notification_defaults"),
            admin,
            &json!({ "notification_defaults": defaults }),
        )
        .await;
    assert_eq!(response.status(), 200, "{defaults}");
}

async fn enable(app: &TestApp, email: &str, name: &str, body: Value) {
    let token = app.token_for(email, USER_PASSWORD).await;
    let response = app
        .put_json(
            &format!("/v2/user/preferences/notifications/{name}/enable"),
            &token,
            &body,
        )
        .await;
    assert_eq!(response.status(), 200, "{email} enables {name}");
}

#[tokio::test]
async fn an_event_reaches_exactly_the_users_whose_effective_preference_matches() {
    let o = org_of(spawn_app().await).await;
    let app = &o.app;
    let other = app
        .create_organization(&o.root, json!({"name": "Beta", "company_name": "Beta Ltd"}))
        .await;
    // The organization's default: scans that completed, whatever the result or severity.
    set_defaults(
        app,
        &o.admin,
        &o.org,
        json!({"scan_event": {"enabled": true, "params": {"when_status": ["completed"]}}}),
    )
    .await;
    for email in [
        "follows@alpha.example",
        "severe-only@alpha.example",
        "fails@alpha.example",
        "off@alpha.example",
        "in-app-only@alpha.example",
        "email-only@alpha.example",
        "silent@alpha.example",
        "empty-lists@alpha.example",
    ] {
        app.add_user(&o.org, email, Role::User).await;
    }
    app.add_user(&other, "elsewhere@beta.example", Role::User)
        .await;
    enable(
        app,
        "severe-only@alpha.example",
        "scan_event",
        json!({"params": {"if_severity": [9, 10]}}),
    )
    .await;
    enable(
        app,
        "fails@alpha.example",
        "scan_event",
        json!({"params": {"if_completed": ["fail"], "if_severity": [5, 6]}}),
    )
    .await;
    enable(
        app,
        "in-app-only@alpha.example",
        "scan_event",
        json!({"channels": {"email": false}}),
    )
    .await;
    enable(
        app,
        "email-only@alpha.example",
        "scan_event",
        json!({"channels": {"in_app": false}}),
    )
    .await;
    enable(
        app,
        "silent@alpha.example",
        "scan_event",
        json!({"channels": {"email": false, "in_app": false}}),
    )
    .await;
    enable(
        app,
        "empty-lists@alpha.example",
        "scan_event",
        json!({"params": {"when_status": [], "if_completed": [], "if_severity": []}}),
    )
    .await;
    let token = app.token_for("off@alpha.example", USER_PASSWORD).await;
    let response = app
        .put_json(
            "/v2/user/preferences/notifications/scan_event/disable",
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    // An invited user who never confirmed hears nothing.
    let response = app
        .post_json(
            "/v2/users/invite",
            &o.admin,
            &json!({"user": {"email": "invited@alpha.example", "role": "User"}}),
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());

    let (status, body) = post(app, &o.admin, &scan(&o.org)).await;
    assert_eq!(status, 202, "{body}");
    assert!(uuid::Uuid::parse_str(body["data"]["id"].as_str().unwrap()).is_ok());
    // (in-app, email) per user.
    let expected = [
        ("admin@alpha.example", 1, 1),
        ("follows@alpha.example", 1, 1),
        ("severe-only@alpha.example", 0, 0),
        ("fails@alpha.example", 1, 1),
        ("off@alpha.example", 0, 0),
        ("in-app-only@alpha.example", 1, 0),
        ("email-only@alpha.example", 0, 1),
        ("silent@alpha.example", 0, 0),
        ("empty-lists@alpha.example", 1, 1),
        ("invited@alpha.example", 0, 0),
        ("elsewhere@beta.example", 0, 0),
    ];
    for (email, in_app, emails) in expected {
        assert_eq!(
            notifications_of(app, email).await,
            in_app,
            "{email}: in-app"
        );
        assert_eq!(event_emails_to(app, email).await, emails, "{email}: email");
    }
    assert_eq!(body["data"]["recipients"], 6, "{body}");

    // A started scan matches nobody who asked for completed ones; a locked default reaches
    // even the user who turned it off.
    set_defaults(
        app,
        &o.admin,
        &o.org,
        json!({"scan_event": {"locked": true, "params": {}}}),
    )
    .await;
    let mut started = scan(&o.org);
    started["event"]["status"] = json!("started");
    let (status, _) = post(app, &o.admin, &started).await;
    assert_eq!(status, 202);
    assert_eq!(
        notifications_of(app, "off@alpha.example").await,
        1,
        "locked wins"
    );
    assert_eq!(
        notifications_of(app, "fails@alpha.example").await,
        2,
        "own params don't name a status"
    );
    assert_eq!(
        notifications_of(app, "follows@alpha.example").await,
        2,
        "the new default has no params"
    );

    // The notification as its recipient reads it.
    let token = app.token_for("follows@alpha.example", USER_PASSWORD).await;
    let list: Value = app
        .get("/v2/notifications?sort_by=created_at:asc", &token)
        .await
        .json()
        .await
        .unwrap();
    let first = &list["data"][0];
    assert_eq!(first["type"], "notifications");
    assert_eq!(first["attributes"]["notification_type"], "scan_event");
    assert_eq!(first["attributes"]["title"], "Weekly scan of 10.0.0.0/24");
    assert_eq!(first["attributes"]["url"], "/scans/42");
    assert_eq!(first["attributes"]["event_id"], body["data"]["id"]);
    assert_eq!(first["attributes"]["read"], false);
    assert!(first["attributes"]["body"]
        .as_str()
        .unwrap()
        .contains("severity 6"));
}

#[tokio::test]
async fn only_administrators_of_the_organization_post_and_others_learn_nothing() {
    let o = org_of(spawn_app().await).await;
    let app = &o.app;
    app.add_user(&o.org, "user@alpha.example", Role::User).await;
    let other = app
        .create_organization(&o.root, json!({"name": "Beta", "company_name": "Beta Ltd"}))
        .await;
    app.add_user(&other, "admin@beta.example", Role::Admin)
        .await;
    let user = app.token_for("user@alpha.example", USER_PASSWORD).await;
    let stranger = app.token_for("admin@beta.example", USER_PASSWORD).await;

    assert_error(app.post_json(EVENTS, &user, &scan(&o.org)).await, 403).await;
    assert_error(app.post_json(EVENTS, &stranger, &scan(&o.org)).await, 404).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_error(app.post_json(EVENTS, &o.admin, &scan(&unknown)).await, 404).await;
    let anonymous = app
        .client
        .post(app.url(EVENTS))
        .json(&scan(&o.org))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
    assert_eq!(app.count("events").await, 0);

    let (status, _) = post(app, &o.root, &scan(&o.org)).await;
    assert_eq!(status, 202, "a Super Admin posts to any organization");
    assert_eq!(app.count("events").await, 1);
    assert_eq!(app.audited("event.create").await, 1);
}

#[tokio::test]
async fn a_malformed_event_names_every_bad_field_and_changes_nothing() {
    let o = org_of(spawn_app().await).await;
    let app = &o.app;
    set_defaults(
        app,
        &o.admin,
        &o.org,
        json!({"scan_event": {"enabled": true}}),
    )
    .await;
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({}), vec!["event"]),
        (json!({"event": []}), vec!["event"]),
        (
            json!({"event": {"type": "scan", "organization_id": o.org, "title": "x"}}),
            vec!["event.type"],
        ),
        (
            json!({"event": {"type": "scan_event", "organization_id": o.org, "title": "x",
                "status": "done", "result": "maybe", "severity": 11, "colour": "red"}}),
            vec![
                "event.colour",
                "event.status",
                "event.result",
                "event.severity",
            ],
        ),
        (
            json!({"event": {"type": "scan_event", "organization_id": o.org, "title": "a\u{0}b", "severity": "6"}}),
            vec!["event.severity", "event.title"],
        ),
        (
            json!({"event": {"type": "scan_event", "organization_id": o.org, "title": "x", "url": "javascript:alert(1)"}}),
            vec!["event.url"],
        ),
        (
            json!({"event": {"type": "scan_event", "organization_id": "not-an-id", "title": " "}}),
            vec!["event.organization_id", "event.title"],
        ),
        (
            json!({"event": {"type": "scan_event", "organization_id": o.org, "title": "y".repeat(201)}}),
            vec!["event.title"],
        ),
    ];
    for (body, fields) in cases {
        let error = assert_error(app.post_json(EVENTS, &o.admin, &body).await, 422).await;
        let named: Vec<&str> = error["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(named, fields, "{body}");
    }
    let raw = app
        .client
        .post(app.url(EVENTS))
        .bearer_auth(&o.admin)
        .header("content-type", "application/json")
        .body("{\"event\": ")
        .send()
        .await
        .unwrap();
    assert_error(raw, 400).await;
    assert_eq!(app.count("events").await, 0);
    assert_eq!(app.count("notifications").await, 0);
    assert_eq!(app.count("outbox_messages").await, 0);
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_creates_nothing_even_in_a_parallel_burst() {
    let o = org_of(spawn_app().await).await;
    let app = &o.app;
    set_defaults(
        app,
        &o.admin,
        &o.org,
        json!({"scan_event": {"enabled": true}}),
    )
    .await;
    let send = |key: &'static str, body: Value| {
        let request = app
            .client
            .post(app.url(EVENTS))
            .bearer_auth(&o.admin)
            .header("Idempotency-Key", key)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            let replayed = response.headers().contains_key("idempotent-replayed");
            let status = response.status().as_u16();
            (status, replayed, response.json::<Value>().await.unwrap())
        }
    };
    let burst: Vec<_> = (0..12)
        .map(|_| send("scan-42-completed", scan(&o.org)))
        .collect();
    let answers = futures::future::join_all(burst).await;
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|(status, _, body)| {
            assert_eq!(*status, 202, "{body}");
            body["data"]["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "one event for every retry: {answers:?}");
    assert_eq!(
        answers.iter().filter(|(_, replayed, _)| !replayed).count(),
        1
    );
    assert_eq!(app.count("events").await, 1);
    assert_eq!(notifications_of(app, "admin@alpha.example").await, 1);
    assert_eq!(event_emails_to(app, "admin@alpha.example").await, 1);

    // The same key for something else is refused; a new key is a new event.
    let mut other = scan(&o.org);
    other["event"]["severity"] = json!(9);
    let (status, _, body) = send("scan-42-completed", other.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");
    let (status, _, _) = send("scan-43-completed", other).await;
    assert_eq!(status, 202);
    assert_eq!(app.count("events").await, 2);
    let (status, _, body) = send("bad key with spaces", scan(&o.org)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(app.count("events").await, 2);
}

#[tokio::test]
async fn what_an_instance_accepted_another_delivers_after_it_is_gone() {
    // A web-only instance takes the event and is killed right after its 202: the answer means
    // the emails were stored, and another instance on the same database sends every one, once.
    let o = org_of(spawn_app_with(|config| config.deliver_outbox = false).await).await;
    set_defaults(
        &o.app,
        &o.admin,
        &o.org,
        json!({"report_event": {"enabled": true}}),
    )
    .await;
    for n in 0..20 {
        o.app
            .add_user(&o.org, &format!("reader{n}@alpha.example"), Role::User)
            .await;
    }
    let (status, body) = post(
        &o.app,
        &o.admin,
        &json!({"event": {"type": "report_event", "organization_id": o.org, "title": "Q3 report is ready"}}),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["data"]["recipients"], 21);
    o.app.server.abort();

    let server = SmtpServer::start().await;
    let port = server.port;
    let url = o.app.database_url.clone();
    let _restarted = spawn_app_with(move |config| {
        config.database_url = url;
        config.smtp = Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
        });
    })
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let sent = server
            .messages()
            .iter()
            .filter(|m| m.contains("Q3 report is ready"))
            .count();
        if sent >= 21 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let sent = server
                .messages()
                .iter()
                .filter(|m| m.contains("Q3 report is ready"))
                .count();
            assert_eq!(sent, 21, "each email once");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {sent} of 21 delivered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
