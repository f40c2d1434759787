use crate::helpers::{
    assert_error, assert_screen_lists_summaries, spawn_app, TestApp, USER_PASSWORD,
};
use app::domain::Role;
use serde_json::{json, Value};

async fn list(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.get(&format!("/v2/organizations?{query}"), token).await;
    assert_eq!(response.status(), 200, "GET ?{query}");
    response.json().await.unwrap()
}

fn names(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["attributes"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn create_and_show_with_all_fifteen_fields() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let attributes = json!({
        "name": "Wonka", "company_name": "Wonka Industries", "description": "Chocolate",
        "address": "1 Factory Rd", "city": "Springfield", "state": "IL", "zipcode": "62701",
        "country": "US", "phone": "+1 555 0100", "website": "https://wonka.example",
        "email": "hello@wonka.example", "contact_name": "Willy", "contact_title": "CEO",
        "contact_phone": "+1 555 0101", "contact_email": "willy@wonka.example"
    });
    let response = app
        .post_json(
            "/v2/organizations",
            &token,
            &json!({"organization": attributes}),
        )
        .await;
    assert_eq!(response.status(), 201);
    assert!(response.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/v2/organizations/"));
    let created: Value = response.json().await.unwrap();
    let id = created["data"]["id"].as_str().unwrap();
    assert_eq!(created["data"]["type"], "organizations");
    uuid::Uuid::parse_str(id).unwrap();

    let response = app.get(&format!("/v2/organizations/{id}"), &token).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("etag"));
    let shown: Value = response.json().await.unwrap();
    let a = &shown["data"]["attributes"];
    for (key, value) in attributes.as_object().unwrap() {
        assert_eq!(&a[key], value, "{key}");
    }
    assert_eq!(a["users_count"], 0);
    let created_at = a["created_at"].as_str().unwrap();
    assert!(
        created_at.ends_with('Z') && created_at.len() == 24,
        "RFC 3339 with milliseconds: {created_at}"
    );
}

#[tokio::test]
async fn invalid_input_lists_every_field_and_writes_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let before = app.count("organizations").await;
    let audit_before = app.count("audit_events").await;
    let response = app
        .post_json(
            "/v2/organizations",
            &token,
            &json!({"organization": {"name": " ", "website": "not a url", "contact_email": "nobody"}}),
        )
        .await;
    let body = assert_error(response, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "organization.name",
            "organization.company_name",
            "organization.website",
            "organization.contact_email"
        ]
    );
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("Name can't be blank"));
    assert_eq!(app.count("organizations").await, before);
    assert_eq!(app.count("audit_events").await, audit_before);

    assert_error(
        app.post_json("/v2/organizations", &token, &json!({"name": "flat"}))
            .await,
        422,
    )
    .await;
    assert_error(
        app.post_json(
            "/v2/organizations",
            &token,
            &json!({"organization": {"name": 5}}),
        )
        .await,
        422,
    )
    .await;
}

