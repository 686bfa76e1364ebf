//! The embedded web dashboard as a browser fetches it: the page, its scripts and styles,
//! their types, caching and compression.

use std::io::Read;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

use crate::{router, App};

async fn fetch(app: &Router, uri: &str, gzip: bool) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    if gzip {
        req = req.header(header::ACCEPT_ENCODING, "gzip, deflate, br");
    }
    let resp = app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, headers, body.to_vec())
}

/// The `/assets/...` paths `index.html` refers to.
fn asset_paths(html: &str) -> Vec<String> {
    html.split("\"/assets/").skip(1).filter_map(|rest| rest.split('"').next()).map(|name| format!("/assets/{name}")).collect()
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_their_types_and_caching() {
    // The dashboard is served while the store is still opening: it shows that state itself.
    let app = router(App::new());
    let (status, headers, body) = fetch(&app, "/", false).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let html = String::from_utf8(body).unwrap();
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"), "{html}");
    let assets = asset_paths(&html);
    assert!(assets.iter().any(|a| a.ends_with(".js")), "the page loads a script: {html}");

    for path in &assets {
        let (status, headers, body) = fetch(&app, path, false).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable", "{path}");
        assert!(!body.is_empty(), "{path}");
        let expected = match path.rsplit('.').next() {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            _ => continue,
        };
        assert_eq!(headers[header::CONTENT_TYPE], expected, "{path}");
        assert!(headers.get(header::CONTENT_ENCODING).is_none(), "{path}: not gzipped for a client that did not ask");
    }
}

#[tokio::test]
async fn clients_that_accept_gzip_get_the_same_bytes_gzipped() {
    let app = router(App::new());
    let (_, _, page) = fetch(&app, "/", false).await;
    let script = asset_paths(&String::from_utf8(page).unwrap()).into_iter().find(|a| a.ends_with(".js")).expect("a script");
    let (_, _, plain) = fetch(&app, &script, false).await;
    let (status, headers, packed) = fetch(&app, &script, true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(headers[header::VARY], "Accept-Encoding");
    assert_eq!(headers[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
    assert!(packed.len() < plain.len() / 2, "{} bytes gzipped of {}", packed.len(), plain.len());
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(packed.as_slice()).read_to_end(&mut unpacked).unwrap();
    assert!(unpacked == plain, "gunzip gives the plain file back");
}

#[tokio::test]
async fn unknown_files_are_404_and_api_routes_are_not_shadowed() {
    let app = router(App::new());
    for path in ["/assets/nothing-12345678.js", "/nothing.html", "/assets/../index.html"] {
        let (status, _, body) = fetch(&app, path, false).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(String::from_utf8(body).unwrap().starts_with("404 page not found"), "{path}");
    }
    let (status, headers, _) = fetch(&app, "/index.html", false).await;
    assert_eq!((status, &headers[header::CONTENT_TYPE]), (StatusCode::OK, &"text/html; charset=utf-8".parse().unwrap()));
    let (status, _, body) = fetch(&app, "/-/healthy", false).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, b"Vitals is Healthy.\n".as_slice()));
}
