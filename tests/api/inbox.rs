//! In-app notifications (API.md §6): a user's own inbox with its counts, filters, read and seen
//! marks one by one or all at once, deletion, and nothing of anyone else's.

use crate::helpers::{assert_error, spawn_app, TestApp, USER_PASSWORD};
use app::domain::Role;
use serde_json::{json, Value};

struct Inbox {
    app: TestApp,
    user: String,
    other: String,
}

/// A user with five scan notifications and two report notifications, and a colleague with one.
async fn inbox() -> Inbox {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, "user@alpha.example", Role::User).await;
    app.add_user(&org, "other@alpha.example", Role::User).await;
    let user = app.token_for("user@alpha.example", USER_PASSWORD).await;
    let other = app.token_for("other@alpha.example", USER_PASSWORD).await;
    for token in [&user, &other] {
        for name in ["scan_event", "report_event"] {
            let response = app
                .put_json(
                    &format!("/v2/user/preferences/notifications/{name}/enable"),
                    token,
                    &json!({"channels": {"email": false}}),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    }
    // The colleague gets one of each, then turns reports off.
    let response = app
        .put_json(
            "/v2/user/preferences/notifications/report_event/disable",
            &other,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let token = app
        .put_json(
            "/v2/user/preferences/notifications/scan_event/disable",
            &other,
            &json!({}),
        )
        .await;
    assert_eq!(token.status(), 200);
    for n in 0..5 {
        if n == 4 {
            let response = app
                .put_json(
                    "/v2/user/preferences/notifications/scan_event/enable",
                    &other,
                    &json!({}),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
        let response = app
            .post_json(
                "/v2/events",
                &root,
                &json!({"event": {"type": "scan_event", "organization_id": org, "title": format!("Scan {n}")}}),
            )
            .await;
        assert_eq!(response.status(), 202);
    }
    for n in 0..2 {
        let response = app
            .post_json(
                "/v2/events",
                &root,
                &json!({"event": {"type": "report_event", "organization_id": org, "title": format!("Report {n}")}}),
            )
            .await;
        assert_eq!(response.status(), 202);
    }
    Inbox { app, user, other }
}

async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get(&format!("/v2/notifications{query}"), token).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn titles(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["attributes"]["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_user_lists_filters_marks_and_deletes_their_own_notifications() {
    let i = inbox().await;
    let app = &i.app;
    let all = list(app, &i.user, "").await;
    assert_eq!(
        titles(&all),
        ["Report 1", "Report 0", "Scan 4", "Scan 3", "Scan 2", "Scan 1", "Scan 0"],
        "newest first"
    );
    let meta = &all["meta"];
    assert_eq!(meta["total_count"], 7);
    assert_eq!(meta["unread_count"], 7);
    assert_eq!(meta["unseen_count"], 7);
    assert_eq!(meta["page"], 1);

    let scans = list(
        app,
        &i.user,
        "?q[notification_type]=scan_event&per_page=2&page=2",
    )
    .await;
    assert_eq!(titles(&scans), ["Scan 2", "Scan 1"]);
    assert_eq!(scans["meta"]["total_count"], 5);
    assert_eq!(scans["meta"]["total_pages"], 3);
    let wildcard = list(app, &i.user, "?q[notification_type]=REPORT*").await;
    assert_eq!(wildcard["meta"]["total_count"], 2);

    let id = |n: usize| all["data"][n]["id"].as_str().unwrap().to_string();
    let read = app
        .put_json(
            &format!("/v2/notifications/{}/read", id(0)),
            &i.user,
            &json!({}),
        )
        .await;
    assert_eq!(read.status(), 200);
    assert_eq!(read.json::<Value>().await.unwrap(), json!({}));
    // Twice is no error and changes no count.
    let again = app
        .put_json(
            &format!("/v2/notifications/{}/read", id(0)),
            &i.user,
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), 200);
    let seen = app
        .put_json(
            &format!("/v2/notifications/{}/seen", id(1)),
            &i.user,
            &json!({}),
        )
        .await;
    assert_eq!(seen.status(), 200);
    let one: Value = app
        .get(&format!("/v2/notifications/{}", id(0)), &i.user)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["data"]["attributes"]["read"], true);
    assert_eq!(
        one["data"]["attributes"]["seen"], true,
        "reading one sees it"
    );
    assert!(one["data"]["attributes"]["read_at"].is_string());

    let unread = list(app, &i.user, "?q[read]=false").await;
    assert_eq!(unread["meta"]["total_count"], 6);
    assert_eq!(unread["meta"]["unread_count"], 6);
    assert_eq!(unread["meta"]["unseen_count"], 5);
    assert_eq!(
        list(app, &i.user, "?q[read]=true").await["meta"]["total_count"],
        1
    );
    assert_eq!(
        list(app, &i.user, "?q[seen]=TRUE").await["meta"]["total_count"],
        2
    );
    assert_eq!(
        list(app, &i.user, "?q[read]=false&q[seen]=true").await["meta"]["total_count"],
        1
    );
    assert_eq!(
        list(
            app,
            &i.user,
            "?q[read]=false&q[notification_type]=report_event"
        )
        .await["meta"]["total_count"],
        1
    );

    let seen_all = app
        .put_json("/v2/notifications/seen_all", &i.user, &json!({}))
        .await;
    assert_eq!(seen_all.status(), 200);
    let after = list(app, &i.user, "").await;
    assert_eq!(after["meta"]["unseen_count"], 0);
    assert_eq!(after["meta"]["unread_count"], 6);
    let read_all = app
        .put_json("/v2/notifications/read_all", &i.user, &json!({}))
        .await;
    assert_eq!(read_all.status(), 200);
    assert_eq!(list(app, &i.user, "").await["meta"]["unread_count"], 0);

    let deleted = app
        .delete(&format!("/v2/notifications/{}", id(2)), &i.user)
        .await;
    assert_eq!(deleted.status(), 204);
    assert_error(
        app.get(&format!("/v2/notifications/{}", id(2)), &i.user)
            .await,
        404,
    )
    .await;
    assert_error(
        app.delete(&format!("/v2/notifications/{}", id(2)), &i.user)
            .await,
        404,
    )
    .await;
    let remaining = list(app, &i.user, "").await;
    assert_eq!(remaining["meta"]["total_count"], 6);
    assert_eq!(titles(&remaining).len(), 6);
}

#[tokio::test]
async fn another_users_notification_is_a_404_and_their_marks_touch_only_their_own() {
    let i = inbox().await;
    let app = &i.app;
    let theirs = list(app, &i.other, "").await;
    assert_eq!(titles(&theirs), ["Scan 4"]);
    let their_id = theirs["data"][0]["id"].as_str().unwrap().to_string();
    for response in [
        app.get(&format!("/v2/notifications/{their_id}"), &i.user)
            .await,
        app.put_json(
            &format!("/v2/notifications/{their_id}/read"),
            &i.user,
            &json!({}),
        )
        .await,
        app.put_json(
            &format!("/v2/notifications/{their_id}/seen"),
            &i.user,
            &json!({}),
        )
        .await,
        app.delete(&format!("/v2/notifications/{their_id}"), &i.user)
            .await,
        app.get("/v2/notifications/not-a-uuid", &i.user).await,
    ] {
        assert_error(response, 404).await;
    }
    let read_all = app
        .put_json("/v2/notifications/read_all", &i.user, &json!({}))
        .await;
    assert_eq!(read_all.status(), 200);
    let theirs = list(app, &i.other, "").await;
    assert_eq!(theirs["meta"]["unread_count"], 1, "untouched");
    assert_eq!(theirs["data"][0]["attributes"]["read"], false);
    let anonymous = app
        .client
        .get(app.url("/v2/notifications"))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
}

#[tokio::test]
async fn bad_filters_are_named_and_odd_input_is_no_error() {
    let i = inbox().await;
    let app = &i.app;
    for (query, field) in [
        ("?q[read]=maybe", "q[read]"),
        ("?q[seen]=1", "q[seen]"),
        ("?q[colour]=red", "q[colour]"),
        ("?sort_by=title", "sort_by"),
        ("?q[notification_type]=scan%00event", "q[notification_type]"),
        ("?q=%00", "q"),
        ("?per_page=101", "per_page"),
    ] {
        let error = assert_error(
            app.get(&format!("/v2/notifications{query}"), &i.user).await,
            422,
        )
        .await;
        assert_eq!(error["errors"][0]["field"], field, "{query}");
    }
    // Odd Unicode is just a search that matches nothing.
    for query in [
        "?q=%F0%9F%94%A5",
        "?q[notification_type]=%E2%80%AE",
        "?q=Sc%C3%A0n*",
    ] {
        let body = list(app, &i.user, query).await;
        assert_eq!(body["meta"]["total_count"], 0, "{query}");
    }
    assert_eq!(
        list(app, &i.user, "?q=Scan").await["meta"]["total_count"],
        5
    );
}

/// Every filter of type, read and seen that the counters answer: `meta.total_count` is the number
/// of rows the same filters list.
async fn assert_totals_match_rows(app: &TestApp, token: &str, moment: &str) {
    for notification_type in [
        "",
        "&q[notification_type]=scan_event",
        "&q[notification_type]=Report_Event",
        "&q[notification_type]=exception_event",
    ] {
        for read in ["", "&q[read]=true", "&q[read]=false"] {
            for seen in ["", "&q[seen]=true", "&q[seen]=false"] {
                let query = format!("?per_page=100{notification_type}{read}{seen}");
                let body = list(app, token, &query).await;
                let rows = body["data"].as_array().unwrap().len();
                assert_eq!(body["meta"]["total_count"], rows, "{moment}: {query}");
            }
        }
    }
}

#[tokio::test]
async fn the_totals_of_a_type_filter_follow_marks_and_deletes() {
    let i = inbox().await;
    let app = &i.app;
    assert_totals_match_rows(app, &i.user, "as delivered").await;
    let all = list(app, &i.user, "").await;
    let id = |n: usize| all["data"][n]["id"].as_str().unwrap().to_string();
    // "Report 1", "Report 0", "Scan 4", ...: a report read, a scan seen, another scan read.
    for (path, moment) in [
        (format!("/v2/notifications/{}/read", id(0)), "a report read"),
        (format!("/v2/notifications/{}/seen", id(2)), "a scan seen"),
        (format!("/v2/notifications/{}/read", id(3)), "a scan read"),
    ] {
        let response = app.put_json(&path, &i.user, &json!({})).await;
        assert_eq!(response.status(), 200, "{moment}");
        assert_totals_match_rows(app, &i.user, moment).await;
    }
    let deleted = app
        .delete(&format!("/v2/notifications/{}", id(1)), &i.user)
        .await;
    assert_eq!(deleted.status(), 204);
    assert_totals_match_rows(app, &i.user, "an unread report deleted").await;
    let read_all = app
        .put_json("/v2/notifications/read_all", &i.user, &json!({}))
        .await;
    assert_eq!(read_all.status(), 200);
    assert_totals_match_rows(app, &i.user, "all read").await;
    let scans = list(
        app,
        &i.user,
        "?q[notification_type]=scan_event&q[read]=true",
    )
    .await;
    assert_eq!(scans["meta"]["total_count"], 5);
    // The colleague's own counts are theirs alone.
    assert_totals_match_rows(app, &i.other, "the colleague's").await;
}
