//! The page frame of signed-in pages: the header (the bell, the language
//! switcher, sign-out) and the navigation per role. It sits above the areas
//! and composes their widgets; no area imports it.

use crate::accounts::{LanguageSwitcher, SignOutButton};
use crate::i18n::*;
use crate::identity::{CurrentUser, Role};
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

    pub fn icon(self) -> &'static str {
        match self {
            Area::Dashboard => "♥",
            Area::Medications => "℞",
            Area::Records => "▤",
            Area::Documents => "▣",
            Area::Messages => "✉",
            Area::Appointments => "◷",
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

/// The navigation of a role: (path, icon, title).
fn nav_links(role: Role) -> Vec<(&'static str, &'static str, String)> {
    let i18n = use_i18n();
    let mut links: Vec<(&'static str, &'static str, String)> = Vec::new();
    match role {
        Role::Patient => {
            links.extend(
                Area::ALL
                    .into_iter()
                    .map(|a| (a.path(), a.icon(), a.title())),
            );
            links.push((
                "/care-team",
                "☷",
                t_string!(i18n, nav.care_team).to_string(),
            ));
            links.push((
                "/access-history",
                "☰",
                t_string!(i18n, nav.access_history).to_string(),
            ));
        }
        Role::Clinician | Role::Coach | Role::Caregiver => {
            links.push(("/patients", "☷", t_string!(i18n, nav.patients).to_string()));
            links.push((
                "/join-care-team",
                "+",
                t_string!(i18n, nav.join_care_team).to_string(),
            ));
        }
        Role::Administrator => {
            links.push(("/admin", "⚙", t_string!(i18n, nav.admin).to_string()));
        }
    }
    if role == Role::Patient {
        links.insert(1, ("/today", "✓", t_string!(i18n, nav.today).to_string()));
    }
    links.push((
        "/settings/notifications",
        "🔔",
        t_string!(i18n, nav.notifications).to_string(),
    ));
    links.push((
        "/settings/security",
        "🔒",
        t_string!(i18n, nav.security).to_string(),
    ));
    links
}

/// The frame of every signed-in page: a header with the brand, the menu
/// button (phones), language and sign-out; the navigation; the main content.
#[component]
pub fn AppFrame(user: CurrentUser, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let menu_open = RwSignal::new(false);
    let location = use_location();
    // Following a link closes the menu on phones.
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    let current = move |path: &'static str| (location.pathname.get() == path).then_some("page");
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_to_content)}</a>
        <header class="app-header">
            <button
                type="button"
                class="button button-quiet menu-button"
                aria-controls="primary-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| menu_open.update(|open| *open = !*open)
            >
                <span aria-hidden="true">"☰"</span>
                <span class="menu-label">{t!(i18n, nav.menu)}</span>
            </button>
            <a href="/" class="brand">
                <img src="/icons/icon-192.png" alt="" width="32" height="32" />
                <span>{t!(i18n, app_name)}</span>
            </a>
            <div class="header-tools">
                <crate::notify::NotificationBell />
                <span class="user-name" data-testid="user-name">{user.display_name.clone()}</span>
                <LanguageSwitcher />
                <SignOutButton />
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
                    <li>
                        <a href="/" aria-current=move || current("/")>
                            <span class="nav-icon" aria-hidden="true">"⌂"</span>
                            {t!(i18n, nav.home)}
                        </a>
                    </li>
                    {nav_links(user.role)
                        .into_iter()
                        .map(|(path, icon, title)| {
                            view! {
                                <li>
                                    <a href=path aria-current=move || current(path)>
                                        <span class="nav-icon" aria-hidden="true">{icon}</span>
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
    }
}
