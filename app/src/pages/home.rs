//! The signed-in home page: a summary of what matters now for the role. A
//! patient sees the doses still to take today (one tap each), the latest
//! readings, unread notifications, recent files and the first steps not yet
//! taken; a care-team member sees their patients, those needing attention
//! first; an administrator the way into administration.

use super::summary::{PatientAttention, PatientSummary, home_attention, home_summary};
use crate::i18n::*;
use crate::identity::{Action, Category, CurrentUser, Role};
use crate::layout::{ErrorMessage, Icon, IconSvg};
use leptos::prelude::*;
use leptos_meta::Title;

fn loading() -> impl IntoView {
    view! { <div class="loading" aria-busy="true"></div> }
}

#[component]
pub fn HomePage(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let name = user.display_name.clone();
    let body = match user.role {
        Role::Patient => view! { <PatientHome /> }.into_any(),
        Role::Administrator => view! { <Shortcuts shortcuts=admin_shortcuts() /> }.into_any(),
        Role::Clinician | Role::Coach | Role::Caregiver => view! {
            <CareHome />
            <Shortcuts shortcuts=care_shortcuts() />
        }
        .into_any(),
    };
    view! {
        <Title text=move || t_string!(i18n, app_name).to_string() />
        <section class="page-intro">
            <h1 data-testid="greeting">{t!(i18n, home.greeting, name = name.clone())}</h1>
            <p class="muted">{t!(i18n, home.signed_in_as, email = user.email.clone())}</p>
        </section>
        {body}
    }
}

/// A section of the home page: a title, its content, and a link to the whole.
#[component]
fn Part(
    id: &'static str,
    title: String,
    more_href: &'static str,
    more: String,
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="panel home-part" aria-labelledby=labelled_by data-testid=id>
            <h2 id=title_id>{title}</h2>
            {children()}
            <p class="home-more"><a href=more_href>{more}</a></p>
        </section>
    }
}

