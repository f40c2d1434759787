use crate::helpers::{assert_error, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(
        app.client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn openapi_documents_every_endpoint() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/v2/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    // What the server answers: an attribute the organization doesn't have is `null`.
    let attributes = &doc["components"]["schemas"]["OrganizationAttributes"]["properties"];
    assert_eq!(
        attributes["city"]["type"],
        serde_json::json!(["string", "null"])
    );
    assert_eq!(attributes["name"]["type"], "string");
    // Statuses the server answers without each endpoint listing them.
    let put = &doc["paths"]["/v2/organizations/{id}"]["put"]["responses"];
    for status in ["404", "412", "413", "415", "422"] {
        assert!(
            put.get(status).is_some(),
            "PUT /v2/organizations/{{id}} documents {status}"
        );
    }
    // A client that follows the document is never refused: a new organization needs its names,
    // unknown attributes are refused, the sort is one of the listed values.
    let create = &doc["components"]["schemas"]["NewOrganizationBody"];
    assert_eq!(
        create["properties"]["organization"]["required"],
        serde_json::json!(["name", "company_name"])
    );
    assert_eq!(
        doc["components"]["schemas"]["OrganizationInput"]["additionalProperties"],
        false
    );
    let list_params = doc["paths"]["/v2/organizations"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let sort = list_params.iter().find(|p| p["name"] == "sort_by").unwrap();
    assert!(sort["schema"]["enum"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("name:desc")));
    assert!(list_params.iter().any(|p| p["name"] == "q[country]"));
    let put_params = doc["paths"]["/v2/organizations/{id}"]["put"]["parameters"]
        .as_array()
        .unwrap();
    assert!(put_params
        .iter()
        .any(|p| p["name"] == "If-Match" && p["in"] == "header"));
    // Public operations need no credentials; the others document 401.
    assert_eq!(
        doc["paths"]["/auth/sign_in"]["post"]["security"],
        serde_json::json!([])
    );
    assert!(doc["paths"]["/auth/sign_in"]["post"]["responses"]
        .get("401")
        .is_some());
    assert!(doc["paths"]["/v2/organizations"]["get"]["responses"]
        .get("401")
        .is_some());
    for (path, method) in [
        ("/auth/sign_in", "post"),
        ("/auth/sign_out", "delete"),
        ("/v2/organizations", "get"),
        ("/v2/organizations", "post"),
        ("/v2/organizations/{id}", "put"),
        ("/v2/organizations/{id}", "delete"),
        ("/v2/organizations/export", "get"),
        ("/v2/user/organization", "put"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is documented"
        );
    }
}

#[tokio::test]
async fn unknown_api_paths_and_methods_get_the_error_body() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    assert_error(app.get("/v2/nothing-here", &token).await, 404).await;
    let response = app
        .client
        .patch(app.url("/v2/organizations"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_error(response, 405).await;
}

#[tokio::test]
async fn pages_render_on_the_server() {
    let app = spawn_app().await;
    let login = app.client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let html = login.text().await.unwrap();
    assert!(html.contains("Email or username") && html.contains("Sign in"));

    // Signed out, a protected page redirects to the login page.
    let list = app
        .client
        .get(app.url("/organizations"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(list.status().is_redirection(), "{}", list.status());
    assert!(list.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));

    // Signed in with the cookie, the list is rendered in full on the server.
    let cookie = app.admin_session_cookie().await;
    let html = app.page_html("/organizations", &cookie).await;
    assert!(html.contains("<table"), "the table is server-rendered");
    assert!(
        html.contains("Steward"),
        "the bootstrap organization is listed"
    );
}

#[tokio::test]
async fn server_function_argument_errors_are_400_not_500() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/organizations/update"))
        .header("origin", app.origin())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("version=not-a-number")
        .send()
        .await
        .unwrap();
    assert_error(response, 400).await;
}

#[tokio::test]
async fn server_rendered_forms_carry_their_state() {
    let app = spawn_app().await;
    // The login form keeps `next` in the HTML itself (it must work before the wasm loads).
    let html = app.page_html("/login?next=%2Forganizations", "").await;
    assert!(
        html.contains(r#"name="next" value="/organizations""#),
        "{html}"
    );

    let cookie = app.admin_session_cookie().await;
    let list = app
        .page_html("/organizations?q=stew&sort=name:desc", &cookie)
        .await;
    assert!(
        list.contains(r#"value="stew""#),
        "the search box shows the search"
    );
    assert!(list.contains(r#"name="sort" value="name:desc""#));
    let own: serde_json::Value = app
        .get("/v2/user/organization", &app.admin_token().await)
        .await
        .json()
        .await
        .unwrap();
    let detail = app
        .page_html(
            &format!("/organizations/{}", own["data"]["id"].as_str().unwrap()),
            &cookie,
        )
        .await;
    assert!(
        detail.contains(r#"name="version" value="1""#),
        "the edit form carries its version"
    );
}

#[tokio::test]
async fn bad_database_urls_fail_with_one_clear_line() {
    use app::server::db::{ConnectError, Db};
    let unknown = Db::connect("mysql://root@localhost/steward")
        .await
        .unwrap_err();
    assert!(matches!(unknown, ConnectError::UnknownScheme(_)));
    assert!(unknown.to_string().contains("sqlite://"), "{unknown}");

    let unreachable = Db::connect("postgres://steward:secret@127.0.0.1:1/steward")
        .await
        .unwrap_err();
    assert!(matches!(unreachable, ConnectError::Unreachable { .. }));
    let line = unreachable.to_string();
    assert!(!line.contains("secret") && !line.contains('\n'), "{line}");
}

#[tokio::test]
async fn the_reference_page_renders_the_document_with_contents_schemas_and_code() {
    let app = spawn_app().await;
    let html = app.page_html("/docs", "").await;
    assert!(
        html.contains(r#"aria-label="Endpoints""#),
        "a table of contents"
    );
    assert!(
        html.contains(r##"href="#put--v2-organizations--id-""##),
        "contents link to endpoints"
    );
    assert!(html.contains("Request body (JSON)"));
    assert!(
        html.contains("<code>organization.company_name</code>"),
        "body fields, flattened"
    );
    assert!(html.contains("201 response body"), "response schemas");
    assert!(
        html.contains("<code>ETag</code>"),
        "backticks render as code"
    );
    // In the page's text (not in <code>, nor in the data the page hydrates from), no literal
    // backtick is left.
    let without = |html: &str, open: &str, close: &str| -> String {
        html.split(open)
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    part.split_once(close).map_or(part, |(_, rest)| rest)
                }
            })
            .collect()
    };
    let text_only = without(&without(&html, "<script", "</script>"), "<code>", "</code>");
    assert!(
        !text_only.contains('`'),
        "a literal backtick is left on the page"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_fresh_nonce() {
    // Its own site root: the static files must exist whether or not `cargo leptos build` has run
    // (a missing file would fall through to the HTML 404 page, which rightly carries the page's
    // policy).
    let root = std::env::temp_dir().join(format!("steward-site-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(
        root.join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    std::fs::write(root.join("pkg/steward.css"), "body {}").unwrap();
    let app = crate::helpers::spawn_app_serving(root.to_str().unwrap(), |_| {}).await;
    let page = |path: &'static str| {
        let request = app.client.get(app.url(path));
        async move { request.send().await.unwrap() }
    };
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let response = page("/login").await;
        assert_eq!(response.status(), 200);
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the page's policy")
            .to_string();
        let html = response.text().await.unwrap();
        // Every inline script carries it (the theme bootstrap, the hydration, the resources).
        let scripts = html.matches("<script").count();
        assert!(scripts >= 2, "{html}");
        for tag in html.split("<script").skip(1) {
            let open = &tag[..tag.find('>').unwrap()];
            assert!(
                open.contains(&format!("nonce=\"{nonce}\"")),
                "<script{open}>"
            );
        }
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce is used once");

    for path in [
        "/v2/openapi.json",
        "/healthz",
        "/v2/organizations",
        "/favicon.svg",
        "/pkg/steward.css",
    ] {
        let response = page(path).await;
        let expected = if path == "/v2/organizations" {
            401
        } else {
            200
        };
        assert_eq!(response.status(), expected, "{path}");
        let headers = response.headers();
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert!(headers.contains_key("permissions-policy"), "{path}");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "plain http: {path}"
        );
    }
    let secure = crate::helpers::spawn_app_with(|config| config.secure_cookies = true).await;
    let response = secure
        .client
        .get(secure.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}
