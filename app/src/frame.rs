//! The page frame of signed-in pages: the header (the bell, the language
//! switcher, sign-out) and the navigation per role. It sits above the areas
//! and composes their widgets; no area imports it.

use crate::accounts::{LanguageSwitcher, SignOutButton};
use crate::i18n::*;
use crate::identity::{CurrentUser, Role};
use crate::layout::{Icon, IconSvg};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The patient areas that later capabilities fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Dashboard,
    Medications,
    Records,
    Documents,
    Messages,
    Appointments,
}

impl Area {
    pub const ALL: [Area; 6] = [
        Area::Dashboard,
        Area::Medications,
        Area::Records,
        Area::Documents,
        Area::Messages,
        Area::Appointments,
    ];

    /// Whether the area's capability has landed; the others are not offered
    /// in the navigation or on the home page.
    pub fn ready(self) -> bool {
        matches!(self, Area::Dashboard | Area::Medications | Area::Documents)
    }

    pub fn path(self) -> &'static str {
        match self {
            Area::Dashboard => "/dashboard",
            Area::Medications => "/medications",
            Area::Records => "/records",
            Area::Documents => "/documents",
            Area::Messages => "/messages",
            Area::Appointments => "/appointments",
        }
    }

    pub fn icon(self) -> Icon {
        match self {
            Area::Dashboard => Icon::Dashboard,
            Area::Medications => Icon::Medications,
            Area::Records | Area::Documents => Icon::Documents,
            Area::Messages => Icon::Bell,
            Area::Appointments => Icon::History,
        }
    }

    pub fn title(self) -> String {
        let i18n = use_i18n();
        match self {
            Area::Dashboard => t_string!(i18n, nav.dashboard).to_string(),
            Area::Medications => t_string!(i18n, nav.medications).to_string(),
            Area::Records => t_string!(i18n, nav.records).to_string(),
            Area::Documents => t_string!(i18n, nav.documents).to_string(),
            Area::Messages => t_string!(i18n, nav.messages).to_string(),
            Area::Appointments => t_string!(i18n, nav.appointments).to_string(),
        }
    }

    pub fn summary(self) -> String {
        let i18n = use_i18n();
        match self {
            Area::Dashboard => t_string!(i18n, areas.dashboard).to_string(),
            Area::Medications => t_string!(i18n, areas.medications).to_string(),
            Area::Records => t_string!(i18n, areas.records).to_string(),
            Area::Documents => t_string!(i18n, areas.documents).to_string(),
            Area::Messages => t_string!(i18n, areas.messages).to_string(),
            Area::Appointments => t_string!(i18n, areas.appointments).to_string(),
        }
    }
}

/// A place in the navigation.
#[derive(Clone)]
struct Link {
    path: &'static str,
    icon: Icon,
    title: String,
}

fn link(path: &'static str, icon: Icon, title: String) -> Link {
    Link { path, icon, title }
}

/// The whole navigation of a role.
fn nav_links(role: Role) -> Vec<Link> {
    let i18n = use_i18n();
    let mut links = vec![link("/", Icon::Home, t_string!(i18n, nav.home).to_string())];
    match role {
        Role::Patient => {
            links.push(link(
                "/today",
                Icon::Today,
                t_string!(i18n, nav.today).to_string(),
            ));
            links.extend(
                Area::ALL
                    .into_iter()
                    .filter(|a| a.ready())
                    .map(|a| link(a.path(), a.icon(), a.title())),
            );
            links.push(link(
                "/care-team",
                Icon::CareTeam,
                t_string!(i18n, nav.care_team).to_string(),
            ));
            links.push(link(
                "/access-history",
                Icon::History,
                t_string!(i18n, nav.access_history).to_string(),
            ));
        }
        Role::Clinician | Role::Coach | Role::Caregiver => {
            links.push(link(
                "/patients",
                Icon::Patients,
                t_string!(i18n, nav.patients).to_string(),
            ));
            links.push(link(
                "/join-care-team",
                Icon::Join,
                t_string!(i18n, nav.join_care_team).to_string(),
            ));
        }
        Role::Administrator => {
            links.push(link(
                "/admin",
                Icon::Admin,
                t_string!(i18n, nav.admin).to_string(),
            ));
        }
    }
    links.push(link(
        "/settings/notifications",
        Icon::Bell,
        t_string!(i18n, nav.notifications).to_string(),
    ));
    links.push(link(
        "/settings/security",
        Icon::Lock,
        t_string!(i18n, nav.security).to_string(),
    ));
    links
}

