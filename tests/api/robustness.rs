//! What a bad network or an attacker does: clients that stop reading, headers that never end,
//! bytes no database can search, parallel writers.

use crate::helpers::{assert_error, spawn_app, spawn_app_with, TestApp};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opens a connection, sends `request` whole or in part, and hands back the socket unread.
async fn raw_connection(app: &TestApp, request: &str) -> TcpStream {
    let mut stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

#[tokio::test]
async fn exports_that_nobody_reads_do_not_take_the_service_down() {
    let app = spawn_app_with(|c| c.export_stall_timeout = Duration::from_secs(2)).await;
    // Enough rows that the CSV overflows every socket buffer between us and the server.
    app::server::services::seed::seed(&app.db, 40_000, 0)
        .await
        .unwrap();
    let token = app.admin_token().await;
    let host = app.address.trim_start_matches("http://").to_string();
    let request = format!(
        "GET /v2/organizations/export HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    // More non-reading exports than either database has pooled connections.
    let mut stalled = Vec::new();
    for _ in 0..17 {
        stalled.push(raw_connection(&app, &request).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Everybody else is still served.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    for _ in 0..5 {
        let list = client
            .get(app.url("/v2/organizations?q=wonka"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(list.status(), 200);
        let ready = client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 200);
    }
    // Abandoned exports give their budget back: a reading client gets the whole file.
    drop(stalled);
    let csv = client
        .get(app.url("/v2/organizations/export"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let lines = csv.text().await.unwrap().lines().count();
    assert_eq!(
        lines,
        40_000 + 1 + 1,
        "header, the seeded rows and the admin's own"
    );
}

#[tokio::test]
async fn connections_that_never_finish_their_headers_are_closed() {
    let app = spawn_app_with(|c| c.header_read_timeout = Duration::from_secs(1)).await;
    let mut trickling = Vec::new();
    for _ in 0..20 {
        trickling.push(raw_connection(&app, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await);
    }
    for mut stream in trickling {
        let mut rest = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "the server closed the connection");
    }
    // Prompt clients are unaffected.
    let ok = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(ok.status(), 200);
}

/// Reads one `/healthz` response (small, with a Content-Length) off a kept-alive connection.
async fn read_healthz_response(stream: &mut TcpStream) -> String {
    let mut buffer = vec![0; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
        .await
        .expect("a response within 5 s")
        .unwrap_or(0);
    String::from_utf8_lossy(&buffer[..read]).into_owned()
}

#[tokio::test]
async fn kept_alive_connections_outlive_the_header_timeout() {
    // A load balancer keeps its upstream connections open between requests for a minute or more;
    // the slowloris guard must not close them while they are idle (the balancer would answer the
    // request that lands on a closing connection with a 502).
    let app = spawn_app_with(|c| {
        c.header_read_timeout = Duration::from_secs(1);
        c.idle_connection_timeout = Duration::from_secs(30);
    })
    .await;
    let request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut stream = raw_connection(&app, request).await;
    let first = read_healthz_response(&mut stream).await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    stream.write_all(request.as_bytes()).await.unwrap();
    let second = read_healthz_response(&mut stream).await;
    assert!(
        second.starts_with("HTTP/1.1 200"),
        "the idle connection was still open after 2.5 s: {second:?}"
    );
}

#[tokio::test]
async fn nul_bytes_and_impossible_dates_are_422_everywhere() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    app.create_organization(&token, json!({"name": "Acme", "company_name": "Acme Inc"}))
        .await;
    for query in [
        "q=ab%00cd",
        "q=%00",
        "q[name]=%00",
        "q[city]=Berlin%00",
        "q[email]=*%00*",
        "date_range_start=-5000-01-01",
        "date_range_end=99999-01-01",
    ] {
        for path in ["/v2/organizations", "/v2/organizations/export"] {
            let body = assert_error(app.get(&format!("{path}?{query}"), &token).await, 422).await;
            assert!(
                !body["errors"].as_array().unwrap().is_empty(),
                "{path}?{query}"
            );
        }
    }
    // The page shows the problem instead of failing.
    let cookie = app.admin_session_cookie().await;
    let page = app
        .client
        .get(app.url("/organizations?q=ab%00cd"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 500);
    // Odd but storable Unicode is just text.
    for query in [
        "q=%E2%80%AE%F0%9F%98%80",
        "q[name]=%C3%9CN%C3%8FCODE*",
        "q=%EF%BF%BF",
    ] {
        let response = app.get(&format!("/v2/organizations?{query}"), &token).await;
        assert_eq!(response.status(), 200, "{query}");
    }
}

#[tokio::test]
async fn parallel_updates_without_if_match_all_apply() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = app
        .create_organization(&token, json!({"name": "Acme", "company_name": "Acme Inc"}))
        .await;
    let path = format!("/v2/organizations/{id}");
    let updates = (0..16).map(|i| {
        let body = json!({"organization": {"city": format!("City {i}")}});
        let path = path.clone();
        let app = &app;
        let token = &token;
        async move { app.put_json(&path, token, &body).await.status().as_u16() }
    });
    let statuses = futures::future::join_all(updates).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let version = app.get(&path, &token).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(version, "\"17\"", "sixteen versions on top of the first");
}

#[tokio::test]
async fn if_match_may_list_several_tags() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = app
        .create_organization(&token, json!({"name": "Acme", "company_name": "Acme Inc"}))
        .await;
    let path = format!("/v2/organizations/{id}");
    let put = |if_match: &'static str, city: &'static str| {
        app.client
            .put(app.url(&path))
            .bearer_auth(&token)
            .header("if-match", if_match)
            .json(&json!({"organization": {"city": city}}))
            .send()
    };
    assert_eq!(put("\"1\"", "Berlin").await.unwrap().status(), 200);
    // Now at version 2: a list naming it matches, one that doesn't is 412.
    assert_eq!(put("\"1\", \"2\"", "Paris").await.unwrap().status(), 200);
    assert_error(put("\"1\", \"2\"", "Rome").await.unwrap(), 412).await;
    assert_eq!(put("W/\"3\"", "Oslo").await.unwrap().status(), 200);
}
