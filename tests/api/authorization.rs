//! The authorization matrix (issue 8): for every operation the OpenAPI document lists, the status
//! each kind of caller gets — anonymous, a User of the organization, its Admin, the Admin of
//! another organization, a Super Admin. The rows are checked against the document, so an endpoint
//! added without its row fails here. Each caller runs every row against a world of its own, so
//! one caller's successful delete can't change what the next one sees. A sixth caller is an
//! impersonation: a Super Admin acting as the User. It gets what the User gets, except where
//! `while_impersonating` says otherwise (the user's own credentials are not the admin's to change).

use crate::helpers::{spawn_app, TestApp, ADMIN_PASSWORD, USER_PASSWORD};
use app::domain::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    User,
    Admin,
    OtherAdmin,
    SuperAdmin,
    /// A Super Admin impersonating the User.
    Impersonating,
}

const CALLERS: [Who; 6] = [
    Who::Anonymous,
    Who::User,
    Who::Admin,
    Who::OtherAdmin,
    Who::SuperAdmin,
    Who::Impersonating,
];

/// Where an impersonation's answer differs from the User's: everything that would mint, keep or
/// end the user's credentials is refused to the acting admin.
fn while_impersonating(method: &str, path: &str) -> Option<u16> {
    match (method, path) {
        ("DELETE", "/v2/user/sessions" | "/v2/user/sessions/{id}") => Some(403),
        ("PUT", "/v2/user/access_token" | "/v2/user/access_token/revoke") => Some(403),
        ("POST", "/v2/user/2fa/enable" | "/v2/user/2fa/verify" | "/v2/user/2fa/recovery_codes")
        | ("PUT", "/v2/user/2fa/default_method")
        | ("DELETE", "/v2/user/2fa") => Some(403),
        _ => None,
    }
}

/// What `who` must get for `row`.
fn expected(row: &Row, who: Who, column: usize) -> u16 {
    match who {
        Who::Impersonating => while_impersonating(row.method, &row.path).unwrap_or(row.expect[1]),
        _ => row.expect[column],
    }
}

