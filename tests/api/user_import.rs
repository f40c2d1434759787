//! `POST /v2/users/import`: a dry run lists every bad row and writes nothing, a fixed file is
//! imported whole (creates invite, updates keep role and organization), and a bad file — wrong
//! header, not UTF-8, formulas, duplicates, rows for other tenants — changes nothing.

use crate::helpers::{assert_error, spawn_app, TestApp, USER_PASSWORD};
use app::domain::Role;
use serde_json::{json, Value};

async fn import(app: &TestApp, token: &str, csv: &str, dry_run: bool) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/v2/users/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

async fn setup() -> (TestApp, String, String, String) {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let org = app
        .create_organization(&root, json!({"name": "Alpha", "company_name": "Alpha Ltd"}))
        .await;
    app.add_user(&org, "admin@alpha.example", Role::Admin).await;
    app.add_user(&org, "known@alpha.example", Role::User).await;
    let admin = app.token_for("admin@alpha.example", USER_PASSWORD).await;
    (app, root, org, admin)
}

#[tokio::test]
async fn a_dry_run_lists_every_bad_row_and_the_fixed_file_imports_whole() {
    let (app, root, _, admin) = setup().await;
    let other = app
        .create_organization(&root, json!({"name": "Beta", "company_name": "Beta Ltd"}))
        .await;
    let users_before = app.count("users").await;
    let bad = format!(
        "email,first_name,role,title,organization_id\r\n\
         new1@alpha.example,Ana,User,,\r\n\
         not-an-email,Bo,User,,\r\n\
         new2@alpha.example,Cy,Super Admin,,\r\n\
         known@alpha.example,Known,User,\"=HYPERLINK(\"\"http://evil\"\")\",\r\n\
         new3@alpha.example,Di,User,,{other}\r\n\
         NEW1@alpha.example,Dup,User,,\r\n"
    );
    let checked = import(&app, &admin, &bad, true).await;
    assert_eq!(checked.status(), 200);
    let report: Value = checked.json().await.unwrap();
    let errors: Vec<(u64, &str)> = report["data"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errors,
        vec![
            (3, "email"),
            (4, "role"),
            (5, "title"),
            (6, "organization_id"),
            (7, "email")
        ],
        "{report}"
    );
    assert_eq!(report["data"]["created"], 1);
    assert_eq!(
        app.count("users").await,
        users_before,
        "a dry run writes nothing"
    );

    // The same file for real: 422, every row named, nothing written.
    let refused = import(&app, &admin, &bad, false).await;
    let body = assert_error(refused, 422).await;
    assert_eq!(body["errors"][0]["field"], "rows[3].email");
    assert_eq!(body["errors"].as_array().unwrap().len(), 5);
    assert_eq!(app.count("users").await, users_before);
    assert_eq!(app.count("outbox_messages").await, 0);

    let fixed = "email,first_name,role,title\r\n\
                 new1@alpha.example,Ana,User,\r\n\
                 new2@alpha.example,Cy,Admin,\r\n\
                 known@alpha.example,Known,User,Analyst\r\n";
    let done = import(&app, &admin, fixed, false).await;
    assert_eq!(done.status(), 200);
    let report: Value = done.json().await.unwrap();
    assert_eq!(
        report["data"],
        json!({"created": 2, "updated": 1, "errors": []})
    );
    assert_eq!(app.count("users").await, users_before + 2);
    let known: Value = app
        .get("/v2/users?q[email]=known@alpha.example", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(known["data"][0]["attributes"]["title"], "Analyst");
    // The new users are invited: each has a link to accept.
    let token = app
        .emailed_token("new2@alpha.example", "/invitation/")
        .await;
    assert!(!token.is_empty());
    assert_eq!(app.emails_to("known@alpha.example").await, 0);
    assert_eq!(app.audited("user.import").await, 1);
}

#[tokio::test]
async fn a_bad_file_is_refused_before_any_row() {
    let (app, _, _, admin) = setup().await;
    let users_before = app.count("users").await;
    for (csv, field) in [
        ("", "file"),
        ("email\r\n", "file"),
        ("mail,first_name\r\nx@alpha.example,X\r\n", "file"),
        ("email,email\r\nx@alpha.example,y@alpha.example\r\n", "file"),
        ("email,password_hash\r\nx@alpha.example,abc\r\n", "file"),
        ("email\r\n\"never closed\r\n", "file"),
    ] {
        let body = assert_error(import(&app, &admin, csv, false).await, 422).await;
        assert_eq!(body["errors"][0]["field"], field, "{csv:?}");
    }
    let latin1 = app
        .client
        .post(app.url("/v2/users/import"))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(b"email,first_name\r\nz@alpha.example,Ren\xe9\r\n".to_vec())
        .send()
        .await
        .unwrap();
    assert!(assert_error(latin1, 422).await["message"]
        .as_str()
        .unwrap()
        .contains("UTF-8"));
    let json_body = app
        .post_json("/v2/users/import", &admin, &json!({"email": "x"}))
        .await;
    assert_error(json_body, 415).await;
    assert_eq!(app.count("users").await, users_before);
}

#[tokio::test]
async fn an_upload_form_imports_and_roles_decide_who_may() {
    let (app, root, org, admin) = setup().await;
    let user = app.token_for("known@alpha.example", USER_PASSWORD).await;
    assert_error(
        import(&app, &user, "email\r\nu@alpha.example\r\n", true).await,
        403,
    )
    .await;
    let anonymous = app
        .client
        .post(app.url("/v2/users/import"))
        .header("content-type", "text/csv")
        .body("email\r\nu@alpha.example\r\n")
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
    // The Super Admin's email is not the Admin's to update: it reads as taken.
    let body: Value = import(
        &app,
        &admin,
        &format!("email\r\n{}\r\n", crate::helpers::ADMIN_EMAIL),
        true,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        body["data"]["errors"][0]["message"],
        "has already been taken"
    );

    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(
            format!("\u{feff}email,organization_id,phone\r\nup@alpha.example,{org},'+30 210 0000000\r\n").into_bytes(),
        )
        .file_name("users.csv")
        .mime_str("text/csv")
        .unwrap(),
    );
    let uploaded = app
        .client
        .post(app.url("/v2/users/import"))
        .bearer_auth(&root)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 200);
    let created: Value = app
        .get("/v2/users?q[email]=up@alpha.example", &root)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["data"][0]["attributes"]["phone"], "+30 210 0000000");
    assert_eq!(created["data"][0]["attributes"]["verified"], false);
}

