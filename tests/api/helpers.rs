use app::domain::Role;
use app::server::auth::password;
use app::server::db::{new_id, Sql};
use app::server::services::users::{insert_user, NewUserRow};
use app::server::{Config, Db};
use serde_json::{json, Value};
use steward::startup::Application;

pub const ADMIN_EMAIL: &str = "root@steward.test";
pub const ADMIN_PASSWORD: &str = "correct horse battery";
pub use app::server::services::auth::INVALID_CREDENTIALS;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    /// Another instance started on this URL shares the database (a restart, a second node).
    pub database_url: String,
    /// The server's task: aborting it stops the instance (its listener and its outbox worker).
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// A database of its own for one test.
async fn test_database_url() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            use sqlx::Connection;
            let name = format!("steward_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&base)
                .await
                .expect("TEST_DATABASE_URL must be reachable");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create a test database");
            let (server, _) = base
                .rsplit_once('/')
                .expect("a database name in TEST_DATABASE_URL");
            format!("{server}/{name}")
        }
        _ => {
            let file =
                std::env::temp_dir().join(format!("steward-test-{}.db", uuid::Uuid::new_v4()));
            format!("sqlite://{}", file.display())
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_serving("target/site", configure).await
}

/// A server whose static files come from `site_root`.
pub async fn spawn_app_serving(site_root: &str, configure: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::new(test_database_url().await);
    config.admin_email = Some(ADMIN_EMAIL.into());
    config.admin_password = Some(ADMIN_PASSWORD.into());
    configure(&mut config);
    let database_url = config.database_url.clone();
    let app = Application::build(config, "127.0.0.1:0".parse().unwrap(), site_root)
        .await
        .expect("the application starts");
    let address = format!("http://{}", app.address());
    let db = app.db();
    let server = tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        db,
        database_url,
        server,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The site's own origin, as a browser on one of its pages sends it.
    pub fn origin(&self) -> &str {
        &self.address
    }

    /// A form post to a server function from one of the site's pages (with `cookie`, or none).
    pub async fn post_page_form(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(path))
            .header("accept", "text/html")
            .header("origin", self.origin())
            .form(form);
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        request.send().await.unwrap()
    }

    /// How many audit events of `action` there are.
    pub async fn audited(&self, action: &str) -> i64 {
        self.db
            .fetch_count(
                &Sql::new("SELECT COUNT(*) FROM audit_events WHERE action = $1").bind(action),
            )
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/auth/sign_in"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in_owned(&self, username: String, password: &str) -> reqwest::Response {
        self.sign_in(&username, password).await
    }

    pub async fn token_for(&self, username: &str, password: &str) -> String {
        let response = self.sign_in(username, password).await;
        assert_eq!(response.status(), 200, "sign-in of {username}");
        response.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Signs in the admin and answers the `steward_session=...` cookie pair a browser would send.
    pub async fn admin_session_cookie(&self) -> String {
        self.session_cookie(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Signs in `email` and answers the `steward_session=...` cookie pair a browser would send.
    pub async fn session_cookie(&self, email: &str, password: &str) -> String {
        let response = self.sign_in(email, password).await;
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// A page as the browser gets it, with `cookie` (or signed out when empty), without its hydration
    /// markers.
    pub async fn page_html(&self, path: &str, cookie: &str) -> String {
        let mut request = self
            .client
            .get(self.url(path))
            .header("accept", "text/html");
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        without_hydration_markers(&request.send().await.unwrap().text().await.unwrap())
    }

    /// An admin acting as `user_id` (`POST /auth/impersonate`): the acting token and the revert
    /// token.
    pub async fn impersonate(&self, admin_token: &str, user_id: &str) -> (String, String) {
        let response = self
            .client
            .post(self.url(&format!("/auth/impersonate?uuid={user_id}")))
            .bearer_auth(admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "impersonating {user_id}");
        let body: Value = response.json().await.unwrap();
        (
            body["token"].as_str().unwrap().to_string(),
            body["impersonator_revert_token"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    }

    pub async fn admin_token(&self) -> String {
        self.token_for(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put_json(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// Creates an organization through the API and answers its id.
    pub async fn create_organization(&self, token: &str, attributes: Value) -> String {
        let response = self
            .post_json(
                "/v2/organizations",
                token,
                &json!({ "organization": attributes }),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.json::<Value>().await.unwrap()["data"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn count(&self, table: &str) -> i64 {
        self.db
            .fetch_count(&Sql::new(format!("SELECT COUNT(*) FROM {table}")))
            .await
            .unwrap()
    }

    /// A confirmed user with `role` in `organization_id`, through the service layer (user
    /// management has its own issue).
    /// Answers its id; its password is `USER_PASSWORD`.
    pub async fn add_user(&self, organization_id: &str, email: &str, role: Role) -> String {
        let hash = password::hash(USER_PASSWORD.into()).await.unwrap();
        let id = new_id();
        let mut tx = self.db.begin().await.unwrap();
        insert_user(
            &mut tx.exec(),
            NewUserRow {
                id: &id,
                organization_id,
                email,
                username: email,
                password_hash: Some(&hash),
                role,
                first_name: None,
                last_name: None,
                confirmed: true,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }
}

/// The password of every user `add_user` creates.
pub const USER_PASSWORD: &str = "user password 1";

/// Asserts the error body of API.md §1 and answers it.
pub async fn assert_error(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "status");
    let body: Value = response.json().await.expect("an error body in JSON");
    assert_eq!(body["status"], status);
    assert_eq!(body["status_text"], app::error::status_text(status));
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message: {body}"
    );
    assert!(body["errors"].is_array());
    body
}

impl TestApp {
    /// The token in the newest email to `to` whose link opens `page` (`/invitation/`, ...), read
    /// back from the outbox the way a person reads their inbox.
    pub async fn emailed_token(&self, to: &str, page: &str) -> String {
        let rows: Vec<(String,)> = self
            .db
            .fetch_all(
                &Sql::new(
                    "SELECT body_text FROM outbox_messages WHERE lower(recipient) = lower($1) \
                     ORDER BY created_at DESC, id DESC",
                )
                .bind(to),
            )
            .await
            .unwrap();
        let needle = format!("{}{page}", self.address);
        let body = rows
            .iter()
            .map(|(body,)| body)
            .find(|body| body.contains(&needle))
            .unwrap_or_else(|| panic!("no email to {to} with a {page} link"));
        let start = body.find(&needle).unwrap() + needle.len();
        body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// How many emails went to `to`.
    pub async fn emails_to(&self, to: &str) -> i64 {
        self.db
            .fetch_count(
                &Sql::new(
                    "SELECT COUNT(*) FROM outbox_messages WHERE lower(recipient) = lower($1)",
                )
                .bind(to),
            )
            .await
            .unwrap()
    }
}

/// A page's markup without Leptos' hydration markers (`<!>`, empty comments that tell the browser
/// bundle where a dynamic text or view ends). Where they fall is the framework's business (building
/// with `erase_components` puts one after every dynamic text), so tests that look for content in a
/// page compare against the markup a reader sees.
fn without_hydration_markers(html: &str) -> String {
    html.replace("<!>", "")
}

/// Asserts that a screen's page (a list server function's `items` and `meta`) lists what the API's
/// page (`data` and `meta`) lists: the same records in the same order with the same total, each
/// record as a summary of exactly `id` and `shown`, each the API's attribute of that name.
pub fn assert_screen_lists_summaries(screen: &Value, api: &Value, shown: &[&str], context: &str) {
    let ids = |items: &Value| -> Vec<String> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|record| record["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&screen["items"]), ids(&api["data"]), "{context}");
    assert_eq!(
        screen["meta"]["total_count"], api["meta"]["total_count"],
        "{context}"
    );
    let mut expected_keys = shown.to_vec();
    expected_keys.push("id");
    expected_keys.sort_unstable();
    for (item, full) in screen["items"]
        .as_array()
        .unwrap()
        .iter()
        .zip(api["data"].as_array().unwrap())
    {
        let mut keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, expected_keys, "{item}");
        for key in shown {
            assert_eq!(item[*key], full["attributes"][*key], "{key} of {item}");
        }
    }
}
