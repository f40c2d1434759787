//! Notification preferences (API.md §5): the user's own choices over their organization's
//! defaults, locked defaults, and every way a request can be wrong.

use crate::helpers::{assert_error, spawn_app, TestApp, USER_PASSWORD};
use app::domain::Role;
use serde_json::{json, Value};

const LIST: &str = "/v2/user/preferences/notifications";

struct Org {
    app: TestApp,
    org: String,
    root: String,
    admin: String,
    user: String,
    stranger: String,
}

async fn org() -> Org {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    let other = app
        .create_organization(&root, json!({"name": "Beta", "company_name": "Beta Ltd"}))
        .await;
    app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    app.add_user(&org, "user@alpha.example", Role::User).await;
    app.add_user(&other, "admin@beta.example", Role::Admin)
        .await;
    Org {
        admin: app.token_for("admin@alpha.example", USER_PASSWORD).await,
        user: app.token_for("user@alpha.example", USER_PASSWORD).await,
        stranger: app.token_for("admin@beta.example", USER_PASSWORD).await,
        app,
        org,
        root,
    }
}

async fn preferences(app: &TestApp, token: &str) -> Vec<Value> {
    let response = app.get(LIST, token).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|p| p["attributes"]["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list:?}"))
}

#[tokio::test]
async fn every_user_has_the_four_preferences_in_the_seed_shape() {
    let o = org().await;
    let list = preferences(&o.app, &o.user).await;
    let names: Vec<&str> = list
        .iter()
        .map(|p| p["attributes"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "scan_event",
            "report_event",
            "exception_event",
            "overdue_pci_reminder"
        ]
    );
    let scan = named(&list, "scan_event");
    assert_eq!(scan["type"], "notification_preferences");
    assert!(uuid::Uuid::parse_str(scan["id"].as_str().unwrap()).is_ok());
    let a = &scan["attributes"];
    assert_eq!(a["notification_type"], "scan_event");
    assert_eq!(a["enabled"], false, "off without a default");
    assert_eq!(a["code"], Value::Null);
    assert_eq!(
        a["params"],
        json!({"when_status": [], "if_completed": [], "if_severity": []})
    );
    assert_eq!(a["channels"], json!({"email": true, "in_app": true}));
    assert_eq!(a["locked"], false);
    assert!(a["created_at"].as_str().unwrap().ends_with('Z'));
    // The same rows on every read.
    assert_eq!(preferences(&o.app, &o.user).await, list);
    assert_error(o.app.get(LIST, "not-a-token").await, 401).await;
}

