//! Pages and JSON answers are compressed for clients that ask for it; streamed exports, small
//! bodies and clients that don't ask get them as they are.

use crate::helpers::spawn_app;
use std::io::Read;

#[tokio::test]
async fn a_page_is_compressed_for_a_client_that_asks() {
    let app = spawn_app().await;
    let cookie = app.admin_session_cookie().await;
    let get = |encoding: Option<&'static str>| {
        let mut request = app
            .client
            .get(app.url("/organizations"))
            .header("cookie", &cookie);
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        request.send()
    };

    let gzipped = get(Some("gzip")).await.unwrap();
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert!(gzipped.headers()["vary"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    // The security headers still apply to the compressed answer.
    assert!(gzipped.headers().contains_key("content-security-policy"));
    let body = gzipped.bytes().await.unwrap();
    let mut html = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut html)
        .expect("a gzip body");
    assert!(html.contains("<h1>") && html.contains("</html>"));

    let brotli = get(Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(brotli.headers()["content-encoding"], "br");

    let plain = get(None).await.unwrap();
    assert!(!plain.headers().contains_key("content-encoding"));
    assert!(plain.text().await.unwrap().contains("<h1>"));
}

#[tokio::test]
async fn json_is_compressed_but_exports_and_small_bodies_are_not() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let get = |path: &str| {
        app.client
            .get(app.url(path))
            .bearer_auth(&token)
            .header("accept-encoding", "gzip")
            .send()
    };

    // The OpenAPI document: well over the threshold.
    let document = get("/v2/openapi.json").await.unwrap();
    assert_eq!(document.status(), 200);
    assert_eq!(document.headers()["content-encoding"], "gzip");

    // A CSV export streams at the client's pace and is sent as it is.
    let export = get("/v2/users/export").await.unwrap();
    assert_eq!(export.status(), 200);
    assert!(!export.headers().contains_key("content-encoding"));

    // An error body fits one packet.
    let missing = get("/v2/organizations/00000000-0000-0000-0000-000000000000")
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(!missing.headers().contains_key("content-encoding"));
}
