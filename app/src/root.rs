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
use leptos::lazy;
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;
use leptos_router::{Lazy, LazyRoute};

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

/// Hydrates the page the server rendered: the page's WASM chunk loads first
/// (its route is lazy), then its view takes over the HTML, and only then is
/// the document marked hydrated. An effect in `App` would mark it while the
/// chunk is still on its way.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("the page has a body");
        leptos::mount::hydrate_from_async(body, App).await.forget();
        browser::mark_hydrated();
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "hydrate")]
    browser::install();
    provide_context(UserResource(OnceResource::new(get_current_user())));

    view! {
        <I18nContextProvider cookie_name=LOCALE_COOKIE>
            <Router>
                <Routes fallback=NotFound>
                    <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()} />
                    <Route path=path!("/sign-up") view={Lazy::<SignUpRoute>::new()} />
                    <Route path=path!("/sign-in/verify") view={Lazy::<VerifyCodeRoute>::new()} />
                    <Route path=path!("/join") view={Lazy::<JoinStaffRoute>::new()} />
                    <Route path=path!("/care-team") view={Lazy::<CareTeamRoute>::new()} />
                    <Route path=path!("/access-history") view={Lazy::<AccessHistoryRoute>::new()} />
                    <Route path=path!("/settings/security") view={Lazy::<SecurityRoute>::new()} />
                    <Route path=path!("/patients") view={Lazy::<PatientsRoute>::new()} />
                    <Route path=path!("/patients/:id") view={Lazy::<PatientRoute>::new()} />
                    <Route path=path!("/join-care-team") view={Lazy::<JoinCareTeamRoute>::new()} />
                    <Route path=path!("/admin") view={Lazy::<AdminRoute>::new()} />
                    <Route path=path!("/") view={Lazy::<HomeRoute>::new()} />
                    <Route path=path!("/dashboard") view={Lazy::<DashboardRoute>::new()} />
                    <Route path=path!("/dashboard/add") view={Lazy::<AddReadingRoute>::new()} />
                    <Route path=path!("/dashboard/import") view={Lazy::<ImportRoute>::new()} />
                    <Route path=path!("/dashboard/:kind") view={Lazy::<KindRoute>::new()} />
                    <Route path=path!("/patients/:id/health") view={Lazy::<PatientDashboardRoute>::new()} />
                    <Route path=path!("/patients/:id/health/:kind") view={Lazy::<PatientKindRoute>::new()} />
                    <Route path=path!("/medications") view={Lazy::<MedicationsRoute>::new()} />
                    <Route path=path!("/medications/new") view={Lazy::<NewMedicationRoute>::new()} />
                    <Route path=path!("/medications/:id") view={Lazy::<EditMedicationRoute>::new()} />
                    <Route path=path!("/today") view={Lazy::<TodayRoute>::new()} />
                    <Route path=path!("/patients/:id/medications") view={Lazy::<PatientMedicationsRoute>::new()} />
                    <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} />
                    <Route path=path!("/settings/notifications") view={Lazy::<NotificationSettingsRoute>::new()} />
                    <Route path=path!("/records") view={Lazy::<RecordsRoute>::new()} />
                    <Route path=path!("/documents") view={Lazy::<DocumentsRoute>::new()} />
                    <Route path=path!("/documents/:id") view={Lazy::<FileRoute>::new()} />
                    <Route path=path!("/documents/study/:uid") view={Lazy::<StudyRoute>::new()} />
                    <Route path=path!("/patients/:id/documents") view={Lazy::<PatientDocumentsRoute>::new()} />
                    <Route path=path!("/patients/:id/documents/study/:uid") view={Lazy::<PatientStudyRoute>::new()} />
                    <Route path=path!("/patients/:id/documents/:file") view={Lazy::<PatientFileRoute>::new()} />
                    <Route path=path!("/messages") view={Lazy::<MessagesRoute>::new()} />
                    <Route path=path!("/appointments") view={Lazy::<AppointmentsRoute>::new()} />
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// Declares routes whose page comes from one area's lazily loaded function:
/// each such function is split into its own WASM chunk (`cargo leptos build
/// --split`) and loaded when one of its pages is first opened, so a page pays
/// only for its own area's code. One function per area, not per page: every
/// split point multiplies the chunks of code the points share.
///
/// `preload` loads the chunk (the `__preload_…` function `#[lazy]` writes)
/// before the router renders: hydration needs the page's view at once, and a
/// chunk still on its way would leave an empty outlet where the server's HTML
/// has the page.
macro_rules! routes {
    ($($route:ident => $page:expr, $preload:ident;)*) => {$(
        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $page.await
            }

            async fn preload() {
                #[cfg(feature = "hydrate")]
                $preload().await;
            }
        }
    )*};
}

