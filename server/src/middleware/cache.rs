use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::CACHE_CONTROL;
use http::{HeaderValue, StatusCode};

/// Static files are cached (forever when their name carries a content hash);
/// anything else — pages and API answers hold personal data — is never stored.
pub async fn apply(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    if !response.headers().contains_key(CACHE_CONTROL) {
        let policy = policy(&path, response.status());
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

pub fn policy(path: &str, status: StatusCode) -> &'static str {
    if status != StatusCode::OK && status != StatusCode::NOT_MODIFIED {
        return "no-store";
    }
    if path.starts_with("/pkg/") && is_hashed(path) {
        "public, max-age=31536000, immutable"
    } else if path.starts_with("/pkg/")
        || path.starts_with("/icons/")
        || path == "/manifest.webmanifest"
        || path == "/offline.html"
        || path == "/offline.css"
    {
        "public, max-age=3600, must-revalidate"
    } else if path == "/sw.js" {
        "no-cache"
    } else {
        "no-store"
    }
}

/// `hale.3f9a1c0b2d.js`: cargo-leptos puts a content hash before the extension.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[parts.len() - 2].len() >= 8
        && parts[parts.len() - 2]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_immutable_and_pages_are_never_stored() {
        assert_eq!(
            policy("/pkg/hale.a1b2c3d4e5f6.wasm", StatusCode::OK),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            policy("/pkg/hale.wasm", StatusCode::OK),
            "public, max-age=3600, must-revalidate"
        );
        assert_eq!(policy("/", StatusCode::OK), "no-store");
        assert_eq!(policy("/api/accounts/sign_in", StatusCode::OK), "no-store");
        assert_eq!(policy("/pkg/missing.js", StatusCode::NOT_FOUND), "no-store");
        assert_eq!(policy("/sw.js", StatusCode::OK), "no-cache");
    }
}
