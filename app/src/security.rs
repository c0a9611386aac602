//! Content Security Policy. Pages get a policy with a fresh nonce that the
//! hydration scripts carry; every other response gets the strict default.

use leptos::prelude::*;

/// The policy of responses that are not pages (API, static files, errors).
pub const DEFAULT_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
    font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of a rendered page, allowing exactly the scripts that carry `nonce`.
pub fn page_policy(nonce: &str, dev_reload: bool) -> String {
    // `strict-dynamic` lets the nonce'd module script import the app's JS;
    // `wasm-unsafe-eval` lets it compile the WASM (and nothing else).
    let connect = if dev_reload { "'self' ws:" } else { "'self'" };
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; connect-src {connect}; \
         manifest-src 'self'; worker-src 'self'; font-src 'self'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )
}

/// Provides a nonce for this page's scripts and sets the matching header.
pub fn set_page_policy(options: &LeptosOptions) {
    leptos::nonce::provide_nonce();
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let dev_reload = matches!(options.env, leptos::config::Env::DEV);
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&page_policy(&nonce.to_string(), dev_reload)),
    ) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