routes! {
    SignInRoute => public_page(PublicPage::SignIn), __preload_public_page;
    SignUpRoute => public_page(PublicPage::SignUp), __preload_public_page;
    VerifyCodeRoute => public_page(PublicPage::VerifyCode), __preload_public_page;
    JoinStaffRoute => public_page(PublicPage::JoinStaff), __preload_public_page;
    HomeRoute => home_page(), __preload_home_page;
    CareTeamRoute => care_page(CarePage::CareTeam), __preload_care_page;
    AccessHistoryRoute => care_page(CarePage::AccessHistory), __preload_care_page;
    PatientsRoute => care_page(CarePage::Patients), __preload_care_page;
    PatientRoute => care_page(CarePage::Patient), __preload_care_page;
    JoinCareTeamRoute => care_page(CarePage::JoinCareTeam), __preload_care_page;
    AdminRoute => admin_page(), __preload_admin_page;
    SecurityRoute => settings_page(SettingsPage::Security), __preload_settings_page;
    NotificationsRoute => settings_page(SettingsPage::Notifications), __preload_settings_page;
    NotificationSettingsRoute => settings_page(SettingsPage::NotificationSettings), __preload_settings_page;
    DashboardRoute => health_page(HealthPage::Dashboard), __preload_health_page;
    AddReadingRoute => health_page(HealthPage::AddReading), __preload_health_page;
    ImportRoute => health_page(HealthPage::Import), __preload_health_page;
    KindRoute => health_page(HealthPage::Kind), __preload_health_page;
    PatientDashboardRoute => health_page(HealthPage::PatientDashboard), __preload_health_page;
    PatientKindRoute => health_page(HealthPage::PatientKind), __preload_health_page;
    MedicationsRoute => meds_page(MedsPage::Medications), __preload_meds_page;
    NewMedicationRoute => meds_page(MedsPage::NewMedication), __preload_meds_page;
    EditMedicationRoute => meds_page(MedsPage::EditMedication), __preload_meds_page;
    TodayRoute => meds_page(MedsPage::Today), __preload_meds_page;
    PatientMedicationsRoute => meds_page(MedsPage::PatientMedications), __preload_meds_page;
    DocumentsRoute => files_page(FilesPage::Documents), __preload_files_page;
    FileRoute => files_page(FilesPage::File), __preload_files_page;
    StudyRoute => files_page(FilesPage::Study), __preload_files_page;
    PatientDocumentsRoute => files_page(FilesPage::PatientDocuments), __preload_files_page;
    PatientStudyRoute => files_page(FilesPage::PatientStudy), __preload_files_page;
    PatientFileRoute => files_page(FilesPage::PatientFile), __preload_files_page;
    RecordsRoute => area_page(Area::Records), __preload_area_page;
    MessagesRoute => area_page(Area::Messages), __preload_area_page;
    AppointmentsRoute => area_page(Area::Appointments), __preload_area_page;
}

#[derive(Clone, Copy)]
enum PublicPage {
    SignIn,
    SignUp,
    VerifyCode,
    JoinStaff,
}

#[lazy]
fn public_page(page: PublicPage) -> AnyView {
    match page {
        PublicPage::SignIn => view! { <SignInPage /> }.into_any(),
        PublicPage::SignUp => view! { <SignUpPage /> }.into_any(),
        PublicPage::VerifyCode => view! { <VerifyCodePage /> }.into_any(),
        PublicPage::JoinStaff => view! { <JoinStaffPage /> }.into_any(),
    }
}

#[lazy]
fn home_page() -> AnyView {
    view! { <Protected page=home /> }.into_any()
}

#[derive(Clone, Copy)]
enum CarePage {
    CareTeam,
    AccessHistory,
    Patients,
    Patient,
    JoinCareTeam,
}

