//! The outbox: what a change writes is delivered by the worker over real SMTP (a server on
//! loopback), retried when the server refuses, sent once however many workers compete, never
//! written when the change fails; and `GET /v2/outbox` shows it to a Super Admin only.

use crate::helpers::{assert_error, spawn_app, spawn_app_with, TestApp, USER_PASSWORD};
use crate::smtp_server::SmtpServer;
use app::domain::Role;
use app::server::db::{now, Sql};
use app::server::mailer::{Mailer, SmtpSecurity, SmtpSettings};
use app::server::services::outbox;
use serde_json::{json, Value};
use std::time::Duration;

fn smtp_settings(server: &SmtpServer) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port: server.port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
    }
}

async fn app_with_smtp(server: &SmtpServer) -> TestApp {
    let settings = smtp_settings(server);
    spawn_app_with(move |config| {
        config.smtp = Some(settings);
        config.mail_from = "Steward Test <noreply@steward.test>".into();
    })
    .await
}

async fn status_of(app: &TestApp, to: &str) -> (String, i64, Option<String>) {
    app.db
        .fetch_optional::<(String, i64, Option<String>)>(
            &Sql::new(
                "SELECT status, attempts, last_error FROM outbox_messages WHERE recipient = $1",
            )
            .bind(to),
        )
        .await
        .unwrap()
        .expect("a message")
}

/// Waits (up to 10 s) until the message to `to` has `status`.
async fn wait_for_status(app: &TestApp, to: &str, status: &str) -> (String, i64, Option<String>) {
    for _ in 0..200 {
        let current = status_of(app, to).await;
        if current.0 == status {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{to}: still {:?}", status_of(app, to).await);
}

async fn invite(app: &TestApp, token: &str, email: &str) {
    let response = app
        .post_json(
            "/v2/users/invite",
            token,
            &json!({"user": {"email": email}}),
        )
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn an_invitation_reaches_the_smtp_server_with_both_bodies() {
    let server = SmtpServer::start().await;
    let app = app_with_smtp(&server).await;
    let root = app.admin_token().await;
    invite(&app, &root, "reader@example.com").await;
    let (_, attempts, error) = wait_for_status(&app, "reader@example.com", "sent").await;
    assert_eq!((attempts, error), (1, None));
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let raw = &messages[0];
    assert!(raw.contains("To: reader@example.com"), "{raw}");
    assert!(
        raw.contains("From: \"Steward Test\" <noreply@steward.test>")
            || raw.contains("From: Steward Test <noreply@steward.test>"),
        "{raw}"
    );
    assert!(
        raw.contains("text/plain") && raw.contains("text/html"),
        "{raw}"
    );
    let token = app
        .emailed_token("reader@example.com", "/invitation/")
        .await;
    // The link in the delivered mail is the one the outbox holds (bodies may be encoded).
    assert!(
        raw.replace("=\n", "").contains(&token[..16]),
        "the link is in the mail"
    );
}

#[tokio::test]
async fn a_refusing_server_leaves_the_message_waiting_and_a_later_round_sends_it() {
    let server = SmtpServer::start().await;
    server.refuse_next(1);
    let app = app_with_smtp(&server).await;
    let root = app.admin_token().await;
    invite(&app, &root, "busy@example.com").await;
    // The change succeeded; the message waits with the reason.
    let (status, attempts, error) = wait_until_tried(&app, "busy@example.com").await;
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(error.unwrap().contains("451"), "the SMTP answer is kept");
    assert!(server.messages().is_empty());
    let listed: Value = app
        .get("/v2/outbox?q[status]=pending", &root)
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["data"][0]["attributes"]["last_error"]
        .as_str()
        .unwrap()
        .contains("451"));

    // The retry is due after the backoff: a round an hour later sends it.
    let mailer = Mailer::new(Some(&smtp_settings(&server)), "noreply@steward.test").unwrap();
    outbox::deliver_due(&app.db, &mailer, now() + chrono::Duration::hours(1))
        .await
        .unwrap();
    let (_, attempts, error) = status_of(&app, "busy@example.com").await;
    assert_eq!((attempts, error), (2, None));
    assert_eq!(server.messages().len(), 1);
}

async fn wait_until_tried(app: &TestApp, to: &str) -> (String, i64, Option<String>) {
    for _ in 0..200 {
        let current = status_of(app, to).await;
        if current.1 > 0 && current.2.is_some() {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{to} was never tried");
}

#[tokio::test]
async fn a_down_server_fails_the_attempt_not_the_change() {
    // A port with nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = spawn_app_with(move |config| {
        config.smtp = Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
        });
    })
    .await;
    let root = app.admin_token().await;
    invite(&app, &root, "patient@example.com").await;
    let (status, attempts, error) = wait_until_tried(&app, "patient@example.com").await;
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    assert!(!error.unwrap().is_empty());
}

#[tokio::test]
async fn competing_workers_send_each_message_once() {
    let server = SmtpServer::start().await;
    // The app's own worker competes too.
    let app = app_with_smtp(&server).await;
    let root = app.admin_token().await;
    for i in 0..30 {
        invite(&app, &root, &format!("many{i}@example.com")).await;
    }
    let mailer = Mailer::new(Some(&smtp_settings(&server)), "noreply@steward.test").unwrap();
    let rounds = (0..4).map(|_| outbox::deliver_due(&app.db, &mailer, now()));
    for round in futures::future::join_all(rounds).await {
        round.unwrap();
    }
    for _ in 0..200 {
        let pending = app
            .db
            .fetch_count(&Sql::new(
                "SELECT COUNT(*) FROM outbox_messages WHERE status <> 'sent'",
            ))
            .await
            .unwrap();
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut recipients: Vec<String> = server
        .messages()
        .iter()
        .filter_map(|m| {
            m.lines()
                .find(|l| l.starts_with("To: "))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(recipients.len(), 30, "each once");
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 30, "no duplicates");
}

#[tokio::test]
async fn without_smtp_the_outbox_is_the_delivery_and_only_a_super_admin_reads_it() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    let admin = app.token_for("admin@alpha.example", USER_PASSWORD).await;
    invite(&app, &admin, "stored@alpha.example").await;
    wait_for_status(&app, "stored@alpha.example", "stored").await;

    let listed: Value = app.get("/v2/outbox", &root).await.json().await.unwrap();
    assert_eq!(listed["meta"]["total_count"], 1);
    let message = &listed["data"][0];
    assert_eq!(message["type"], "outbox_messages");
    assert_eq!(message["attributes"]["template"], "invitation");
    assert_eq!(message["attributes"]["recipient"], "stored@alpha.example");
    assert!(message["attributes"]["body_text"]
        .as_str()
        .unwrap()
        .contains("/invitation/"));
    assert!(message["attributes"]["body_html"]
        .as_str()
        .unwrap()
        .contains("<a href="));

    assert_error(app.get("/v2/outbox", &admin).await, 403).await;
    assert_error(
        app.client.get(app.url("/v2/outbox")).send().await.unwrap(),
        401,
    )
    .await;
    // An unknown status matches nothing, like any filter value.
    let lost: Value = app
        .get("/v2/outbox?q[status]=lost", &root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lost["meta"]["total_count"], 0);
    let unknown = app.get("/v2/outbox?q[body]=x", &root).await;
    assert_error(unknown, 422).await;
    let nul = app.get("/v2/outbox?q[recipient]=a%00b", &root).await;
    assert_error(nul, 422).await;
    let found: Value = app
        .get("/v2/outbox?q[recipient]=*@ALPHA.example", &root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["meta"]["total_count"], 1);
}
