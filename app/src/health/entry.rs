use leptos::prelude::*;
#[component]
pub fn AddReadingPage() -> impl IntoView {
    view! { <p>"add"</p> }
}
