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

/// One patient, as their care-team member sees them.
#[component]
pub fn PatientPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let found = Resource::new(
        move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => patient(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
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
