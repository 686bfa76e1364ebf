//! The web dashboard, embedded in the binary: `/` is its `index.html`, `/assets/{file}` its
//! bundled scripts, styles and images, and any other path that names a built file (such
//! as `/favicon.svg`) that file. Built by `build.rs` from `web/`.
//!
//! Files are sent gzipped (compressed at build time) to clients that accept gzip. Files
//! under `assets/` have content hashes in their names and are cached for good
//! (`Cache-Control: public, max-age=31536000, immutable`); the rest, `index.html` first,
//! are checked again on each use (`no-cache`), with an `ETag`: a request whose
//! `If-None-Match` names it is answered 304 Not Modified, without the body.

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::routes::not_found;

/// One built file.
struct Asset {
    /// Its path under the build's output, such as `assets/index-3ab1f0c2.js`.
    path: &'static str,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// Its bytes.
    body: &'static [u8],
    /// Its bytes gzipped, when that is smaller.
    gzip: Option<&'static [u8]>,
    /// Whether its name changes with its content, so that it may be cached for good.
    immutable: bool,
    /// Its `ETag` (weak, from a checksum of its bytes), so that a revalidation of a file that
    /// did not change is answered 304 without a body.
    etag: &'static str,
}

/// Every built file, sorted by path (written by `build.rs`).
static ASSETS: &[Asset] = include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// `/`: the dashboard's page.
pub(crate) async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers).unwrap_or_else(|| (StatusCode::NOT_FOUND, "the web dashboard was not built\n").into_response())
}

/// `/assets/{file}` and any other path: the built file of that name, for GET and HEAD, or
/// 404.
pub(crate) async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let file = (method == Method::GET || method == Method::HEAD).then(|| serve(uri.path().trim_start_matches('/'), &headers)).flatten();
    match file {
        Some(response) => response,
        None => not_found(uri).await.into_response(),
    }
}

/// The response for the built file at `path`, if there is one.
fn serve(path: &str, headers: &HeaderMap) -> Option<Response> {
    let at = ASSETS.binary_search_by(|a| a.path.cmp(path)).ok()?;
    let asset = &ASSETS[at];
    let cache = if asset.immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response = if matches_etag(headers, asset.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match asset.gzip.filter(|_| accepts_gzip(headers)) {
            Some(packed) => ([(header::CONTENT_ENCODING, "gzip")], packed).into_response(),
            None => asset.body.into_response(),
        }
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, HeaderValue::from_static(asset.etag));
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if asset.gzip.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    Some(response)
}

/// Whether `If-None-Match` lists `etag` (compared weakly, as RFC 9110 says for it) or `*`.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag))
}

/// Whether `Accept-Encoding` lists `gzip` (or `*`) without `q=0`.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        accepts_gzip(&h)
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_take_it() {
        assert!(accept("gzip, deflate, br"));
        assert!(accept("br;q=1.0, GZIP;q=0.5"));
        assert!(accept("*"));
        assert!(!accept("gzip;q=0"));
        assert!(!accept("deflate, br"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn a_revalidation_of_an_unchanged_file_is_answered_without_its_body() {
        let index = ASSETS.iter().find(|a| a.path == "index.html").expect("index.html is built");
        assert!(index.etag.starts_with("W/\"") && index.etag.ends_with('"'), "{}", index.etag);
        let first = serve("index.html", &HeaderMap::new()).unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()[header::ETAG], index.etag);
        let with = |tags: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(tags).unwrap());
            serve("index.html", &h).unwrap()
        };
        let again = with(index.etag);
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[header::ETAG], index.etag);
        assert_eq!(again.headers()[header::CACHE_CONTROL], "no-cache");
        // Listed among others, or strongly: still a match. Another tag: the file.
        assert_eq!(with(&format!("\"x\", {}", index.etag.trim_start_matches("W/"))).status(), StatusCode::NOT_MODIFIED);
        assert_eq!(with("*").status(), StatusCode::NOT_MODIFIED);
        assert_eq!(with("W/\"0-0\"").status(), StatusCode::OK);
    }

    #[test]
    fn the_embedded_files_are_sorted_and_hold_the_page() {
        assert!(ASSETS.windows(2).all(|w| w[0].path < w[1].path), "binary search needs sorted paths");
        let index = ASSETS.iter().find(|a| a.path == "index.html").expect("index.html is built");
        assert_eq!(index.content_type, "text/html; charset=utf-8");
        assert!(!index.immutable);
    }
}