#[tokio::test]
async fn parallel_first_reads_create_each_preference_once() {
    let o = org().await;
    let reads: Vec<_> = (0..10).map(|_| o.app.get(LIST, &o.user)).collect();
    let mut ids = Vec::new();
    for response in futures::future::join_all(reads).await {
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        let mut these: Vec<String> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        these.sort();
        ids.push(these);
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    assert_eq!(o.app.count("notification_preferences").await, 4);
}

#[tokio::test]
async fn a_user_enables_with_params_and_channels_then_disables() {
    let o = org().await;
    let app = &o.app;
    let response = app
        .put_json(
            &format!("{LIST}/scan_event/enable"),
            &o.user,
            &json!({"params": {"when_status": ["failed", "completed", "failed"], "if_severity": [9, 6]},
                    "channels": {"email": false}}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let saved: Value = response.json().await.unwrap();
    let a = &saved["data"]["attributes"];
    assert_eq!(a["enabled"], true);
    assert_eq!(
        a["params"],
        json!({"when_status": ["completed", "failed"], "if_completed": [], "if_severity": [6, 9]})
    );
    assert_eq!(a["channels"], json!({"email": false, "in_app": true}));
    assert_eq!(a["customized"], true);
    assert_eq!(app.audited("notification_preference.update").await, 1);

    // Disable keeps the params for the next enable; an enable without a body keeps them too.
    let off = app
        .client
        .put(app.url(&format!("{LIST}/scan_event/disable")))
        .bearer_auth(&o.user)
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);
    let off: Value = off.json().await.unwrap();
    assert_eq!(off["data"]["attributes"]["enabled"], false);
    assert_eq!(
        off["data"]["attributes"]["params"]["if_severity"],
        json!([6, 9])
    );
    let on = app
        .put_json(&format!("{LIST}/scan_event/enable"), &o.user, &json!({}))
        .await;
    assert_eq!(on.status(), 200);
    let list = preferences(app, &o.user).await;
    let scan = &named(&list, "scan_event")["attributes"];
    assert_eq!(scan["enabled"], true);
    assert_eq!(
        scan["params"]["when_status"],
        json!(["completed", "failed"])
    );
    // Another user's preferences are untouched.
    let admin = preferences(app, &o.admin).await;
    assert_eq!(named(&admin, "scan_event")["attributes"]["enabled"], false);
}

#[tokio::test]
async fn bad_preference_requests_are_named_and_change_nothing() {
    let o = org().await;
    let app = &o.app;
    let before = preferences(app, &o.user).await;
    let body = assert_error(
        app.put_json(&format!("{LIST}/weekly_digest/enable"), &o.user, &json!({}))
            .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "name");
    for (bad, field) in [
        (
            json!({"params": {"when_status": ["done"]}}),
            "params.when_status[0]",
        ),
        (
            json!({"params": {"if_completed": "pass"}}),
            "params.if_completed",
        ),
        (
            json!({"params": {"if_severity": [11]}}),
            "params.if_severity[0]",
        ),
        (
            json!({"params": {"if_severity": [-1]}}),
            "params.if_severity[0]",
        ),
        (json!({"params": {"colour": ["red"]}}), "params.colour"),
        (json!({"params": [1]}), "params"),
        (json!({"channels": {"sms": true}}), "channels.sms"),
        (json!({"channels": {"email": "yes"}}), "channels.email"),
        (
            json!({"params": {"when_status": ["ab\u{0000}cd"]}}),
            "params.when_status[0]",
        ),
    ] {
        let body = assert_error(
            app.put_json(&format!("{LIST}/scan_event/enable"), &o.user, &bad)
                .await,
            422,
        )
        .await;
        assert_eq!(body["errors"][0]["field"], field, "{bad}");
    }
    assert_error(
        app.put_json(
            &format!("{LIST}/scan_event/disable"),
            &o.user,
            &json!({"params": {"if_severity": [1]}}),
        )
        .await,
        422,
    )
    .await;
    assert_error(
        app.put_json(
            &format!("{LIST}/scan_event/enable"),
            &o.user,
            &json!({"extra": 1}),
        )
        .await,
        422,
    )
    .await;
    // A body that isn't declared as JSON, and one that isn't JSON.
    let undeclared = app
        .client
        .put(app.url(&format!("{LIST}/scan_event/enable")))
        .bearer_auth(&o.user)
        .body("{\"params\": {}}")
        .send()
        .await
        .unwrap();
    assert_error(undeclared, 415).await;
    let broken = app
        .client
        .put(app.url(&format!("{LIST}/scan_event/enable")))
        .bearer_auth(&o.user)
        .header("content-type", "application/json")
        .body("{\"params\": ")
        .send()
        .await
        .unwrap();
    assert_error(broken, 400).await;
    assert_eq!(preferences(app, &o.user).await, before);
    assert_eq!(app.audited("notification_preference.update").await, 0);
}

#[tokio::test]
async fn organization_defaults_reach_users_who_have_not_chosen_and_locked_ones_everyone() {
    let o = org().await;
    let app = &o.app;
    let path = format!("/v2/organizations/{}/notification_defaults", o.org);
    // The user turns report_event off for themselves before any default exists.
    let off = app
        .put_json(&format!("{LIST}/report_event/disable"), &o.user, &json!({}))
        .await;
    assert_eq!(off.status(), 200);

    let response = app
        .put_json(
            &path,
            &o.admin,
            &json!({"notification_defaults": {
                "scan_event": {"enabled": true, "params": {"if_completed": ["fail"]}},
                "report_event": {"enabled": true},
            }}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let defaults: Value = response.json().await.unwrap();
    assert_eq!(defaults["data"].as_array().unwrap().len(), 4);
    assert_eq!(defaults["data"][0]["name"], "scan_event");
    assert_eq!(defaults["data"][0]["enabled"], true);
    assert_eq!(defaults["data"][2]["updated_at"], Value::Null);
    assert_eq!(app.audited("notification_defaults.update").await, 1);

    let list = preferences(app, &o.user).await;
    let scan = &named(&list, "scan_event")["attributes"];
    assert_eq!(scan["enabled"], true, "the default reaches them");
    assert_eq!(scan["params"]["if_completed"], json!(["fail"]));
    assert_eq!(scan["customized"], false);
    let report = &named(&list, "report_event")["attributes"];
    assert_eq!(report["enabled"], false, "their own choice stays");

    // Locked: on for everyone, and they can't turn it off; unlocked, their choice is back.
    let locked = app
        .put_json(
            &path,
            &o.admin,
            &json!({"notification_defaults": {"report_event": {"locked": true}}}),
        )
        .await;
    assert_eq!(locked.status(), 200);
    let list = preferences(app, &o.user).await;
    let report = &named(&list, "report_event")["attributes"];
    assert_eq!(
        (report["enabled"].clone(), report["locked"].clone()),
        (json!(true), json!(true))
    );
    assert_error(
        app.put_json(&format!("{LIST}/report_event/disable"), &o.user, &json!({}))
            .await,
        403,
    )
    .await;
    // Enabling a locked one (to set params, say) is fine.
    let tuned = app
        .put_json(
            &format!("{LIST}/report_event/enable"),
            &o.user,
            &json!({"params": {"if_severity": [10]}}),
        )
        .await;
    assert_eq!(tuned.status(), 200);
    app.put_json(
        &path,
        &o.admin,
        &json!({"notification_defaults": {"report_event": {"locked": false}}}),
    )
    .await;
    let list = preferences(app, &o.user).await;
    assert_eq!(
        named(&list, "report_event")["attributes"]["enabled"],
        true,
        "the enable above was theirs"
    );
}

#[tokio::test]
async fn who_may_read_and_set_defaults_and_what_a_bad_body_changes() {
    let o = org().await;
    let app = &o.app;
    let path = format!("/v2/organizations/{}/notification_defaults", o.org);
    let body = json!({"notification_defaults": {"scan_event": {"enabled": true}}});
    assert_eq!(app.get(&path, &o.admin).await.status(), 200);
    assert_eq!(app.get(&path, &o.root).await.status(), 200);
    assert_error(app.get(&path, &o.user).await, 403).await;
    assert_error(app.get(&path, &o.stranger).await, 404).await;
    assert_error(app.put_json(&path, &o.user, &body).await, 403).await;
    assert_error(app.put_json(&path, &o.stranger, &body).await, 404).await;
    assert_error(
        app.get(
            &format!(
                "/v2/organizations/{}/notification_defaults",
                uuid::Uuid::new_v4()
            ),
            &o.root,
        )
        .await,
        404,
    )
    .await;
    let bad = assert_error(
        app.put_json(
            &path,
            &o.admin,
            &json!({"notification_defaults": {
                "colour": {"enabled": true},
                "scan_event": {"enabled": "yes", "params": {"when_status": ["x"]}, "muted": true},
            }}),
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "notification_defaults.colour",
        "notification_defaults.scan_event.enabled",
        "notification_defaults.scan_event.params.when_status[0]",
        "notification_defaults.scan_event.muted",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let defaults: Value = app.get(&path, &o.admin).await.json().await.unwrap();
    assert!(defaults["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["enabled"] == false && d["updated_at"].is_null()));
    assert_eq!(app.audited("notification_defaults.update").await, 0);
}
