//! The substring search served by the ordered search index (`search_index`): right rows in the
//! right order on every page, kept current by every change, filled on start, and counted only so
//! far in the UI's lists.

use crate::helpers::{spawn_app, TestApp};
use app::server::db::{new_id, now, Sql};
use app::server::services::search_index;
use serde_json::{json, Value};

async fn names(app: &TestApp, token: &str, query: &str) -> (Vec<String>, Value) {
    let response = app.get(&format!("/v2/organizations?{query}"), token).await;
    assert_eq!(response.status(), 200, "GET ?{query}");
    let body: Value = response.json().await.unwrap();
    let names = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["attributes"]["name"].as_str().unwrap().to_string())
        .collect();
    (names, body["meta"].clone())
}

#[tokio::test]
async fn search_pages_are_in_order_and_complete() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    // Matches in the name or only in the company name, created out of order, among non-matches.
    for (name, company) in [
        ("Zeta Wonka", "Zeta Inc"),
        ("alpha", "Wonka Holdings"),
        ("Mid Wonkaville", "Mid"),
        ("Beta", "Beta"),
        ("wonka", "W"),
        ("Gamma", "Gamma Wonk"),
        ("Omega WONKA", "O"),
    ] {
        app.create_organization(&token, json!({"name": name, "company_name": company}))
            .await;
    }
    let expected = [
        "alpha",
        "Mid Wonkaville",
        "Omega WONKA",
        "wonka",
        "Zeta Wonka",
    ];

    let (all, meta) = names(&app, &token, "q=wonka").await;
    assert_eq!(all, expected);
    assert_eq!(meta["total_count"], 5);

    let mut paged = Vec::new();
    for page in 1..=3 {
        let (rows, meta) = names(&app, &token, &format!("q=WONKA&per_page=2&page={page}")).await;
        assert_eq!(meta["total_count"], 5, "page {page}");
        assert_eq!(meta["total_pages"], 3);
        assert!(meta.get("total_capped").is_none(), "the REST meta is exact");
        paged.extend(rows);
    }
    assert_eq!(paged, expected);

    let (descending, _) = names(&app, &token, "q=wonka&sort_by=name:desc").await;
    assert_eq!(
        descending,
        expected.iter().rev().copied().collect::<Vec<_>>()
    );
    let (past, meta) = names(&app, &token, "q=wonka&per_page=2&page=4").await;
    assert!(past.is_empty());
    assert_eq!(meta["total_count"], 5);
    // Trigrams present but not together: no match.
    let (none, _) = names(&app, &token, "q=wonkz").await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn renames_and_deletes_keep_the_search_current() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = app
        .create_organization(&token, json!({"name": "Quokka One", "company_name": "Q"}))
        .await;
    assert_eq!(names(&app, &token, "q=quokka").await.0, ["Quokka One"]);

    let renamed = app
        .put_json(
            &format!("/v2/organizations/{id}"),
            &token,
            &json!({"organization": {"name": "Wallaby One"}}),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    assert!(names(&app, &token, "q=quokka").await.0.is_empty());
    assert_eq!(names(&app, &token, "q=wallaby").await.0, ["Wallaby One"]);

    let moved = app
        .put_json(
            &format!("/v2/organizations/{id}"),
            &token,
            &json!({"organization": {"company_name": "Numbat Group"}}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    assert_eq!(names(&app, &token, "q=numbat").await.0, ["Wallaby One"]);

    let deleted = app.delete(&format!("/v2/organizations/{id}"), &token).await;
    assert_eq!(deleted.status(), 204);
    assert!(names(&app, &token, "q=wallaby").await.0.is_empty());
    assert_eq!(
        app.db
            .fetch_count(
                &Sql::new(
                    "SELECT COUNT(*) FROM organization_search_grams WHERE organization_id = $1"
                )
                .bind(&id)
            )
            .await
            .unwrap(),
        0,
        "no row of a deleted organization is left behind"
    );
}

/// `count` organizations named "Capybara <n>", written straight to the table (as an older version
/// would have left them: no search rows).
async fn insert_unindexed(app: &TestApp, count: usize) {
    let at = now();
    let mut sql = Sql::new(
        "INSERT INTO organizations (id, name, company_name, lock_version, created_at, updated_at) VALUES ",
    );
    for n in 0..count {
        if n > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .push_bind(new_id())
            .push(", ")
            .push_bind(format!("Capybara {n:04}"))
            .push(", 'C', 1, ")
            .push_bind(at)
            .push(", ")
            .push_bind(at)
            .push(")");
    }
    app.db.execute(&sql).await.unwrap();
}

#[tokio::test]
async fn the_ui_counts_a_broad_search_only_so_far() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    insert_unindexed(&app, 1005).await;
    assert_eq!(
        names(&app, &token, "q=capybara").await.1["total_count"],
        0,
        "not indexed yet"
    );
    search_index::fill(&app.db).await.unwrap();

    let (rows, meta) = names(&app, &token, "q=capybara&per_page=10&page=2").await;
    assert_eq!(rows.first().map(String::as_str), Some("Capybara 0010"));
    assert_eq!(meta["total_count"], 1005, "the REST API counts them all");

    // The list page's server function stops counting at 1,000 and says so.
    let cookie = app.admin_session_cookie().await;
    let response = app
        .client
        .post(app.url("/api/organizations/list"))
        .header("origin", app.origin())
        .header("cookie", &cookie)
        .form(&[("q", "capybara"), ("page", "2"), ("per_page", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["meta"]["total_count"], 1000);
    assert_eq!(page["meta"]["total_capped"], true);
    assert_eq!(page["items"].as_array().unwrap().len(), 10);

    let html = app.page_html("/organizations?q=capybara", &cookie).await;
    assert!(
        html.contains("of more than 1,000"),
        "the page says the count stopped"
    );

    // A narrow search is counted exactly.
    let response = app
        .client
        .post(app.url("/api/organizations/list"))
        .header("origin", app.origin())
        .header("cookie", &cookie)
        .form(&[("q", "capybara 100")])
        .send()
        .await
        .unwrap();
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["meta"]["total_count"], 5, "Capybara 1000 to 1004");
    assert!(page["meta"].get("total_capped").is_none());
}
