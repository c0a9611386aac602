//! The HTML shell, the router and the guard in front of signed-in pages.

use crate::access::{
    AccessHistoryPage, AdminPage, CareTeamPage, JoinCareTeamPage, PatientHeader, PatientPage,
    PatientsPage,
};
use crate::accounts::{
    JoinStaffPage, SecurityPage, SignInPage, SignUpPage, VerifyCodePage, get_current_user,
};
use crate::error::AppError;
use crate::files::{DocumentsPage, FilePage, PatientDocumentsPage, StudyPage};
use crate::frame::{AppFrame, Area};
use crate::health::{
    AddReadingPage, DashboardPage, ImportPage, KindPage, PatientDashboardPage, PatientKindPage,
};
use crate::i18n::*;
use crate::identity::CurrentUser;
use crate::meds::{
    EditMedicationPage, MedicationsPage, NewMedicationPage, PatientMedicationsPage, TodayPage,
};
use crate::notify::{NotificationSettingsPage, NotificationsPage};
use crate::pages::{AreaPage, HomePage, NotFound};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

/// Whether only a signed-in user may open a path; the server sends anyone
/// else to the sign-in page before rendering.
pub fn is_protected(path: &str) -> bool {
    PROTECTED_PATHS.contains(&path)
        || path.starts_with("/patients/")
        || path.starts_with("/dashboard/")
        || path.starts_with("/medications/")
        || path.starts_with("/documents/")
}

/// Paths that only a signed-in user may open; the server sends anyone else to
/// the sign-in page before rendering.
pub const PROTECTED_PATHS: &[&str] = &[
    "/",
    "/dashboard",
    "/medications",
    "/today",
    "/notifications",
    "/settings/notifications",
    "/records",
    "/documents",
    "/messages",
    "/appointments",
    "/care-team",
    "/access-history",
    "/settings/security",
    "/patients",
    "/join-care-team",
    "/admin",
];

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::security::set_page_policy(&options);
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#0f766e" />
                <meta name="color-scheme" content="light dark" />
                <meta name="description" content="Hale health portal" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" type="image/png" href="/icons/icon-192.png" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <AutoReload options=options.clone() />
                <HydrationScripts options=options.clone() />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The signed-in user, loaded once per page and shared by every component.
