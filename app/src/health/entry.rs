//! The form for one reading typed in by hand: the kind decides the units
//! offered, the plausible range shown, and the extra fields (diastolic
//! pressure, the end of a sleep session).

use super::AddReading;
use super::kind::Kind;
use super::labels::kind_label;
use crate::clock::{now_s, offset_min};
use crate::i18n::*;
use crate::layout::{ActionError, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

/// The units offered for a kind: each accepted unit's first spelling.
fn unit_choices(kind: Kind) -> Vec<&'static str> {
    kind.units().iter().map(|u| u.spellings[0]).collect()
}

fn unit_label(unit: &str) -> &str {
    match unit {
        "/min" => "bpm",
        "{steps}" => "steps",
        "mm[Hg]" => "mmHg",
        "[lb_av]" => "lb",
        "[mi_i]" => "mi",
        "[ft_i]" => "ft",
        "Cel" => "°C",
        "[degF]" => "°F",
        other => other,
    }
}

#[component]
pub fn AddReadingPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddReading>::new();
    let kind = RwSignal::new(Kind::HeartRate);
    // The browser's clock and UTC offset, filled in once hydrated (the
    // server renders before it knows them).
    let offset = RwSignal::new(0);
    let now = RwSignal::new(String::new());
    Effect::new(move |_| {
        let minutes = offset_min();
        offset.set(minutes);
        let local = super::chart::local(now_s(), minutes);
        now.set(local.format("%Y-%m-%dT%H:%M").to_string());
    });
    let range = move || {
        let k = kind.get();
        let (min, max) = k.range();
        let unit = unit_label(k.canonical_unit());
        t_string!(i18n, health.plausible, min = min, max = max, unit = unit).to_string()
    };
    view! {
        <Title text=move || t_string!(i18n, health.add_title).to_string() />
        <section class="page-intro">
            <p><a href="/dashboard">{t!(i18n, health.back_to_dashboard)}</a></p>
            <h1>{t!(i18n, health.add_title)}</h1>
        </section>
        <section class="panel">
            <ActionForm action=add attr:class="stack" attr:novalidate=true>
                <ActionError action=add />
                <input type="hidden" name="offset_min" prop:value=move || offset.get().to_string() />
                <label class="field">
                    <span>{t!(i18n, health.field_kind)}</span>
                    <select
                        name="kind"
                        data-testid="kind"
                        on:change=move |ev| {
                            if let Some(k) = Kind::parse(&event_target_value(&ev)) {
                                kind.set(k);
                            }
                        }
                    >
                        {Kind::ALL
                            .into_iter()
                            .map(|k| view! { <option value=k.as_str() selected=move || kind.get() == k>{kind_label(k)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || if kind.get().is_session() { t_string!(i18n, health.field_start).to_string() } else { t_string!(i18n, health.field_time).to_string() }}</span>
                    <input type="datetime-local" name="time" required prop:value=move || now.get() />
                </label>
                <Show when=move || kind.get().is_session()>
                    <label class="field">
                        <span>{t!(i18n, health.field_end)}</span>
                        <input type="datetime-local" name="end_time" required />
                    </label>
                </Show>
                <Show
                    when=move || !kind.get().is_session()
                    fallback=|| view! { <input type="hidden" name="value" value="0" /> }
                >
                    <label class="field">
                        <span>{move || if kind.get() == Kind::BloodPressure { t_string!(i18n, health.field_systolic).to_string() } else { t_string!(i18n, health.field_value).to_string() }}</span>
                        <input type="text" inputmode="decimal" name="value" required data-testid="value" />
                        <span class="hint">{range}</span>
                    </label>
                </Show>
                <Show when=move || kind.get() == Kind::BloodPressure>
                    <label class="field">
                        <span>{t!(i18n, health.field_diastolic)}</span>
                        <input type="text" inputmode="decimal" name="value2" required />
                    </label>
                </Show>
                <label class="field">
                    <span>{t!(i18n, health.field_unit)}</span>
                    <select name="unit" data-testid="unit">
                        {move || {
                            unit_choices(kind.get())
                                .into_iter()
                                .map(|u| view! { <option value=u>{unit_label(u)}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
                <SubmitButton pending=add.pending()>{t!(i18n, health.save_reading)}</SubmitButton>
            </ActionForm>
            {move || {
                add.value()
                    .get()
                    .and_then(Result::ok)
                    .map(|stored| {
                        view! {
                            <div class="notice" role="status" data-testid="saved">
                                <p>
                                    {if stored {
                                        t_string!(i18n, health.saved).to_string()
                                    } else {
                                        t_string!(i18n, health.already_saved).to_string()
                                    }}
                                </p>
                                <p><a href="/dashboard">{t!(i18n, health.back_to_dashboard)}</a></p>
                            </div>
                        }
                    })
            }}
        </section>
    }
}