enum Body {
    None,
    Json(Value),
    Csv(&'static str),
}

struct Row {
    method: &'static str,
    /// As the document writes it.
    path: String,
    url: String,
    body: Body,
    /// Anonymous, User, Admin, other Admin, Super Admin.
    expect: [u16; 5],
}

fn row(
    method: &'static str,
    path: impl Into<String>,
    url: String,
    body: Body,
    expect: [u16; 5],
) -> Row {
    Row {
        method,
        path: path.into(),
        url,
        body,
        expect,
    }
}

/// Organization A (its Admin, a User, a target User, an invited user who hasn't accepted yet),
/// organization B (its Admin), an empty organization C, and a notification of A's User.
struct World {
    app: TestApp,
    org_a: String,
    org_c: String,
    target: String,
    invited: String,
    notification: String,
    /// A session of the target User: nobody else's to end.
    target_session: String,
    /// The audit event of organization A's creation.
    audit_event: String,
    tokens: [Option<String>; 6],
}

async fn world() -> World {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org_a = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    let org_b = app
        .create_organization(&root, json!({"name": "Beta", "company_name": "Beta Ltd"}))
        .await;
    let org_c = app
        .create_organization(&root, json!({"name": "Gamma", "company_name": "Gamma Ltd"}))
        .await;
    app.add_user(&org_a, "admin@alpha.example", Role::Admin)
        .await;
    let user_id = app.add_user(&org_a, "user@alpha.example", Role::User).await;
    let target = app
        .add_user(&org_a, "target@alpha.example", Role::User)
        .await;
    app.add_user(&org_b, "admin@beta.example", Role::Admin)
        .await;
    let invited: Value = app
        .post_json(
            "/v2/users/invite",
            &root,
            &json!({"user": {"email": "invited@alpha.example", "organization_id": org_a}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let invited = invited["data"]["id"]
        .as_str()
        .expect("the invited user")
        .to_string();
    let response = app
        .put_json(
            &format!("/v2/organizations/{org_a}/notification_defaults"),
            &root,
            &json!({"notification_defaults": {"scan_event": {"enabled": true}}}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = app
        .post_json(
            "/v2/events",
            &root,
            &json!({"event": {"type": "scan_event", "organization_id": org_a, "title": "Scan"}}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let user = app.token_for("user@alpha.example", USER_PASSWORD).await;
    let inbox: Value = app
        .get("/v2/notifications", &user)
        .await
        .json()
        .await
        .unwrap();
    let notification = inbox["data"][0]["id"].as_str().unwrap().to_string();
    let target_token = app.token_for("target@alpha.example", USER_PASSWORD).await;
    let sessions: Value = app
        .get("/v2/user/sessions", &target_token)
        .await
        .json()
        .await
        .unwrap();
    let target_session = sessions["data"][0]["id"].as_str().unwrap().to_string();
    let created: Value = app
        .get(
            &format!("/v2/audit/events?q[action]=organization.create&q[target_id]={org_a}"),
            &root,
        )
        .await
        .json()
        .await
        .unwrap();
    let audit_event = created["data"][0]["id"].as_str().unwrap().to_string();
    let acting: Value = app
        .client
        .post(app.url(&format!("/auth/impersonate?uuid={user_id}")))
        .bearer_auth(&root)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let acting = acting["token"]
        .as_str()
        .expect("an impersonation token")
        .to_string();
    let tokens = [
        None,
        Some(user),
        Some(app.token_for("admin@alpha.example", USER_PASSWORD).await),
        Some(app.token_for("admin@beta.example", USER_PASSWORD).await),
        Some(root),
        Some(acting),
    ];
    World {
        app,
        org_a,
        org_c,
        target,
        invited,
        notification,
        target_session,
        audit_event,
        tokens,
    }
}

/// Every operation, in an order where nothing a row changes spoils a later row: deletions last,
/// and the caller's own deletion and sign-out at the very end.
fn rows(w: &World, who: Who) -> Vec<Row> {
    use Body::{Csv, Json};
    let none = || Body::None;
    let (a, c, t, inv, n) = (&w.org_a, &w.org_c, &w.target, &w.invited, &w.notification);
    let ts = &w.target_session;
    let ae = &w.audit_event;
    let bad_token = "not-a-token";
    let password = if who == Who::SuperAdmin {
        ADMIN_PASSWORD
    } else {
        USER_PASSWORD
    };
    let mut rows = vec![
        // Public: everyone gets the same answer.
        row("GET", "/healthz", "/healthz".into(), none(), [200; 5]),
        row("GET", "/readyz", "/readyz".into(), none(), [200; 5]),
        row(
            "GET",
            "/v2/openapi.json",
            "/v2/openapi.json".into(),
            none(),
            [200; 5],
        ),
    ];
    for prefix in ["/auth", "/v2/auth"] {
        let p = |s: &str| format!("{prefix}{s}");
        rows.extend([
            row("POST", p("/sign_in"), p("/sign_in"), Json(json!({"username": "nobody@example.com", "password": "wrong password"})), [401; 5]),
            row("POST", p("/sign_in/recovery_code"), p("/sign_in/recovery_code"), Json(json!({"otp_session_state": bad_token, "recovery_code": "abcde-fghjk"})), [401; 5]),
            row("POST", p("/check_2fa"), p("/check_2fa"), Json(json!({"username": "nobody@example.com", "password": "wrong password"})), [401; 5]),
            row("POST", p("/send_sms_otp"), p("/send_sms_otp"), Json(json!({"otp_session_state": bad_token})), [401; 5]),
            row("POST", p("/password"), p("/password"), Json(json!({"email": "nobody@example.com"})), [202; 5]),
            row("PUT", p("/password"), p("/password"), Json(json!({"reset_password_token": bad_token, "password": "a new password 1", "password_confirmation": "a new password 1"})), [422; 5]),
            row("GET", p("/confirmation"), p(&format!("/confirmation?confirmation_token={bad_token}")), none(), [404; 5]),
            row("POST", p("/confirmation"), p("/confirmation"), Json(json!({"confirmation_token": bad_token})), [422; 5]),
            row("GET", p("/invitation"), p(&format!("/invitation?invitation_token={bad_token}")), none(), [404; 5]),
            row("PUT", p("/invitation"), p("/invitation"), Json(json!({"invitation_token": bad_token, "password": "a new password 1", "password_confirmation": "a new password 1"})), [422; 5]),
            // Impersonating the target User: their Admin and a Super Admin may; nobody else sees them.
            row("POST", p("/impersonate"), p(&format!("/impersonate?uuid={t}&reason=support")), none(), [401, 404, 200, 404, 200]),
            row("DELETE", p("/impersonate"), p("/impersonate"), Json(json!({"impersonator_revert_token": bad_token})), [401, 422, 422, 422, 422]),
        ]);
    }
    rows.extend([
        // Organizations.
        row("GET", "/v2/organizations", "/v2/organizations".into(), none(), [401, 200, 200, 200, 200]),
        row("POST", "/v2/organizations", "/v2/organizations".into(), Json(json!({"organization": {"name": "Delta", "company_name": "Delta Ltd"}})), [401, 403, 403, 403, 201]),
        row("GET", "/v2/organizations/export", "/v2/organizations/export".into(), none(), [401, 200, 200, 200, 200]),
        row("GET", "/v2/organizations/{id}", format!("/v2/organizations/{a}"), none(), [401, 200, 200, 404, 200]),
        row("PUT", "/v2/organizations/{id}", format!("/v2/organizations/{a}"), Json(json!({"organization": {"city": "Athens"}})), [401, 403, 200, 404, 200]),
        row("GET", "/v2/organizations/{id}/notification_defaults", format!("/v2/organizations/{a}/notification_defaults"), none(), [401, 403, 200, 404, 200]),
        row("PUT", "/v2/organizations/{id}/notification_defaults", format!("/v2/organizations/{a}/notification_defaults"), Json(json!({"notification_defaults": {"report_event": {"enabled": true}}})), [401, 403, 200, 404, 200]),
        // The current user.
        row("GET", "/v2/user/me", "/v2/user/me".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/v2/user/me", "/v2/user/me".into(), Json(json!({"user": {"city": "Patras"}})), [401, 200, 200, 200, 200]),
        row("GET", "/v2/user/organization", "/v2/user/organization".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/v2/user/organization", "/v2/user/organization".into(), Json(json!({"organization": {"city": "Volos"}})), [401, 403, 200, 200, 200]),
        row("GET", "/v2/user/can_delete", "/v2/user/can_delete".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/v2/user/password", "/v2/user/password".into(), Json(json!({"current_password": "not my password", "password": "a new password 1", "password_confirmation": "a new password 1"})), [401, 422, 422, 422, 422]),
        // The caller's own credentials: everyone has them; another user's session is a 404.
        row("GET", "/v2/user/sessions", "/v2/user/sessions".into(), none(), [401, 200, 200, 200, 200]),
        row("DELETE", "/v2/user/sessions/{id}", format!("/v2/user/sessions/{ts}"), none(), [401, 404, 404, 404, 404]),
        row("DELETE", "/v2/user/sessions", "/v2/user/sessions".into(), none(), [401, 204, 204, 204, 204]),
        row("GET", "/v2/user/token/valid", "/v2/user/token/valid".into(), none(), [401, 200, 200, 200, 200]),
        row("GET", "/v2/user/access_token", "/v2/user/access_token".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/v2/user/access_token", "/v2/user/access_token".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/v2/user/access_token/revoke", "/v2/user/access_token/revoke".into(), none(), [401, 200, 200, 200, 200]),
        // Two-factor authentication: everyone's own. Nobody has it on yet, so what needs it is a
        // 422, and a code that isn't six digits never matches.
        row("GET", "/v2/user/2fa/recovery_codes", "/v2/user/2fa/recovery_codes".into(), none(), [401, 200, 200, 200, 200]),
        row("POST", "/v2/user/2fa/recovery_codes", "/v2/user/2fa/recovery_codes".into(), none(), [401, 422, 422, 422, 422]),
        row("PUT", "/v2/user/2fa/default_method", "/v2/user/2fa/default_method".into(), Json(json!({"method": "totp"})), [401, 422, 422, 422, 422]),
        row("DELETE", "/v2/user/2fa", "/v2/user/2fa".into(), Json(json!({"password": password})), [401, 422, 422, 422, 422]),
        row("POST", "/v2/user/2fa/enable", "/v2/user/2fa/enable".into(), Json(json!({"method": "totp"})), [401, 200, 200, 200, 200]),
        row("POST", "/v2/user/2fa/verify", "/v2/user/2fa/verify".into(), Json(json!({"otp_attempt": "not-a-code"})), [401, 422, 422, 422, 422]),
        row("GET", "/v2/user/preferences/notifications", "/v2/user/preferences/notifications".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/v2/user/preferences/notifications/{name}/enable", "/v2/user/preferences/notifications/report_event/enable".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/v2/user/preferences/notifications/{name}/disable", "/v2/user/preferences/notifications/report_event/disable".into(), none(), [401, 200, 200, 200, 200]),
        // Events and notifications: a notification is its owner's only (A's User).
        row("POST", "/v2/events", "/v2/events".into(), Json(json!({"event": {"type": "report_event", "organization_id": a, "title": "Report"}})), [401, 403, 202, 404, 202]),
        row("GET", "/v2/notifications", "/v2/notifications".into(), none(), [401, 200, 200, 200, 200]),
        row("GET", "/v2/notifications/{id}", format!("/v2/notifications/{n}"), none(), [401, 200, 404, 404, 404]),
        row("PUT", "/v2/notifications/{id}/read", format!("/v2/notifications/{n}/read"), none(), [401, 200, 404, 404, 404]),
        row("PUT", "/v2/notifications/{id}/seen", format!("/v2/notifications/{n}/seen"), none(), [401, 200, 404, 404, 404]),
        row("PUT", "/v2/notifications/read_all", "/v2/notifications/read_all".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/v2/notifications/seen_all", "/v2/notifications/seen_all".into(), none(), [401, 200, 200, 200, 200]),
        // The notification policy (ZITADEL): the caller's own organization.
        row("GET", "/management/v1/policies/notification", "/management/v1/policies/notification".into(), none(), [401, 200, 200, 200, 200]),
        row("POST", "/management/v1/policies/notification", "/management/v1/policies/notification".into(), Json(json!({"passwordChange": true})), [401, 403, 200, 200, 200]),
        row("PUT", "/management/v1/policies/notification", "/management/v1/policies/notification".into(), Json(json!({"passwordChange": false})), [401, 403, 200, 200, 200]),
        row("DELETE", "/management/v1/policies/notification", "/management/v1/policies/notification".into(), none(), [401, 403, 200, 200, 200]),
        row("GET", "/management/v1/policies/default/notification", "/management/v1/policies/default/notification".into(), none(), [401, 200, 200, 200, 200]),
        row("PUT", "/admin/v1/policies/notification", "/admin/v1/policies/notification".into(), Json(json!({"passwordChange": true})), [401, 403, 403, 403, 200]),
        // Users.
        row("GET", "/v2/users", "/v2/users".into(), none(), [401, 200, 200, 200, 200]),
        row("GET", "/v2/users/export", "/v2/users/export".into(), none(), [401, 200, 200, 200, 200]),
        row("GET", "/v2/users/{id}", format!("/v2/users/{t}"), none(), [401, 404, 200, 404, 200]),
        row("GET", "/v2/users/{id}/can_delete", format!("/v2/users/{t}/can_delete"), none(), [401, 404, 200, 404, 200]),
        row("PUT", "/v2/users/{id}", format!("/v2/users/{t}"), Json(json!({"user": {"city": "Chania"}})), [401, 404, 200, 404, 200]),
        row("POST", "/v2/users", "/v2/users".into(), Json(json!({"user": {"email": "new@alpha.example", "organization_id": a, "password": "a new password 1"}})), [401, 403, 201, 404, 201]),
        row("POST", "/v2/users/invite", "/v2/users/invite".into(), Json(json!({"user": {"email": "guest@alpha.example", "organization_id": a}})), [401, 403, 201, 404, 201]),
        row("POST", "/v2/users/import", "/v2/users/import".into(), Csv("email,first_name\nimported@alpha.example,Ima\n"), [401, 403, 200, 200, 200]),
        row("POST", "/v2/users/{id}/resend_confirmation", format!("/v2/users/{inv}/resend_confirmation"), Json(json!({})), [401, 404, 202, 404, 202]),
        // Only an Admin can be a partner: the target (a User) can't (409).
        row("PUT", "/v2/users/{id}/partner", format!("/v2/users/{t}/partner"), none(), [401, 404, 403, 404, 409]),
        row("DELETE", "/v2/users/{id}/partner", format!("/v2/users/{t}/partner"), none(), [401, 404, 403, 404, 200]),
        // Not locked: an unlock changes nothing, but who may ask is decided all the same.
        row("PUT", "/v2/users/{id}/unlock", format!("/v2/users/{t}/unlock"), none(), [401, 404, 200, 404, 200]),
        row("POST", "/v2/users/customer", "/v2/users/customer".into(), Json(json!({"organization": {"name": "Epsilon", "company_name": "Epsilon Ltd"}, "user": {"email": "first@epsilon.example", "first_name": "Eps", "last_name": "Ilon"}})), [401, 403, 403, 403, 201]),
        row("PUT", "/v2/users/{id}/inherit", format!("/v2/users/{t}/inherit"), Json(json!({"from_user_id": inv})), [401, 403, 200, 404, 200]),
        row("PUT", "/v2/user/transfer_resources", "/v2/user/transfer_resources".into(), Json(json!({"from_user_id": inv, "to_user_id": t})), [401, 403, 200, 404, 200]),
        row("PUT", "/v2/organizations/change_user_organization", "/v2/organizations/change_user_organization".into(), Json(json!({"user_id": t, "organization_id": c})), [401, 404, 404, 404, 200]),
        row("GET", "/v2/outbox", "/v2/outbox".into(), none(), [401, 403, 403, 403, 200]),
        row("GET", "/v2/blocked_addresses", "/v2/blocked_addresses".into(), none(), [401, 403, 403, 403, 200]),
        // Nothing is blocked in the world: the Super Admin's lift finds nothing to lift.
        row("DELETE", "/v2/blocked_addresses/{address}", "/v2/blocked_addresses/192.0.2.1".into(), none(), [401, 403, 403, 403, 404]),
        // The audit trail: administrators, each their organization's part.
        row("GET", "/v2/audit/events", "/v2/audit/events".into(), none(), [401, 403, 200, 200, 200]),
        row("GET", "/v2/audit/events/{id}", format!("/v2/audit/events/{ae}"), none(), [401, 403, 200, 404, 200]),
        // Deletions, last.
        row("DELETE", "/v2/notifications/{id}", format!("/v2/notifications/{n}"), none(), [401, 204, 404, 404, 404]),
        row("DELETE", "/v2/users/{id}", format!("/v2/users/{t}"), none(), [401, 404, 204, 404, 204]),
        row("DELETE", "/v2/organizations/{id}", format!("/v2/organizations/{c}"), none(), [401, 404, 404, 404, 204]),
        // The caller's own account: a User may go; the last Admin of an organization and the
        // last Super Admin may not (409).
        row("DELETE", "/v2/user/me", "/v2/user/me".into(), Json(json!({"password": password})), [401, 204, 409, 409, 409]),
        row("DELETE", "/auth/sign_out", "/auth/sign_out".into(), none(), [401, 401, 204, 204, 204]),
        // Signed out by the row above: the alias answers as for anyone without a session.
        row("DELETE", "/v2/auth/sign_out", "/v2/auth/sign_out".into(), none(), [401; 5]),
    ]);
    rows
}

async fn send(app: &TestApp, token: Option<&str>, row: &Row) -> u16 {
    let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
    let mut request = app.client.request(method, app.url(&row.url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request = match &row.body {
        Body::None => request,
        Body::Json(body) => request.json(body),
        Body::Csv(text) => request.header("content-type", "text/csv").body(*text),
    };
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_operation_answers_each_kind_of_caller_as_the_rules_say() {
    // The document's operations, every one of which needs its row.
    let probe = world().await;
    let doc: Value = probe
        .app
        .client
        .get(probe.app.url("/v2/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "put", "post", "delete", "patch"].contains(&m.as_str()))
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let covered: BTreeSet<(String, String)> = rows(&probe, Who::SuperAdmin)
        .iter()
        .map(|r| (r.method.to_string(), r.path.clone()))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the matrix: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rows for operations the document doesn't list: {stale:?}"
    );
    drop(probe);

    let mut mismatches = Vec::new();
    for (column, who) in CALLERS.into_iter().enumerate() {
        let w = world().await;
        let token = w.tokens[column].clone();
        for row in rows(&w, who) {
            let got = send(&w.app, token.as_deref(), &row).await;
            let want = expected(&row, who, column);
            if got != want {
                mismatches.push(format!(
                    "{who:?} {} {}: expected {want}, got {got}",
                    row.method, row.path
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