#[component]
fn PatientHome() -> impl IntoView {
    let summary = Resource::new(|| (), |_| home_summary());
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => view! { <PatientParts summary /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PatientParts(summary: PatientSummary) -> impl IntoView {
    let i18n = use_i18n();
    let offset = crate::clock::offset_min();
    let PatientSummary {
        doses,
        more_doses,
        has_medications,
        cards,
        prefs,
        notifications,
        files,
        has_care_team,
    } = summary;
    let has_readings = !cards.is_empty();
    let steps = [
        (
            has_medications,
            "/medications/new",
            Icon::Medications,
            t_string!(i18n, home.step_medication).to_string(),
        ),
        (
            has_readings,
            "/dashboard/import",
            Icon::Dashboard,
            t_string!(i18n, home.step_import).to_string(),
        ),
        (
            has_care_team,
            "/care-team",
            Icon::CareTeam,
            t_string!(i18n, home.step_invite).to_string(),
        ),
    ];
    let first_run = steps.iter().any(|(done, ..)| !done).then(|| {
        view! {
            <section class="panel home-part" aria-labelledby="steps-title" data-testid="first-steps">
                <h2 id="steps-title">{t!(i18n, home.steps_title)}</h2>
                <ol class="steps">
                    {steps
                        .into_iter()
                        .map(|(done, href, icon, text)| {
                            let icon = if done { Icon::Today } else { icon };
                            view! {
                                <li data-done=done.to_string()>
                                    <a href=href>
                                        <span class="card-icon"><IconSvg icon /></span>
                                        <span>{text}</span>
                                        {done.then(|| view! { <span class="badge">{t!(i18n, home.step_done)}</span> })}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>
        }
    });
    let doses_part = has_medications.then(|| {
        let empty = doses.is_empty();
        view! {
            <Part id="home-doses" title=t_string!(i18n, home.doses_title).to_string() more_href="/today" more=t_string!(i18n, home.doses_more).to_string()>
                {if empty {
                    view! { <p class="muted">{t!(i18n, home.doses_none)}</p> }.into_any()
                } else {
                    view! { <crate::meds::NextDoses doses /> }.into_any()
                }}
                {(more_doses > 0).then(|| view! { <p class="muted">{t!(i18n, home.doses_left, count = more_doses)}</p> })}
            </Part>
        }
    });
    let readings_part = has_readings.then(|| {
        view! {
            <Part id="home-readings" title=t_string!(i18n, home.readings_title).to_string() more_href="/dashboard" more=t_string!(i18n, home.readings_more).to_string()>
                <ul class="card-grid health-cards">
                    {cards
                        .into_iter()
                        .map(|card| {
                            let href = format!("/dashboard/{}", card.kind.as_str());
                            view! { <crate::health::HealthCard card href prefs=prefs.clone() offset /> }
                        })
                        .collect_view()}
                </ul>
            </Part>
        }
    });
    let news_part = (!notifications.is_empty()).then(|| {
        view! {
            <Part id="home-news" title=t_string!(i18n, home.news_title).to_string() more_href="/notifications" more=t_string!(i18n, home.news_more).to_string()>
                <ul class="item-list">
                    {notifications
                        .into_iter()
                        .map(|n| view! {
                            <li class="item">
                                <a href=n.url.clone()><strong>{n.title.clone()}</strong></a>
                                <span class="muted">{n.body.clone()}</span>
                            </li>
                        })
                        .collect_view()}
                </ul>
            </Part>
        }
    });
    let files_part = (!files.is_empty()).then(|| {
        view! {
            <Part id="home-files" title=t_string!(i18n, home.files_title).to_string() more_href="/documents" more=t_string!(i18n, home.files_more).to_string()>
                <ul class="item-list">
                    {files
                        .into_iter()
                        .map(|f| view! {
                            <li class="item">
                                <a href=crate::files::components::file_href(None, f.id)>{f.title.clone()}</a>
                                <span class="muted">{f.date.clone()}</span>
                            </li>
                        })
                        .collect_view()}
                </ul>
            </Part>
        }
    });
    view! {
        {first_run}
        <div class="home-grid">{doses_part} {readings_part} {news_part} {files_part}</div>
    }
}

/// A care-team member's patients, those with missed doses or low supply first.
#[component]
fn CareHome() -> impl IntoView {
    let i18n = use_i18n();
    let patients = Resource::new(|| (), |_| home_attention());
    view! {
        <section class="panel home-part" aria-labelledby="attention-title" data-testid="attention">
            <h2 id="attention-title">{t!(i18n, home.attention_title)}</h2>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match patients.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t!(i18n, care.no_patients)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="item-list">
                                {list.into_iter().map(|row| view! { <AttentionRow row /> }).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AttentionRow(row: PatientAttention) -> impl IntoView {
    let i18n = use_i18n();
    let needs = row.needs_attention();
    let id = row.patient.patient_id;
    let may = |category| row.patient.permissions.allows(category, Action::Read);
    let status = match (row.missed_week, row.low_supply) {
        (None, _) => t_string!(i18n, home.attention_no_meds).to_string(),
        (Some(0), 0) => t_string!(i18n, home.attention_ok).to_string(),
        (Some(missed), low) => {
            let mut parts = Vec::new();
            if missed > 0 {
                parts.push(t_string!(i18n, home.attention_missed, count = missed).to_string());
            }
            if low > 0 {
                parts.push(t_string!(i18n, home.attention_low, count = low).to_string());
            }
            parts.join(" · ")
        }
    };
    let link = |path: &str, title: String| view! { <a class="button button-quiet" href=format!("/patients/{id}/{path}")>{title}</a> };
    view! {
        <li class="item attention" data-attention=needs.to_string() data-testid="attention-row">
            <div>
                <a href=format!("/patients/{id}")><strong>{row.patient.name.clone()}</strong></a>
                <p class:warning-text=needs class:muted=!needs data-testid="attention-status">{status}</p>
            </div>
            <div class="item-actions">
                {may(Category::Vitals).then(|| link("health", t_string!(i18n, nav.dashboard).to_string()))}
                {may(Category::Medications).then(|| link("medications", t_string!(i18n, nav.medications).to_string()))}
                {may(Category::Documents).then(|| link("documents", t_string!(i18n, nav.documents).to_string()))}
            </div>
        </li>
    }
}

/// The way into the parts a role works in: (path, icon, title, summary).
type Shortcut = (&'static str, Icon, String, String);

fn admin_shortcuts() -> Vec<Shortcut> {
    let i18n = use_i18n();
    vec![(
        "/admin",
        Icon::Admin,
        t_string!(i18n, nav.admin).to_string(),
        t_string!(i18n, home.admin_summary).to_string(),
    )]
}

fn care_shortcuts() -> Vec<Shortcut> {
    let i18n = use_i18n();
    vec![
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
    ]
}

#[component]
fn Shortcuts(shortcuts: Vec<Shortcut>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="areas-title">
            <h2 id="areas-title">{t!(i18n, home.areas_title)}</h2>
            <ul class="card-grid">
                {shortcuts
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