/// The tab bar of a role on phones (the rest is under "More").
fn tab_links(role: Role) -> Vec<Link> {
    let i18n = use_i18n();
    match role {
        Role::Patient => vec![
            link(
                "/today",
                Icon::Today,
                t_string!(i18n, nav.today).to_string(),
            ),
            link(
                "/dashboard",
                Icon::Dashboard,
                t_string!(i18n, nav.dashboard).to_string(),
            ),
            link(
                "/medications",
                Icon::Medications,
                t_string!(i18n, nav.medications).to_string(),
            ),
            link(
                "/documents",
                Icon::Documents,
                t_string!(i18n, nav.documents_short).to_string(),
            ),
        ],
        Role::Clinician | Role::Coach | Role::Caregiver => vec![
            link("/", Icon::Home, t_string!(i18n, nav.home).to_string()),
            link(
                "/patients",
                Icon::Patients,
                t_string!(i18n, nav.patients).to_string(),
            ),
        ],
        Role::Administrator => vec![
            link("/", Icon::Home, t_string!(i18n, nav.home).to_string()),
            link(
                "/admin",
                Icon::Admin,
                t_string!(i18n, nav.admin).to_string(),
            ),
        ],
    }
}

/// The frame of every signed-in page: a header that fits a 320-px phone
/// (the brand, the bell, the account menu with language and sign-out); the
/// side navigation on wide screens and a tab bar with "More" on phones; the
/// main content.
#[component]
pub fn AppFrame(user: CurrentUser, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let menu_open = RwSignal::new(false);
    let account_open = RwSignal::new(false);
    let location = use_location();
    // Following a link closes the menus.
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
        account_open.set(false);
    });
    // A new account takes the browser's time zone on its first page.
    #[cfg(feature = "hydrate")]
    Effect::new(|_| adopt_browser_zone());
    let current = move |path: &'static str| (location.pathname.get() == path).then_some("page");
    let name = user.display_name.clone();
    view! {
        <a class="skip-link" href="#main" on:click=skip_to_main>{t!(i18n, skip_to_content)}</a>
        <header class="app-header">
            <a href="/" class="brand">
                <img src="/icons/icon-192.png" alt="" width="32" height="32" />
                <span>{t!(i18n, app_name)}</span>
            </a>
            <div class="header-tools">
                <crate::notify::NotificationBell />
                <details class="account-menu" data-testid="account-menu" prop:open=move || account_open.get()>
                    // Named by its words (the name shows on wide screens), so
                    // the visible name is part of the accessible one.
                    <summary>
                        <IconSvg icon=Icon::Account />
                        <span class="visually-hidden">{t!(i18n, nav.account)} ": "</span>
                        <span class="account-name" data-testid="user-name">{name.clone()}</span>
                    </summary>
                    <div class="account-panel">
                        <p class="account-who"><strong>{name.clone()}</strong></p>
                        <LanguageSwitcher />
                        <a href="/settings/security">
                            <IconSvg icon=Icon::Lock />
                            {t!(i18n, nav.security)}
                        </a>
                        <SignOutButton />
                    </div>
                </details>
            </div>
        </header>
        <div class="app-body">
            <nav
                id="primary-nav"
                class="primary-nav"
                class:open=move || menu_open.get()
                aria-label=move || t_string!(i18n, nav.label).to_string()
            >
                <ul>
                    {nav_links(user.role)
                        .into_iter()
                        .map(|Link { path, icon, title }| {
                            view! {
                                <li>
                                    <a href=path aria-current=move || current(path)>
                                        <span class="nav-icon"><IconSvg icon /></span>
                                        {title}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <main id="main" class="app-main" tabindex="-1">
                {children()}
            </main>
        </div>
        <nav class="tab-bar" aria-label=move || t_string!(i18n, nav.tabs).to_string()>
            {tab_links(user.role)
                .into_iter()
                .map(|Link { path, icon, title }| {
                    view! {
                        <a href=path aria-current=move || current(path)>
                            <span class="tab-icon"><IconSvg icon /></span>
                            <span class="tab-label">{title}</span>
                        </a>
                    }
                })
                .collect_view()}
            <button
                type="button"
                aria-controls="primary-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| menu_open.update(|open| *open = !*open)
            >
                <span class="tab-icon"><IconSvg icon=Icon::More /></span>
                <span class="tab-label">{t!(i18n, nav.more)}</span>
            </button>
        </nav>
    }
}

/// The skip link moves focus to the content (the router would otherwise
/// treat `#main` as a navigation and leave focus where it was).
fn skip_to_main(ev: leptos::ev::MouseEvent) {
    ev.prevent_default();
    #[cfg(feature = "hydrate")]
    if let Some(main) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
    {
        use wasm_bindgen::JsCast as _;
        if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
            let _ = main.focus();
        }
    }
}

/// Offers the browser's time zone to the account once per browser session;
/// the server takes it only when the account has none (a zone the patient
/// chose stays, wherever they travel).
#[cfg(feature = "hydrate")]
fn adopt_browser_zone() {
    const ASKED: &str = "hale-zone-offered";
    let storage = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    if let Some(storage) = &storage
        && storage.get_item(ASKED).ok().flatten().is_some()
    {
        return;
    }
    let Some(zone) = crate::clock::browser_zone() else {
        return;
    };
    leptos::task::spawn_local(async move {
        if crate::notify::adopt_time_zone(zone).await.is_ok()
            && let Some(storage) = storage
        {
            let _ = storage.set_item(ASKED, "1");
        }
    });
}
