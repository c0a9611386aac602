use leptos::prelude::*;
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! { <p>"dashboard"</p> }
}
#[component]
pub fn KindPage() -> impl IntoView {
    view! { <p>"kind"</p> }
}
#[component]
pub fn PatientDashboardPage() -> impl IntoView {
    view! { <p>"dashboard"</p> }
}
#[component]
pub fn PatientKindPage() -> impl IntoView {
    view! { <p>"kind"</p> }
}
