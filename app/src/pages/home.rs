use crate::frame::Area;
use crate::i18n::*;
use crate::identity::{CurrentUser, Role};
use crate::layout::{Icon, IconSvg};
use leptos::prelude::*;
use leptos_meta::Title;

/// The way into each part of Hale a role works in: (path, icon, title, summary).
fn cards(role: Role) -> Vec<(&'static str, Icon, String, String)> {
    let i18n = use_i18n();
    match role {
        Role::Patient => Area::ALL
            .into_iter()
            .filter(|area| area.ready())
            .map(|area| (area.path(), area.icon(), area.title(), area.summary()))
            .collect(),
        Role::Administrator => vec![(
            "/admin",
            Icon::Admin,
            t_string!(i18n, nav.admin).to_string(),
            t_string!(i18n, home.admin_summary).to_string(),
        )],
        Role::Clinician | Role::Coach | Role::Caregiver => vec![
            (
                "/patients",
                Icon::Patients,
                t_string!(i18n, nav.patients).to_string(),
                t_string!(i18n, home.patients_summary).to_string(),
            ),
            (
                "/join-care-team",
                Icon::Join,
                t_string!(i18n, nav.join_care_team).to_string(),
                t_string!(i18n, home.join_summary).to_string(),
            ),
        ],
    }
}

/// The signed-in home page: a greeting and the way into each area.
#[component]
pub fn HomePage(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let name = user.display_name.clone();
    let email = user.email.clone();
    view! {
        <Title text=move || t_string!(i18n, app_name).to_string() />
        <section class="page-intro">
            <h1 data-testid="greeting">{t!(i18n, home.greeting, name = name.clone())}</h1>
            <p>{t!(i18n, home.intro)}</p>
            <p class="muted">{t!(i18n, home.signed_in_as, email = email.clone())}</p>
        </section>
        <section aria-labelledby="areas-title">
            <h2 id="areas-title">{t!(i18n, home.areas_title)}</h2>
            <ul class="card-grid">
                {cards(user.role)
                    .into_iter()
                    .map(|(path, icon, title, summary)| {
                        view! {
                            <li>
                                <a class="card" href=path>
                                    <span class="card-icon"><IconSvg icon /></span>
                                    <span class="card-title">{title}</span>
                                    <span class="card-body">{summary}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
