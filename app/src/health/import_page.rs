use leptos::prelude::*;
#[component]
pub fn ImportPage() -> impl IntoView {
    view! { <p>"import"</p> }
}
