//! The doses still to take today, on the home page: each one tap to log it
//! taken (kept on the device and sent later when there is no network); the
//! other choices (a time, skipping) are on Today.

use super::offline::{self, Sent};
use super::today_page::state_label;
use super::{DoseInput, DoseState, DoseView};
use crate::error::AppError;
use crate::i18n::*;
use crate::layout::ErrorMessage;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn NextDoses(doses: Vec<DoseView>) -> impl IntoView {
    view! {
        <ul class="dose-list" data-testid="next-doses">
            {doses.into_iter().map(|dose| view! { <NextDose dose /> }).collect_view()}
        </ul>
    }
}

/// What became of the tap.
#[derive(Clone, Copy, PartialEq)]
enum Logged {
    No,
    Saved,
    OnDevice,
}

#[component]
fn NextDose(dose: DoseView) -> impl IntoView {
    let i18n = use_i18n();
    let logged = RwSignal::new(Logged::No);
    let error = RwSignal::new(None::<AppError>);
    let title = format!("{} {}", dose.name, dose.strength);
    let (med, slot, state) = (dose.medication_id, dose.slot.clone(), dose.state);
    let take = move |_| {
        let input = DoseInput {
            medication_id: med,
            slot: slot.clone(),
            status: "taken".into(),
            ..DoseInput::default()
        };
        spawn_local(async move {
            match offline::send(input).await {
                Sent::Saved => logged.set(Logged::Saved),
                Sent::Queued => logged.set(Logged::OnDevice),
                Sent::Refused(refusal) => error.set(Some(refusal)),
            }
        });
    };
    let label = move || match logged.get() {
        Logged::No => state_label(state),
        Logged::Saved => state_label(DoseState::Taken),
        Logged::OnDevice => t_string!(i18n, meds.state_waiting).to_string(),
    };
    let shown_state = move || match logged.get() {
        Logged::No => state.as_str(),
        _ => DoseState::Taken.as_str(),
    };
    let aria = format!("{} {} {}", t_string!(i18n, meds.take), title, dose.time);
    view! {
        <li class="dose" data-state=shown_state data-testid="next-dose">
            <div class="dose-head">
                <span class="dose-time">{dose.time.clone()}</span>
                <span class="dose-name">{title.clone()} <span class="muted">" × " {dose.amount}</span></span>
                <span class="badge" data-testid="dose-state">{label}</span>
            </div>
            <Show when=move || logged.get() == Logged::No>
                <div class="dose-actions">
                    <button type="button" class="button button-primary" data-testid="take" aria-label=aria.clone() on:click=take.clone()>
                        {t!(i18n, meds.take)}
                    </button>
                </div>
            </Show>
            {move || error.get().map(|error| view! { <div role="alert"><ErrorMessage error /></div> })}
        </li>
    }
}
