//! The medications list: search, each medication with its schedule, supply
//! and adherence over a week and a month. The same list serves a care-team
//! member with a medications grant (read only).

use super::{Adherence, MedicationView, Schedule, ScheduleKind, list_medications};
use crate::i18n::*;
use crate::layout::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub(super) fn loading() -> impl IntoView {
    view! { <div class="loading" aria-busy="true"></div> }
}

/// The form's name in the reader's language.
pub fn form_label(form: &str) -> String {
    let i18n = use_i18n();
    match form {
        "tablet" => t_string!(i18n, meds.form_tablet),
        "capsule" => t_string!(i18n, meds.form_capsule),
        "liquid" => t_string!(i18n, meds.form_liquid),
        "injection" => t_string!(i18n, meds.form_injection),
        "inhaler" => t_string!(i18n, meds.form_inhaler),
        "patch" => t_string!(i18n, meds.form_patch),
        "drops" => t_string!(i18n, meds.form_drops),
        "cream" => t_string!(i18n, meds.form_cream),
        _ => t_string!(i18n, meds.form_other),
    }
    .to_string()
}

pub fn weekday_label(day: u8) -> String {
    let i18n = use_i18n();
    match day {
        1 => t_string!(i18n, meds.mon),
        2 => t_string!(i18n, meds.tue),
        3 => t_string!(i18n, meds.wed),
        4 => t_string!(i18n, meds.thu),
        5 => t_string!(i18n, meds.fri),
        6 => t_string!(i18n, meds.sat),
        _ => t_string!(i18n, meds.sun),
    }
    .to_string()
}

/// "08:00, 20:00 · Mon, Wed", "every 8 h from 06:00", "as needed, at most 4 a day".
pub fn schedule_summary(schedule: &Schedule) -> String {
    let i18n = use_i18n();
    let dose = format!("{}", schedule.dose);
    let when = match schedule.kind {
        ScheduleKind::Times => schedule.times.join(", "),
        ScheduleKind::Interval => t_string!(
            i18n,
            meds.every_hours_from,
            hours = schedule.every_hours,
            from = schedule.from.clone()
        )
        .to_string(),
        ScheduleKind::AsNeeded => {
            t_string!(i18n, meds.as_needed_max, max = schedule.max_per_day).to_string()
        }
    };
    let days = if schedule.weekdays.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = schedule
            .weekdays
            .iter()
            .map(|d| weekday_label(*d))
            .collect();
        format!(" · {}", names.join(", "))
    };
    let taper = if schedule.taper.is_empty() {
        String::new()
    } else {
        format!(" · {}", t_string!(i18n, meds.tapering))
    };
    format!("{} × {dose}{days}{taper}", when)
}

fn adherence_bar(label: String, counts: Option<Adherence>) -> impl IntoView {
    let pct = counts.and_then(|c| c.percent());
    let text = match (counts, pct) {
        (Some(c), Some(p)) => format!("{p:.0}% ({}/{})", c.taken, c.expected),
        _ => "–".to_owned(),
    };
    view! {
        <div class="adherence">
            <span>{label.clone()}</span>
            <progress max="100" value=pct.unwrap_or(0.0).round() aria-label=label></progress>
            <span class="adherence-figure">{text}</span>
        </div>
    }
}

#[component]
fn MedicationCard(med: MedicationView, own: bool) -> impl IntoView {
    let i18n = use_i18n();
    let title = format!("{} {}", med.input.name, med.input.strength);
    let status = if med.active {
        t_string!(i18n, meds.active).to_string()
    } else {
        t_string!(i18n, meds.stopped).to_string()
    };
    let supply = med
        .input
        .supply
        .map(|s| t_string!(i18n, meds.supply_left, left = s).to_string());
    let as_needed = med.input.schedule.kind == ScheduleKind::AsNeeded;
    view! {
        <li class="med-card" data-testid="medication" data-active=med.active.to_string()>
            <div class="med-head">
                {if own {
                    view! { <a href=format!("/medications/{}", med.id)><strong>{title}</strong></a> }.into_any()
                } else {
                    view! { <strong>{title}</strong> }.into_any()
                }}
                <span class="badge" class:badge-muted=!med.active>{status}</span>
            </div>
            <p class="muted">{form_label(&med.input.form)} " · " {schedule_summary(&med.input.schedule)}</p>
            {(!med.input.instructions.is_empty()).then(|| view! { <p>{med.input.instructions.clone()}</p> })}
            {supply.map(|s| view! { <p class:warning=med.supply_low data-testid="supply">{s} {med.supply_low.then(|| view! { " · " {t!(i18n, meds.refill_soon)} })}</p> })}
            {(!as_needed).then(|| view! {
                <div class="adherence-pair" data-testid="adherence">
                    {adherence_bar(t_string!(i18n, meds.last_week).to_string(), med.week)}
                    {adherence_bar(t_string!(i18n, meds.last_month).to_string(), med.month)}
                </div>
            })}
        </li>
    }
}

#[component]
fn MedicationList(patient: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let data = Resource::new(
        move || query.get(),
        move |q| list_medications(patient, Some(q)),
    );
    let own = patient.is_none();
    view! {
        <section class="page-intro">
            <h1>{t!(i18n, meds.title)}</h1>
            {own.then(|| view! {
                <p class="actions">
                    <a class="button" href="/today">{t!(i18n, meds.today_link)}</a>
                    <a class="button button-quiet" href="/medications/new">{t!(i18n, meds.add)}</a>
                </p>
            })}
        </section>
        <label class="field search-field">
            <span>{t!(i18n, meds.search)}</span>
            <input type="search" data-testid="med-search" prop:value=query on:input=move |ev| query.set(event_target_value(&ev)) />
        </label>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => {
                        let heading = list.patient_name.clone().map(|name| view! { <p class="muted">{name}</p> });
                        let empty = list.medications.is_empty();
                        view! {
                            {heading}
                            <p class="muted">{t!(i18n, meds.zone_note, zone = list.zone.clone())}</p>
                            {empty.then(|| view! { <p class="muted">{t!(i18n, meds.none)}</p> })}
                            <ul class="med-list">
                                {list.medications.into_iter().map(|med| view! { <MedicationCard med own /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The signed-in patient's medications.
#[component]
pub fn MedicationsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, meds.title).to_string() />
        <MedicationList patient=None />
    }
}

/// A patient's medications and adherence, for their care team.
#[component]
pub fn PatientMedicationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let patient = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    view! {
        <Title text=move || t_string!(i18n, meds.title).to_string() />
        <p><a href=format!("/patients/{}", patient.unwrap_or_default())>{t!(i18n, meds.back_to_patient)}</a></p>
        <MedicationList patient />
    }
}