#[tokio::test]
async fn filters_wildcards_sorting_and_paging() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for (name, email, country) in [
        ("Acme East", "ops@acme.example", "US"),
        ("acme west", "it@acme.example", "DE"),
        ("Globex", "info@globex.example", "US"),
        ("Initech", "info@initech.example", "FR"),
    ] {
        app.create_organization(&token, json!({"name": name, "company_name": format!("{name} Inc"), "email": email, "country": country}))
            .await;
    }
    assert_eq!(
        names(&list(&app, &token, "q[name]=acme*&sort_by=name").await),
        ["Acme East", "acme west"]
    );
    assert_eq!(
        names(&list(&app, &token, "q[name]='ACME*'&sort_by=name:desc").await),
        ["acme west", "Acme East"]
    );
    assert_eq!(
        names(&list(&app, &token, "q[name]=globex").await),
        ["Globex"]
    );
    assert_eq!(
        names(&list(&app, &token, "q[name]=glob").await),
        Vec::<String>::new(),
        "no * means exact"
    );
    assert_eq!(
        names(&list(&app, &token, "q[email]=*@acme.example&sort_by=name").await),
        ["Acme East", "acme west"]
    );
    assert_eq!(
        names(&list(&app, &token, "q[country]=us&q[name]=*e*&sort_by=name").await),
        ["Acme East", "Globex"]
    );
    assert_eq!(
        names(&list(&app, &token, "q=CME&sort_by=name").await),
        ["Acme East", "acme west"]
    );
    assert_eq!(
        names(&list(&app, &token, "q[company_name]=*tech*").await),
        ["Initech"]
    );

    let page = list(&app, &token, "per_page=2&page=2&sort_by=name").await;
    assert_eq!(
        page["meta"],
        json!({"page": 2, "per_page": 2, "total_count": 5, "total_pages": 3})
    );
    assert_eq!(names(&page), ["Globex", "Initech"]);
    let beyond = list(&app, &token, "page=9").await;
    assert!(beyond["data"].as_array().unwrap().is_empty());
    assert_eq!(beyond["meta"]["total_count"], 5);
    // A substring search counts in the page query; past its last page it still knows the total.
    let searched = list(&app, &token, "q=acme&per_page=1&page=2").await;
    assert_eq!(searched["meta"]["total_count"], 2);
    assert_eq!(names(&searched), ["acme west"]);
    let past = list(&app, &token, "q=acme&page=3").await;
    assert_eq!(past["meta"]["total_count"], 2);

    // Empty fields of a GET form are no filter (schemathesis found them refused).
    let blank = list(
        &app,
        &token,
        "date_range_start=&date_range_end=&relative_date_range=&q=&sort_by=",
    )
    .await;
    assert_eq!(blank["meta"]["total_count"], 5);
    let recent = list(&app, &token, "relative_date_range=1d").await;
    assert_eq!(recent["meta"]["total_count"], 5);
    let old = list(
        &app,
        &token,
        "date_range_start=2000-01-01 00:00:00&date_range_end=2001-01-01 00:00:00",
    )
    .await;
    assert_eq!(old["meta"]["total_count"], 0);
}

#[tokio::test]
async fn bad_list_parameters_are_422_naming_them() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let body = assert_error(
        app.get(
            "/v2/organizations?per_page=101&page=0&q[colour]=red&sort_by=password",
            &token,
        )
        .await,
        422,
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["per_page", "page", "q[colour]", "sort_by"]);
    assert_error(
        app.get("/v2/organizations?relative_date_range=soon", &token)
            .await,
        422,
    )
    .await;
}

#[tokio::test]
async fn hostile_search_input_is_just_text() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for query in [
        "q[name]=' OR 1=1 --",
        "q[name]=*\"*",
        "q=%22)%20OR%20(%22",
        "q[name]=*100%25_*",
        "q=NEAR(a b)",
    ] {
        let body = list(&app, &token, query).await;
        assert!(body["data"].as_array().unwrap().is_empty(), "{query}");
    }
}

