use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

/// Any path that is not a page: answered with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, not_found.title).to_string() />
        <main id="main" class="auth-page">
            <div class="auth-card">
                <h1>{t!(i18n, not_found.title)}</h1>
                <p>{t!(i18n, not_found.body)}</p>
                <p>
                    <a href="/">{t!(i18n, not_found.go_home)}</a>
                </p>
            </div>
        </main>
    }
}