/// A file of several chunks (the import checks and writes 500 rows at a time): a bad row in the
/// last chunk, after clean chunks were already written inside the transaction, leaves nothing
/// behind; duplicates are found across chunks, and a username taken by an existing user too.
#[tokio::test]
async fn a_bad_row_after_written_chunks_leaves_nothing_behind() {
    let (app, _, _, admin) = setup().await;
    let users_before = app.count("users").await;
    let tokens_before = app.count("user_tokens").await;
    let rows = |last: &str| {
        let mut csv = String::from("email,username,first_name\r\n");
        for n in 1..=1_199 {
            csv.push_str(&format!("bulk{n}@alpha.example,bulk{n},Bulk\r\n"));
        }
        csv.push_str(last);
        csv
    };
    let bad = rows(
        "BULK2@alpha.example,other,Dup\r\n\
         fresh@alpha.example,bulk7,Dup\r\n\
         taken@alpha.example,known@alpha.example,Taken\r\n",
    );
    let body = assert_error(import(&app, &admin, &bad, false).await, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "rows[1201].email",
            "rows[1202].username",
            "rows[1203].username"
        ],
        "{body}"
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("row 3"));
    assert_eq!(app.count("users").await, users_before, "rolled back whole");
    assert_eq!(app.count("user_tokens").await, tokens_before);
    assert_eq!(app.count("outbox_messages").await, 0);
    assert_eq!(app.audited("user.import").await, 0);

    let fixed = rows("last@alpha.example,last,Last\r\n");
    let done = import(&app, &admin, &fixed, false).await;
    assert_eq!(done.status(), 200);
    let report: Value = done.json().await.unwrap();
    assert_eq!(
        report["data"],
        json!({"created": 1200, "updated": 0, "errors": []})
    );
    assert_eq!(app.count("users").await, users_before + 1200);
    assert_eq!(app.count("user_tokens").await, tokens_before + 1200);
    assert_eq!(app.count("outbox_messages").await, 1200);
    // Each invitation's link works: the one of a row in the last chunk opens its page.
    let token = app
        .emailed_token("last@alpha.example", "/invitation/")
        .await;
    let invitation = app
        .client
        .get(app.url(&format!("/auth/invitation?invitation_token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(invitation.status(), 200);
    let invitation: Value = invitation.json().await.unwrap();
    assert_eq!(invitation["email"], "last@alpha.example");
}