#[lazy]
fn care_page(page: CarePage) -> AnyView {
    match page {
        CarePage::CareTeam => signed_in(|| view! { <CareTeamPage /> }),
        CarePage::AccessHistory => signed_in(|| view! { <AccessHistoryPage /> }),
        CarePage::Patients => signed_in(|| view! { <PatientsPage /> }),
        CarePage::Patient => signed_in(|| view! { <PatientPage /> }),
        CarePage::JoinCareTeam => signed_in(|| view! { <JoinCareTeamPage /> }),
    }
}

#[lazy]
fn admin_page() -> AnyView {
    signed_in(|| view! { <AdminPage /> })
}

#[derive(Clone, Copy)]
enum SettingsPage {
    Security,
    Notifications,
    NotificationSettings,
}

#[lazy]
fn settings_page(page: SettingsPage) -> AnyView {
    match page {
        SettingsPage::Security => signed_in(|| view! { <SecurityPage /> }),
        SettingsPage::Notifications => signed_in(|| view! { <NotificationsPage /> }),
        SettingsPage::NotificationSettings => signed_in(|| view! { <NotificationSettingsPage /> }),
    }
}

#[derive(Clone, Copy)]
enum HealthPage {
    Dashboard,
    AddReading,
    Import,
    Kind,
    PatientDashboard,
    PatientKind,
}

#[lazy]
fn health_page(page: HealthPage) -> AnyView {
    match page {
        HealthPage::Dashboard => signed_in(|| view! { <DashboardPage /> }),
        HealthPage::AddReading => signed_in(|| view! { <AddReadingPage /> }),
        HealthPage::Import => signed_in(|| view! { <ImportPage /> }),
        HealthPage::Kind => signed_in(|| view! { <KindPage /> }),
        HealthPage::PatientDashboard => patient_page(|| view! { <PatientDashboardPage /> }),
        HealthPage::PatientKind => patient_page(|| view! { <PatientKindPage /> }),
    }
}

#[derive(Clone, Copy)]
enum MedsPage {
    Medications,
    NewMedication,
    EditMedication,
    Today,
    PatientMedications,
}

#[lazy]
fn meds_page(page: MedsPage) -> AnyView {
    match page {
        MedsPage::Medications => signed_in(|| view! { <MedicationsPage /> }),
        MedsPage::NewMedication => signed_in(|| view! { <NewMedicationPage /> }),
        MedsPage::EditMedication => signed_in(|| view! { <EditMedicationPage /> }),
        MedsPage::Today => signed_in(|| view! { <TodayPage /> }),
        MedsPage::PatientMedications => patient_page(|| view! { <PatientMedicationsPage /> }),
    }
}

#[derive(Clone, Copy)]
enum FilesPage {
    Documents,
    File,
    Study,
    PatientDocuments,
    PatientStudy,
    PatientFile,
}

#[lazy]
fn files_page(page: FilesPage) -> AnyView {
    match page {
        FilesPage::Documents => signed_in(|| view! { <DocumentsPage /> }),
        FilesPage::File => signed_in(|| view! { <FilePage /> }),
        FilesPage::Study => signed_in(|| view! { <StudyPage /> }),
        FilesPage::PatientDocuments => patient_page(|| view! { <PatientDocumentsPage /> }),
        FilesPage::PatientStudy => patient_page(|| view! { <StudyPage /> }),
        FilesPage::PatientFile => patient_page(|| view! { <FilePage /> }),
    }
}

#[lazy]
fn area_page(area: Area) -> AnyView {
    let page = move |_user: CurrentUser| view! { <AreaPage area /> }.into_any();
    view! { <Protected page /> }.into_any()
}

fn home(user: CurrentUser) -> AnyView {
    view! { <HomePage user /> }.into_any()
}

/// A signed-in page that does not need the user (it asks the server itself).
fn signed_in<V: IntoView + 'static>(render: fn() -> V) -> AnyView {
    let page = move |_user: CurrentUser| render().into_any();
    view! { <Protected page /> }.into_any()
}

/// One of a patient's pages a care-team member opens, under the patient header.
fn patient_page<V: IntoView + 'static>(render: fn() -> V) -> AnyView {
    let page = move |_user: CurrentUser| view! { <PatientHeader /> {render()} }.into_any();
    view! { <Protected page /> }.into_any()
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
    pub(super) fn mark_hydrated() {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    }
}