#[derive(Clone, Copy)]
struct UserResource(OnceResource<Result<Option<CurrentUser>, AppError>>);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "hydrate")]
    browser::install();
    provide_context(UserResource(OnceResource::new(get_current_user())));
    #[cfg(feature = "hydrate")]
    Effect::new(|_| browser::mark_hydrated());

    view! {
        <I18nContextProvider cookie_name=LOCALE_COOKIE>
            <Router>
                <Routes fallback=NotFound>
                    <Route path=path!("/sign-in") view=SignInPage />
                    <Route path=path!("/sign-up") view=SignUpPage />
                    <Route path=path!("/sign-in/verify") view=VerifyCodePage />
                    <Route path=path!("/join") view=JoinStaffPage />
                    <Route path=path!("/care-team") view=|| page(|| view! { <CareTeamPage /> }) />
                    <Route path=path!("/access-history") view=|| page(|| view! { <AccessHistoryPage /> }) />
                    <Route path=path!("/settings/security") view=|| page(|| view! { <SecurityPage /> }) />
                    <Route path=path!("/patients") view=|| page(|| view! { <PatientsPage /> }) />
                    <Route path=path!("/patients/:id") view=|| page(|| view! { <PatientPage /> }) />
                    <Route path=path!("/join-care-team") view=|| page(|| view! { <JoinCareTeamPage /> }) />
                    <Route path=path!("/admin") view=|| page(|| view! { <AdminPage /> }) />
                    <Route path=path!("/") view=|| view! { <Protected page=home /> } />
                    <Route path=path!("/dashboard") view=|| page(|| view! { <DashboardPage /> }) />
                    <Route path=path!("/dashboard/add") view=|| page(|| view! { <AddReadingPage /> }) />
                    <Route path=path!("/dashboard/import") view=|| page(|| view! { <ImportPage /> }) />
                    <Route path=path!("/dashboard/:kind") view=|| page(|| view! { <KindPage /> }) />
                    <Route path=path!("/patients/:id/health") view=|| patient_page(|| view! { <PatientDashboardPage /> }) />
                    <Route path=path!("/patients/:id/health/:kind") view=|| patient_page(|| view! { <PatientKindPage /> }) />
                    <Route path=path!("/medications") view=|| page(|| view! { <MedicationsPage /> }) />
                    <Route path=path!("/medications/new") view=|| page(|| view! { <NewMedicationPage /> }) />
                    <Route path=path!("/medications/:id") view=|| page(|| view! { <EditMedicationPage /> }) />
                    <Route path=path!("/today") view=|| page(|| view! { <TodayPage /> }) />
                    <Route path=path!("/patients/:id/medications") view=|| patient_page(|| view! { <PatientMedicationsPage /> }) />
                    <Route path=path!("/notifications") view=|| page(|| view! { <NotificationsPage /> }) />
                    <Route path=path!("/settings/notifications") view=|| page(|| view! { <NotificationSettingsPage /> }) />
                    <Route path=path!("/records") view=|| area(Area::Records) />
                    <Route path=path!("/documents") view=|| page(|| view! { <DocumentsPage /> }) />
                    <Route path=path!("/documents/:id") view=|| page(|| view! { <FilePage /> }) />
                    <Route path=path!("/documents/study/:uid") view=|| page(|| view! { <StudyPage /> }) />
                    <Route path=path!("/patients/:id/documents") view=|| patient_page(|| view! { <PatientDocumentsPage /> }) />
                    <Route path=path!("/patients/:id/documents/study/:uid") view=|| patient_page(|| view! { <StudyPage /> }) />
                    <Route path=path!("/patients/:id/documents/:file") view=|| patient_page(|| view! { <FilePage /> }) />
                    <Route path=path!("/messages") view=|| area(Area::Messages) />
                    <Route path=path!("/appointments") view=|| area(Area::Appointments) />
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

fn home(user: CurrentUser) -> AnyView {
    view! { <HomePage user /> }.into_any()
}

/// A signed-in page that does not need the user (it asks the server itself).
fn page<V: IntoView + 'static>(render: fn() -> V) -> impl IntoView {
    let page = move |_user: CurrentUser| render().into_any();
    view! { <Protected page /> }
}

/// One of a patient's pages a care-team member opens, under the patient header.
fn patient_page<V: IntoView + 'static>(render: fn() -> V) -> impl IntoView {
    let page = move |_user: CurrentUser| view! { <PatientHeader /> {render()} }.into_any();
    view! { <Protected page /> }
}

fn area(area: Area) -> impl IntoView {
    let page = move |_user: CurrentUser| view! { <AreaPage area /> }.into_any();
    view! { <Protected page /> }
}

/// Renders a page inside the app frame for the signed-in user, or sends the
/// browser to the sign-in page.
#[component]
fn Protected(#[prop(into)] page: Callback<CurrentUser, AnyView>) -> impl IntoView {
    let UserResource(user) = expect_context::<UserResource>();
    view! {
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => {
                        view! { <AppFrame user=user.clone()>{page.run(user)}</AppFrame> }.into_any()
                    }
                    _ => view! { <Redirect path="/sign-in" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What only the browser does: real page loads after sign-in and sign-out, and
/// the service worker.
#[cfg(feature = "hydrate")]
mod browser {
    pub fn install() {
        // After a server function redirects (sign-in, sign-out), load the page
        // anew so that everything renders for the new session.
        let _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(location);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().service_worker().register("/sw.js");
        }
    }

    /// Marks the document once the WASM has taken over (tests wait for it).
    pub fn mark_hydrated() {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    }
}
