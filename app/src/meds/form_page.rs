//! Adding and editing a medication: its details, its schedule (times, every
//! N hours, weekdays, dose changes by date, as needed with a daily maximum),
//! the supply; on the edit page also stop/resume, refill and the history.

use super::components::{form_label, loading, weekday_label};
use super::{
    FORMS, MedicationDetail, MedicationInput, RefillMedication, Schedule, ScheduleKind,
    SetMedicationActive, TaperStep, get_medication, save_medication,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::layout::{ActionError, ErrorMessage, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn NewMedicationPage() -> impl IntoView {
    let i18n = use_i18n();
    let today = chrono::DateTime::from_timestamp(crate::clock::now_s(), 0)
        .map(|t| t.date_naive().format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let input = MedicationInput {
        form: "tablet".into(),
        start_date: today,
        schedule: Schedule {
            times: vec!["08:00".into()],
            dose: 1.0,
            every_hours: 8,
            from: "08:00".into(),
            max_per_day: 4,
            ..Schedule::default()
        },
        ..MedicationInput::default()
    };
    view! {
        <Title text=move || t_string!(i18n, meds.add).to_string() />
        <section class="page-intro">
            <p><a href="/medications">{t!(i18n, meds.back_to_list)}</a></p>
            <h1>{t!(i18n, meds.add)}</h1>
        </section>
        <MedicationForm id=None input />
    }
}

#[component]
pub fn EditMedicationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let version = RwSignal::new(0u32);
    let data = Resource::new(
        move || version.get(),
        move |_| async move {
            match id {
                Some(id) => get_medication(None, id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text=move || t_string!(i18n, meds.edit).to_string() />
        <section class="page-intro">
            <p><a href="/medications">{t!(i18n, meds.back_to_list)}</a></p>
            <h1>{t!(i18n, meds.edit)}</h1>
        </section>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(detail) => view! { <EditBody detail version /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditBody(detail: MedicationDetail, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let med = detail.medication;
    let status = ServerAction::<SetMedicationActive>::new();
    let refill = ServerAction::<RefillMedication>::new();
    for done in [status.version(), refill.version()] {
        Effect::new(move |seen: Option<usize>| {
            let now = done.get();
            if seen.is_some_and(|s| s != now) {
                version.update(|v| *v += 1);
            }
            now
        });
    }
    let change_label = move |change: &str| match change {
        "created" => t_string!(i18n, meds.change_created).to_string(),
        "edited" => t_string!(i18n, meds.change_edited).to_string(),
        "stopped" => t_string!(i18n, meds.change_stopped).to_string(),
        "resumed" => t_string!(i18n, meds.change_resumed).to_string(),
        "refilled" => t_string!(i18n, meds.change_refilled).to_string(),
        _ => t_string!(i18n, meds.change_undone).to_string(),
    };
    view! {
        <MedicationForm id=Some(med.id) input=med.input.clone() />
        <section class="panel" aria-labelledby="status-title">
            <h2 id="status-title">{if med.active { t!(i18n, meds.active).into_any() } else { t!(i18n, meds.stopped).into_any() }}</h2>
            <ActionForm action=status attr:class="inline">
                <input type="hidden" name="id" value=med.id />
                <input type="hidden" name="active" value=(!med.active).to_string() />
                <ActionError action=status />
                <button type="submit" class="button button-quiet" data-testid="toggle-active">
                    {if med.active { t!(i18n, meds.stop).into_any() } else { t!(i18n, meds.resume).into_any() }}
                </button>
            </ActionForm>
        </section>
        {med.input.supply.map(|left| view! {
            <section class="panel" aria-labelledby="refill-title">
                <h2 id="refill-title">{t!(i18n, meds.refill_title)}</h2>
                <p data-testid="supply">{t!(i18n, meds.supply_left, left = left)}</p>
                <ActionForm action=refill attr:class="stack">
                    <ActionError action=refill />
                    <input type="hidden" name="id" value=med.id />
                    <label class="field">
                        <span>{t!(i18n, meds.refill_amount)}</span>
                        <input type="text" inputmode="decimal" name="amount" required />
                    </label>
                    <SubmitButton pending=refill.pending()>{t!(i18n, meds.refill)}</SubmitButton>
                </ActionForm>
            </section>
        })}
        <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">{t!(i18n, meds.history)}</h2>
            <ul class="item-list" data-testid="history">
                {detail.history.into_iter().map(|c| {
                    let when = chrono::DateTime::from_timestamp_millis(c.at_ms)
                        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_default();
                    view! { <li class="item"><span>{change_label(&c.change)} {(!c.detail.is_empty()).then(|| format!(" ({})", c.detail))}</span><span class="muted">{when}</span></li> }
                }).collect_view()}
            </ul>
        </section>
    }
}

fn number(text: &str) -> f64 {
    text.trim().replace(',', ".").parse().unwrap_or(0.0)
}

fn maybe_number(text: &str) -> Option<f64> {
    match text.trim() {
        "" => None,
        // An unreadable number goes to the server as -1, which it refuses with the field's rule.
        t => Some(t.replace(',', ".").parse().unwrap_or(-1.0)),
    }
}

fn text_of(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The form itself: every field a signal, sent as JSON.
#[component]
fn MedicationForm(id: Option<i64>, input: MedicationInput) -> impl IntoView {
    let i18n = use_i18n();
    let s = input.schedule.clone();
    let name = RwSignal::new(input.name);
    let strength = RwSignal::new(input.strength);
    let form = RwSignal::new(input.form);
    let instructions = RwSignal::new(input.instructions);
    let prescriber = RwSignal::new(input.prescriber);
    let rxnorm = RwSignal::new(input.rxnorm);
    let start_date = RwSignal::new(input.start_date);
    let end_date = RwSignal::new(input.end_date);
    let kind = RwSignal::new(s.kind);
    let times = RwSignal::new(s.times);
    let every = RwSignal::new(s.every_hours.max(1).to_string());
    let from = RwSignal::new(s.from);
    let weekdays = RwSignal::new(s.weekdays);
    let dose = RwSignal::new(s.dose.to_string());
    let taper = RwSignal::new(
        s.taper
            .into_iter()
            .map(|t| (t.from, t.dose.to_string()))
            .collect::<Vec<_>>(),
    );
    let max_per_day = RwSignal::new(s.max_per_day.max(1).to_string());
    // The rows are drawn again only when their number changes (typing keeps focus).
    let time_count = Memo::new(move |_| times.with(Vec::len));
    let taper_count = Memo::new(move |_| taper.with(Vec::len));
    let supply = RwSignal::new(text_of(input.supply));
    let low_supply = RwSignal::new(text_of(input.low_supply));

    let save = Action::new(move |input: &MedicationInput| {
        let input = input.clone();
        async move { save_medication(None, id, input).await }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            navigate(&format!("/medications/{saved}"), Default::default());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let schedule = Schedule {
            kind: kind.get_untracked(),
            times: times.get_untracked(),
            every_hours: every.get_untracked().trim().parse().unwrap_or(0),
            from: from.get_untracked(),
            weekdays: weekdays.get_untracked(),
            dose: number(&dose.get_untracked()),
            taper: taper
                .get_untracked()
                .into_iter()
                .map(|(from, dose)| TaperStep {
                    from,
                    dose: number(&dose),
                })
                .collect(),
            max_per_day: max_per_day.get_untracked().trim().parse().unwrap_or(0),
        };
        save.dispatch(MedicationInput {
            name: name.get_untracked(),
            strength: strength.get_untracked(),
            form: form.get_untracked(),
            instructions: instructions.get_untracked(),
            prescriber: prescriber.get_untracked(),
            rxnorm: rxnorm.get_untracked(),
            start_date: start_date.get_untracked(),
            end_date: end_date.get_untracked(),
            schedule,
            supply: maybe_number(&supply.get_untracked()),
            low_supply: maybe_number(&low_supply.get_untracked()),
        });
    };
    let text_field = move |label: String,
                           signal: RwSignal<String>,
                           test: &'static str,
                           required: bool| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input type="text" data-testid=test required=required prop:value=signal on:input=move |ev| signal.set(event_target_value(&ev)) />
            </label>
        }
    };
    let kind_choice = move |k: ScheduleKind, label: String| {
        view! {
            <label class="choice">
                <input type="radio" name="kind" value=k.as_str() data-testid=format!("kind-{}", k.as_str()) prop:checked=move || kind.get() == k on:change=move |_| kind.set(k) />
                {label}
            </label>
        }
    };
    // Built apart and erased: one view type for the whole form is too deep for the compiler.
    let detail_fields = view! {
            {text_field(t_string!(i18n, meds.name).to_string(), name, "med-name", true)}
            {text_field(t_string!(i18n, meds.strength).to_string(), strength, "med-strength", false)}
            <label class="field">
                <span>{t!(i18n, meds.form)}</span>
                <select data-testid="med-form" on:change=move |ev| form.set(event_target_value(&ev))>
                    {FORMS.iter().map(|f| view! { <option value=*f selected=move || form.get() == *f>{form_label(f)}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, meds.instructions)}</span>
                <textarea rows="2" prop:value=instructions on:input=move |ev| instructions.set(event_target_value(&ev))></textarea>
            </label>
            {text_field(t_string!(i18n, meds.prescriber).to_string(), prescriber, "med-prescriber", false)}
            {text_field(t_string!(i18n, meds.rxnorm).to_string(), rxnorm, "med-rxnorm", false)}
            <div class="field-row">
                <label class="field">
                    <span>{t!(i18n, meds.start_date)}</span>
                    <input type="date" data-testid="med-start" prop:value=start_date on:input=move |ev| start_date.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>{t!(i18n, meds.end_date)}</span>
                    <input type="date" data-testid="med-end" prop:value=end_date on:input=move |ev| end_date.set(event_target_value(&ev)) />
                </label>
            </div>
    }
    .into_any();
    let schedule_fields = view! {
            <fieldset class="stack">
                <legend>{t!(i18n, meds.schedule)}</legend>
                <div class="choices">
                    {kind_choice(ScheduleKind::Times, t_string!(i18n, meds.kind_times).to_string())}
                    {kind_choice(ScheduleKind::Interval, t_string!(i18n, meds.kind_interval).to_string())}
                    {kind_choice(ScheduleKind::AsNeeded, t_string!(i18n, meds.kind_as_needed).to_string())}
                </div>
                <Show when=move || kind.get() == ScheduleKind::Times>
                    <div class="stack" data-testid="times">
                        {move || (0..time_count.get()).map(|i| view! {
                            <div class="field-row">
                                <label class="field">
                                    <span>{t!(i18n, meds.time)} " " {i + 1}</span>
                                    <input type="time" prop:value=move || times.get().get(i).cloned().unwrap_or_default()
                                        on:input=move |ev| times.update(|t| if let Some(slot) = t.get_mut(i) { *slot = event_target_value(&ev) }) />
                                </label>
                                <button type="button" class="button button-quiet" on:click=move |_| times.update(|t| { if i < t.len() { t.remove(i); } })>
                                    {t!(i18n, meds.remove)}
                                </button>
                            </div>
                        }).collect_view()}
                        <button type="button" class="button button-quiet" data-testid="add-time" on:click=move |_| times.update(|t| t.push("12:00".into()))>
                            {t!(i18n, meds.add_time)}
                        </button>
                    </div>
                </Show>
                <Show when=move || kind.get() == ScheduleKind::Interval>
                    <div class="field-row">
                        <label class="field">
                            <span>{t!(i18n, meds.every_hours)}</span>
                            <input type="number" min="1" max="24" prop:value=every on:input=move |ev| every.set(event_target_value(&ev)) />
                        </label>
                        <label class="field">
                            <span>{t!(i18n, meds.first_time)}</span>
                            <input type="time" prop:value=from on:input=move |ev| from.set(event_target_value(&ev)) />
                        </label>
                    </div>
                </Show>
                <Show when=move || kind.get() == ScheduleKind::AsNeeded>
                    <label class="field">
                        <span>{t!(i18n, meds.max_per_day)}</span>
                        <input type="number" min="1" max="24" data-testid="max-per-day" prop:value=max_per_day on:input=move |ev| max_per_day.set(event_target_value(&ev)) />
                    </label>
                </Show>
                <label class="field">
                    <span>{t!(i18n, meds.dose)}</span>
                    <input type="text" inputmode="decimal" data-testid="med-dose" prop:value=dose on:input=move |ev| dose.set(event_target_value(&ev)) />
                </label>
                <Show when=move || kind.get() != ScheduleKind::AsNeeded>
                    <fieldset class="weekdays">
                        <legend>{t!(i18n, meds.weekdays)}</legend>
                        {(1u8..=7).map(|d| view! {
                            <label class="choice">
                                <input type="checkbox" prop:checked=move || weekdays.get().contains(&d)
                                    on:change=move |ev| { let on = event_target_checked(&ev); weekdays.update(|w| { w.retain(|x| *x != d); if on { w.push(d); w.sort_unstable(); } }) } />
                                {weekday_label(d)}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <div class="stack">
                        <span>{t!(i18n, meds.taper)}</span>
                        {move || (0..taper_count.get()).map(|i| view! {
                            <div class="field-row">
                                <label class="field">
                                    <span>{t!(i18n, meds.taper_from)}</span>
                                    <input type="date" prop:value=move || taper.get().get(i).map(|t| t.0.clone()).unwrap_or_default()
                                        on:input=move |ev| taper.update(|t| if let Some(step) = t.get_mut(i) { step.0 = event_target_value(&ev) }) />
                                </label>
                                <label class="field">
                                    <span>{t!(i18n, meds.dose)}</span>
                                    <input type="text" inputmode="decimal" prop:value=move || taper.get().get(i).map(|t| t.1.clone()).unwrap_or_default()
                                        on:input=move |ev| taper.update(|t| if let Some(step) = t.get_mut(i) { step.1 = event_target_value(&ev) }) />
                                </label>
                                <button type="button" class="button button-quiet" on:click=move |_| taper.update(|t| { if i < t.len() { t.remove(i); } })>
                                    {t!(i18n, meds.remove)}
                                </button>
                            </div>
                        }).collect_view()}
                        <button type="button" class="button button-quiet" on:click=move |_| taper.update(|t| t.push((start_date.get_untracked(), dose.get_untracked())))>
                            {t!(i18n, meds.add_taper)}
                        </button>
                    </div>
                </Show>
            </fieldset>
    }
    .into_any();
    view! {
        <form class="panel stack med-form" on:submit=submit novalidate>
            {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error /> })}
            {detail_fields}
            {schedule_fields}
            <div class="field-row">
                <label class="field">
                    <span>{t!(i18n, meds.supply)}</span>
                    <input type="text" inputmode="decimal" data-testid="med-supply" prop:value=supply on:input=move |ev| supply.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>{t!(i18n, meds.low_supply)}</span>
                    <input type="text" inputmode="decimal" data-testid="med-low" prop:value=low_supply on:input=move |ev| low_supply.set(event_target_value(&ev)) />
                </label>
            </div>
            <SubmitButton pending=save.pending()>{t!(i18n, meds.save)}</SubmitButton>
        </form>
    }
}
