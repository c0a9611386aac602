//! A care-team member's patients: the list of those who granted access, and
//! one patient's page.

use super::components::{NeedsMfa, describe};
use super::{my_patients, patient};
use crate::i18n::*;
use crate::identity::{Action, Category};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The patients who granted me access.
#[component]
pub fn PatientsPage() -> impl IntoView {
    let i18n = use_i18n();
    let patients = Resource::new(|| (), |_| my_patients());
    view! {
        <Title text=move || t_string!(i18n, care.patients_title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, care.patients_title)}</h1>
            <p><a href="/join-care-team">{t!(i18n, care.join_title)}</a></p>
        </section>
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match patients.await {
                    Ok(list) if list.is_empty() => {
                        view! { <p class="muted">{t!(i18n, care.no_patients)}</p> }.into_any()
                    }
                    Ok(list) => {
                        view! {
                            <ul class="item-list" data-testid="patients">
                                {list
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <li class="item">
                                                <a href=format!("/patients/{}", p.patient_id)>{p.name.clone()}</a>
                                                <span class="muted">{describe(&p.permissions)}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <NeedsMfa error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The patient whose id is in the route (`/patients/:id/…`), through the access check.
fn patient_of_route() -> Resource<Result<super::PatientLink, crate::error::AppError>> {
    let params = use_params_map();
    Resource::new(
        move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => patient(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    )
}

/// One patient, as their care-team member sees them.
#[component]
pub fn PatientPage() -> impl IntoView {
    let i18n = use_i18n();
    let found = patient_of_route();
    view! {
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(p) => {
                        view! {
                            <Title text=p.name.clone() />
                            <section class="page-intro">
                                <h1>{p.name.clone()}</h1>
                                <p>{t!(i18n, care.you_may)} " " {describe(&p.permissions)}</p>
                                {p.until.map(|d| view! { <p class="muted">{t!(i18n, care.until_date, date = d.to_string())}</p> })}
                                {p.permissions
                                    .allows(Category::Vitals, Action::Read)
                                    .then(|| {
                                        view! {
                                            <p>
                                                <a class="button button-primary" href=format!("/patients/{}/health", p.patient_id)>
                                                    {t!(i18n, health.open_dashboard)}
                                                </a>
                                            </p>
                                        }
                                    })}
                                {p.permissions
                                    .allows(Category::Medications, Action::Read)
                                    .then(|| {
                                        view! {
                                            <p>
                                                <a class="button" href=format!("/patients/{}/medications", p.patient_id)>
                                                    {t!(i18n, meds.open_list)}
                                                </a>
                                            </p>
                                        }
                                    })}
                                {p.permissions
                                    .allows(Category::Documents, Action::Read)
                                    .then(|| {
                                        view! {
                                            <p>
                                                <a class="button" href=format!("/patients/{}/documents", p.patient_id)>
                                                    {t!(i18n, files.open_list)}
                                                </a>
                                            </p>
                                        }
                                    })}
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <NeedsMfa error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Above each of a patient's pages a care-team member opens: whose data
/// this is, and the way to each part of it the grant allows (the current one
/// marked), so Back and the tabs stay in the patient's context.
#[component]
pub fn PatientHeader() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let found = patient_of_route();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // A refusal is the page's own to explain, below.
                let p = found.await.ok()?;
                let base = format!("/patients/{}", p.patient_id);
                let sections = [
                    (Category::Vitals, "health", t_string!(i18n, nav.dashboard).to_string()),
                    (Category::Medications, "medications", t_string!(i18n, nav.medications).to_string()),
                    (Category::Documents, "documents", t_string!(i18n, nav.documents).to_string()),
                ];
                let tabs = sections
                    .into_iter()
                    .filter(|(category, _, _)| p.permissions.allows(*category, Action::Read))
                    .map(|(_, path, title)| {
                        let href = format!("{base}/{path}");
                        let prefix = href.clone();
                        let current = move || {
                            location.pathname.with(|now| now.starts_with(&prefix)).then_some("page")
                        };
                        view! { <li><a href=href aria-current=current>{title}</a></li> }
                    })
                    .collect_view();
                Some(view! {
                    <nav class="patient-header" aria-label=move || t_string!(i18n, care.patient_sections).to_string() data-testid="patient-header">
                        <a class="patient-name" href=base>
                            <span class="muted">{t!(i18n, care.patient_label)}</span>
                            <strong>{p.name.clone()}</strong>
                        </a>
                        <ul class="patient-tabs">{tabs}</ul>
                    </nav>
                })
            })}
        </Suspense>
    }
}
