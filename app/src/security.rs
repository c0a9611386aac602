//! Content Security Policy. Pages get a policy with a fresh nonce that the
//! hydration scripts carry; every other response gets the strict default.

use leptos::prelude::*;

/// The policy of responses that are not pages (API, static files, errors).
pub const DEFAULT_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
    font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of a rendered page, allowing exactly the scripts that carry
/// `nonce`, and form posts to this site and to `form_origins` (the sign-in
/// providers: the sign-in form's answer redirects there).
pub fn page_policy(nonce: &str, dev_reload: bool, form_origins: &[String]) -> String {
    // `strict-dynamic` lets the nonce'd module script import the app's JS;
    // `wasm-unsafe-eval` lets it compile the WASM (and nothing else).
    let connect = if dev_reload { "'self' ws:" } else { "'self'" };
    let mut form_action = String::from("'self'");
    for origin in form_origins {
        form_action.push(' ');
        form_action.push_str(origin);
    }
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; connect-src {connect}; \
         manifest-src 'self'; worker-src 'self'; font-src 'self'; base-uri 'none'; \
         form-action {form_action}; frame-ancestors 'none'; object-src 'none'"
    )
}

/// Provides a nonce for this page's scripts and sets the matching header.
pub fn set_page_policy(options: &LeptosOptions) {
    leptos::nonce::provide_nonce();
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let dev_reload = matches!(options.env, leptos::config::Env::DEV);
    let form_origins = use_context::<crate::state::AppState>()
        .map(|state| state.oidc.form_origins())
        .unwrap_or_default();
    let policy = page_policy(&nonce.to_string(), dev_reload, &form_origins);
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&policy),
    ) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
