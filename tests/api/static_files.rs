//! The site's own files: precompressed variants chosen by `Accept-Encoding`, and cache headers that
//! let a browser keep content-hashed names for good.

use crate::helpers::spawn_app_serving;

const HASHED: &str = "steward.kH3tq2bKx1Yc7Yt0ZQeQxA.wasm";

/// A site root with one content-hashed wasm (plain, `.br` and `.gz`, told apart by their bodies)
/// and one file without a hash.
fn site_root() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("steward-site-{}", uuid::Uuid::new_v4()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join(HASHED), b"plain wasm").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.br")), b"brotli wasm").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.gz")), b"gzip wasm").unwrap();
    std::fs::write(pkg.join("steward.css"), b"body {}").unwrap();
    root
}

#[tokio::test]
async fn precompressed_files_are_served_by_accept_encoding() {
    let root = site_root();
    let app = spawn_app_serving(root.to_str().unwrap(), |_| {}).await;
    let get = |encoding: Option<&'static str>| {
        let mut request = app.client.get(app.url(&format!("/pkg/{HASHED}")));
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        request.send()
    };

    let brotli = get(Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(brotli.status(), 200);
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["content-type"], "application/wasm");
    assert!(brotli.headers()["vary"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    assert_eq!(brotli.bytes().await.unwrap(), "brotli wasm");

    let gzip = get(Some("gzip")).await.unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.bytes().await.unwrap(), "gzip wasm");

    let plain = get(None).await.unwrap();
    assert!(!plain.headers().contains_key("content-encoding"));
    assert_eq!(plain.bytes().await.unwrap(), "plain wasm");
    std::fs::remove_dir_all(root).unwrap();
}

#[tokio::test]
async fn hashed_names_are_cached_for_good_and_others_revalidated() {
    let root = site_root();
    let app = spawn_app_serving(root.to_str().unwrap(), |_| {}).await;

    let hashed = app
        .client
        .get(app.url(&format!("/pkg/{HASHED}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let plain = app
        .client
        .get(app.url("/pkg/steward.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers()["cache-control"], "no-cache");
    // A revalidation costs no body.
    let modified = plain.headers()["last-modified"].clone();
    let again = app
        .client
        .get(app.url("/pkg/steward.css"))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    let missing = app
        .client
        .get(app.url("/pkg/steward.abcdefghijklmnopqrstuv.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["cache-control"], "no-store");
    std::fs::remove_dir_all(root).unwrap();
}
