use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{HOST, ORIGIN};
use http::{Method, StatusCode, Uri};

/// The origin pages are served from: the public URL's when one is
/// configured, else `http://` and the request's `Host`.
#[derive(Clone, Debug)]
pub struct Expected(Option<(String, String, u16)>);

impl Expected {
    pub fn new(public_url: Option<&str>) -> Self {
        Expected(public_url.and_then(parts))
    }
}

/// (scheme, host, port) of an origin, lower case, the default port filled in.
fn parts(origin: &str) -> Option<(String, String, u16)> {
    let uri: Uri = origin.trim_end_matches('/').parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let port = uri.port_u16().or(match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    })?;
    Some((scheme, uri.host()?.to_ascii_lowercase(), port))
}

/// Refuses state-changing requests that a browser sent from another site
/// (CSRF). Together with `SameSite=Lax` cookies this protects every form,
/// server function and REST endpoint; GET never changes state. An origin
/// matches only with the same scheme, host and port.
pub async fn check(State(expected): State<Expected>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) || same_origin(&expected, &request) {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({ "error": "Cross-site request refused." })),
        )
            .into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn same_origin(expected: &Expected, request: &Request) -> bool {
    let headers = request.headers();
    if let Some(origin) = headers.get(ORIGIN) {
        let Some(origin) = origin.to_str().ok().and_then(parts) else {
            return false;
        };
        return match &expected.0 {
            Some(public) => origin == *public,
            None => {
                let host = headers
                    .get(HOST)
                    .and_then(|h| h.to_str().ok())
                    .and_then(|h| parts(&format!("http://{h}")));
                host.is_some_and(|host| origin == host)
            }
        };
    }
    // Without an Origin header, a browser still says where the request came from.
    !matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("cross-site")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(origin: &str, host: &str) -> Request {
        Request::builder()
            .method(Method::POST)
            .header(ORIGIN, origin)
            .header(HOST, host)
            .body(axum::body::Body::empty())
            .unwrap()
    }

    #[test]
    fn scheme_host_and_port_must_all_match() {
        let public = Expected::new(Some("https://hale.example"));
        assert!(same_origin(
            &public,
            &post("https://hale.example", "hale.example")
        ));
        assert!(same_origin(&public, &post("https://HALE.example:443", "x")));
        assert!(!same_origin(
            &public,
            &post("http://hale.example", "hale.example")
        ));
        assert!(!same_origin(
            &public,
            &post("gopher://hale.example", "hale.example")
        ));
        assert!(!same_origin(
            &public,
            &post("https://hale.example:8443", "hale.example")
        ));
        assert!(!same_origin(&public, &post("null", "hale.example")));
        let local = Expected::new(None);
        assert!(same_origin(
            &local,
            &post("http://127.0.0.1:3000", "127.0.0.1:3000")
        ));
        assert!(!same_origin(
            &local,
            &post("https://127.0.0.1:3000", "127.0.0.1:3000")
        ));
        assert!(!same_origin(
            &local,
            &post("http://127.0.0.1:3001", "127.0.0.1:3000")
        ));
    }
}