#[tokio::test]
async fn update_is_partial_audited_and_guarded_by_if_match() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = app
        .create_organization(
            &token,
            json!({"name": "Hooli", "company_name": "Hooli XYZ", "city": "Palo Alto"}),
        )
        .await;
    let path = format!("/v2/organizations/{id}");
    let etag = app.get(&path, &token).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();

    let response = app
        .put_json(
            &path,
            &token,
            &json!({"organization": {"country": "US", "phone": ""}}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({}));
    let shown: Value = app.get(&path, &token).await.json().await.unwrap();
    assert_eq!(
        shown["data"]["attributes"]["city"], "Palo Alto",
        "absent fields are kept"
    );
    assert_eq!(shown["data"]["attributes"]["country"], "US");

    // The ETag read before that change is stale now: 412 and nothing written.
    let stale = app
        .client
        .put(app.url(&path))
        .bearer_auth(&token)
        .header("if-match", &etag)
        .json(&json!({"organization": {"name": "Overwritten"}}))
        .send()
        .await
        .unwrap();
    assert_error(stale, 412).await;
    let shown: Value = app.get(&path, &token).await.json().await.unwrap();
    assert_eq!(shown["data"]["attributes"]["name"], "Hooli");

    let audit = app
        .db
        .fetch_count(
            &app::server::db::Sql::new("SELECT COUNT(*) FROM audit_events WHERE action = 'organization.update' AND target_id = $1")
                .bind(id.as_str()),
        )
        .await
        .unwrap();
    assert_eq!(audit, 1);

    let invalid = assert_error(
        app.put_json(
            &path,
            &token,
            &json!({"organization": {"name": "", "email": "x"}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(invalid["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn missing_foreign_and_malformed_ids_are_404() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    assert_error(
        app.get(
            &format!("/v2/organizations/{}", uuid::Uuid::new_v4()),
            &token,
        )
        .await,
        404,
    )
    .await;
    assert_error(app.get("/v2/organizations/not-a-uuid", &token).await, 404).await;
    assert_error(
        app.put_json(
            "/v2/organizations/not-a-uuid",
            &token,
            &json!({"organization": {}}),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn delete_needs_a_super_admin_and_no_users() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = app
        .create_organization(
            &token,
            json!({"name": "Doomed", "company_name": "Doomed Ltd"}),
        )
        .await;
    assert_eq!(
        app.delete(&format!("/v2/organizations/{id}"), &token)
            .await
            .status(),
        204
    );
    assert_error(
        app.get(&format!("/v2/organizations/{id}"), &token).await,
        404,
    )
    .await;

    // The admin's own organization has a user: 409, and it stays.
    let own: Value = app
        .get("/v2/user/organization", &token)
        .await
        .json()
        .await
        .unwrap();
    let own_id = own["data"]["id"].as_str().unwrap();
    assert_error(
        app.delete(&format!("/v2/organizations/{own_id}"), &token)
            .await,
        409,
    )
    .await;
    assert_eq!(
        app.get(&format!("/v2/organizations/{own_id}"), &token)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn admins_see_and_change_only_their_own_organization() {
    let app = spawn_app().await;
    let root = app.admin_token().await;
    let mine = app
        .create_organization(&root, json!({"name": "Mine", "company_name": "Mine Co"}))
        .await;
    let other = app
        .create_organization(&root, json!({"name": "Other", "company_name": "Other Co"}))
        .await;
    app.add_user(&mine, "admin@mine.example", Role::Admin).await;
    app.add_user(&mine, "user@mine.example", Role::User).await;
    let admin = app.token_for("admin@mine.example", "user password 1").await;
    let user = app.token_for("user@mine.example", "user password 1").await;

    assert_eq!(names(&list(&app, &admin, "").await), ["Mine"]);
    assert_error(
        app.get(&format!("/v2/organizations/{other}"), &admin).await,
        404,
    )
    .await;
    assert_error(
        app.put_json(
            &format!("/v2/organizations/{other}"),
            &admin,
            &json!({"organization": {"city": "X"}}),
        )
        .await,
        404,
    )
    .await;
    assert_eq!(
        app.put_json(
            &format!("/v2/organizations/{mine}"),
            &admin,
            &json!({"organization": {"city": "Oslo"}})
        )
        .await
        .status(),
        200
    );
    assert_error(
        app.delete(&format!("/v2/organizations/{mine}"), &admin)
            .await,
        403,
    )
    .await;
    assert_error(
        app.post_json(
            "/v2/organizations",
            &admin,
            &json!({"organization": {"name": "N", "company_name": "N"}}),
        )
        .await,
        403,
    )
    .await;

    // A User reads their organization but may not change it.
    assert_eq!(app.get("/v2/user/organization", &user).await.status(), 200);
    assert_error(
        app.put_json(
            "/v2/user/organization",
            &user,
            &json!({"organization": {"city": "Rome"}}),
        )
        .await,
        403,
    )
    .await;
    assert_error(
        app.put_json(
            &format!("/v2/organizations/{mine}"),
            &user,
            &json!({"organization": {"city": "Rome"}}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(
        app.put_json(
            "/v2/user/organization",
            &admin,
            &json!({"organization": {"city": "Bergen"}})
        )
        .await
        .status(),
        200
    );
    let shown: Value = app
        .get("/v2/user/organization", &user)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["data"]["attributes"]["city"], "Bergen");
    assert_eq!(shown["data"]["attributes"]["users_count"], 2);
}

#[tokio::test]
async fn export_streams_csv_with_formulas_neutralised() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    app.create_organization(
        &token,
        json!({"name": "=HYPERLINK(\"x\")", "company_name": "@evil, Inc", "city": "-1"}),
    )
    .await;
    app.create_organization(&token, json!({"name": "Plain", "company_name": "Plain Co"}))
        .await;
    let response = app
        .get("/v2/organizations/export?sort_by=name", &token)
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,name,company_name,"));
    assert_eq!(lines.len(), 4, "header + 3 organizations: {csv}");
    assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
    assert!(csv.contains("\"'@evil, Inc\""));
    assert!(csv.contains(",'-1,"));
    let filtered = app
        .get("/v2/organizations/export?q[name]=plain", &token)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(filtered.lines().count(), 2);
    assert_error(
        app.get("/v2/organizations/export?q[secret]=x", &token)
            .await,
        422,
    )
    .await;
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_app_with_small_limit().await;
    let token = app.admin_token().await;
    let big = "x".repeat(4096);
    let response = app
        .post_json(
            "/v2/organizations",
            &token,
            &json!({"organization": {"name": big, "company_name": "c"}}),
        )
        .await;
    assert_error(response, 413).await;
}

async fn spawn_app_with_small_limit() -> TestApp {
    crate::helpers::spawn_app_with(|c| c.body_limit = 1024).await
}

#[tokio::test]
async fn unicode_letters_match_in_any_case_on_both_databases() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for name in ["Ünïcode GmbH", "Œuvre Straße", "Plain Acme"] {
        app.create_organization(
            &token,
            json!({"name": name, "company_name": format!("{name} Holding")}),
        )
        .await;
    }
    for (query, expected) in [
        ("q[name]=ÜNÏCODE*", vec!["Ünïcode GmbH"]),
        ("q[name]=ünïcode gmbh", vec!["Ünïcode GmbH"]),
        ("q[name]=*STRASSE*", vec![]),
        ("q[name]=*STRAßE", vec!["Œuvre Straße"]),
        ("q[name]=œuvre*", vec!["Œuvre Straße"]),
        ("q[company_name]=*NÏCODE GMBH HOLD*", vec!["Ünïcode GmbH"]),
        ("q=NÏC", vec!["Ünïcode GmbH"]),
        ("q=nïc&sort_by=created_at", vec!["Ünïcode GmbH"]),
        ("q=ŒUV", vec!["Œuvre Straße"]),
        ("q[name]=PLAIN*", vec!["Plain Acme"]),
    ] {
        let body = list(&app, &token, query).await;
        assert_eq!(names(&body), expected, "{query}");
        assert_eq!(body["meta"]["total_count"], expected.len(), "{query}");
    }
}

/// What the OpenAPI document promises about a body holds: an attribute is a known key with a
/// string (or `null`, which keeps it), the object is an object, lengths count what was sent.
#[tokio::test]
async fn bodies_outside_the_documented_schema_are_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = app
        .create_organization(
            &token,
            json!({"name": "Initech", "company_name": "Initech LLC"}),
        )
        .await;
    let path = format!("/v2/organizations/{id}");
    let before = app.get(&path, &token).await.json::<Value>().await.unwrap();

    for (body, field) in [
        (
            json!({"organization": {"name": "X", "colour": "red"}}),
            "organization.colour",
        ),
        (json!({"organization": {"city": 5}}), "organization.city"),
        (
            json!({"organization": {"city": ["Berlin"]}}),
            "organization.city",
        ),
        (json!({"organization": [null, null]}), "body"),
        (
            json!({"organization": {"name": "X"}, "extra": true}),
            "body",
        ),
        // 250 visible characters padded past 255 by blanks: the limit counts what was sent.
        (
            json!({"organization": {"city": format!("  {}    ", "a".repeat(250))}}),
            "organization.city",
        ),
    ] {
        let error = assert_error(app.put_json(&path, &token, &body).await, 422).await;
        assert_eq!(error["errors"][0]["field"], field, "{body}");
    }
    let after = app.get(&path, &token).await.json::<Value>().await.unwrap();
    assert_eq!(before, after, "nothing was written");

    // `null` keeps the attribute, as absence does.
    let kept = app
        .put_json(
            &path,
            &token,
            &json!({"organization": {"name": null, "city": "Austin"}}),
        )
        .await;
    assert_eq!(kept.status(), 200);
    let shown = app.get(&path, &token).await.json::<Value>().await.unwrap();
    assert_eq!(shown["data"]["attributes"]["name"], "Initech");
    assert_eq!(shown["data"]["attributes"]["city"], "Austin");
}

#[tokio::test]
async fn if_match_that_is_not_a_list_of_etags_is_400_and_an_empty_one_is_no_precondition() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = app
        .create_organization(
            &token,
            json!({"name": "Vandelay", "company_name": "Vandelay Industries"}),
        )
        .await;
    let path = format!("/v2/organizations/{id}");
    let put = |if_match: String, city: &str| {
        app.client
            .put(app.url(&path))
            .bearer_auth(&token)
            .header("if-match", if_match)
            .json(&json!({"organization": {"city": city}}))
            .send()
    };
    for malformed in ["1", "\"1", "\"1\",", "W/1", "\"1\" \"2\""] {
        assert_error(put(malformed.into(), "Nowhere").await.unwrap(), 400).await;
    }
    let shown = app.get(&path, &token).await.json::<Value>().await.unwrap();
    assert_eq!(shown["data"]["attributes"]["city"], Value::Null);

    assert_eq!(put(String::new(), "Queens").await.unwrap().status(), 200);
    // A quoted tag may hold a comma; the list still matches by its current tag.
    let current = app.get(&path, &token).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let tags = format!("W/\"a,b\", {current}");
    assert_eq!(put(tags, "Bronx").await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_date_range_that_ends_before_it_starts_matches_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    app.create_organization(
        &token,
        json!({"name": "Dunder", "company_name": "Dunder Mifflin"}),
    )
    .await;
    let body = list(
        &app,
        &token,
        "date_range_start=2030-01-01&date_range_end=2000-01-01",
    )
    .await;
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["meta"]["total_count"], 0);
    let all = list(&app, &token, "date_range_start=2000-01-01").await;
    assert!(!all["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_organizations_screen_lists_what_the_api_lists_each_as_a_summary() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let mut acme = String::new();
    for (name, country, city, users) in [
        ("Acme East", Some("US"), Some("Boston"), 2),
        ("acme west", Some("DE"), None, 0),
        ("Globex", None, Some("Springfield"), 1),
        ("Initech", Some("FR"), Some("Paris"), 0),
    ] {
        let mut attributes = json!({"name": name, "company_name": format!("{name} Inc")});
        if let Some(country) = country {
            attributes["country"] = json!(country);
        }
        if let Some(city) = city {
            attributes["city"] = json!(city);
        }
        let id = app.create_organization(&token, attributes).await;
        for n in 0..users {
            let slug = name.to_lowercase().replace(' ', "-");
            app.add_user(&id, &format!("{n}@{slug}.example"), Role::User)
                .await;
        }
        if name == "Acme East" {
            acme = id;
        }
    }
    app.add_user(&acme, "boss@acme-east.example", Role::Admin)
        .await;
    let admin_token = app.token_for("boss@acme-east.example", USER_PASSWORD).await;
    let super_admin = (app.admin_session_cookie().await, token.clone());
    let admin = (
        app.session_cookie("boss@acme-east.example", USER_PASSWORD)
            .await,
        admin_token,
    );
    for ((cookie, token), form, query) in [
        (&super_admin, vec![], ""),
        (
            &super_admin,
            vec![("sort", "company_name:desc")],
            "sort_by=company_name:desc",
        ),
        (&super_admin, vec![("sort", "country")], "sort_by=country"),
        (
            &super_admin,
            vec![("sort", "created_at:desc")],
            "sort_by=created_at:desc",
        ),
        // A search on the name order walks the ordered search index; on another, every match is
        // sorted (and counted in the same pass).
        (&super_admin, vec![("q", "acme")], "q=acme"),
        (
            &super_admin,
            vec![("q", "cme"), ("sort", "created_at")],
            "q=cme&sort_by=created_at",
        ),
        (
            &super_admin,
            vec![("per_page", "2"), ("page", "2")],
            "per_page=2&page=2",
        ),
        (&super_admin, vec![("page", "9")], "page=9"),
        (&admin, vec![], ""),
    ] {
        let screen = app
            .client
            .post(app.url("/api/organizations/list"))
            .header("origin", app.origin())
            .header("cookie", cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(screen.status(), 200, "{form:?}");
        let screen: Value = screen.json().await.unwrap();
        let api = list(&app, token, query).await;
        assert_screen_lists_summaries(
            &screen,
            &api,
            &[
                "city",
                "company_name",
                "country",
                "created_at",
                "name",
                "users_count",
            ],
            &format!("{form:?}"),
        );
    }
    let admin_sees = list(&app, &admin.1, "").await;
    assert_eq!(admin_sees["data"][0]["id"], acme.as_str());
    assert_eq!(
        admin_sees["meta"]["total_count"], 1,
        "only their own organization"
    );
}
