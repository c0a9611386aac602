//! Today: the day's doses (due, late, taken, skipped), each one tap to log
//! taken (now or at a chosen time) or skipped (with a reason), and undo;
//! as-needed medications with their daily maximum; a month calendar. Logs
//! made without a network wait on the device and are sent when it returns.

use super::components::loading;
use super::offline::{self, Sent};
use super::{
    DoseInput, DoseState, DoseView, PrnView, TodayView, dose_day, set_time_zone, undo_dose,
};
use crate::error::AppError;
use crate::i18n::*;
use crate::layout::ErrorMessage;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// What the page shares with its rows.
#[derive(Clone, Copy)]
struct Ctx {
    version: RwSignal<u32>,
    /// Doses kept on this device, not yet sent.
    pending: RwSignal<Vec<DoseInput>>,
    notice: RwSignal<Option<Result<String, AppError>>>,
}

impl Ctx {
    fn log(self, dose: DoseInput) {
        let i18n = use_i18n();
        spawn_local(async move {
            match offline::send(dose).await {
                Sent::Saved => {
                    self.notice.set(None);
                    self.version.update(|v| *v += 1);
                }
                Sent::Queued => {
                    self.pending.set(offline::queued());
                    self.notice
                        .set(Some(Ok(t_string!(i18n, meds.saved_offline).to_string())));
                }
                Sent::Refused(error) => self.notice.set(Some(Err(error))),
            }
        });
    }

    fn flush(self) {
        let i18n = use_i18n();
        if offline::queued().is_empty() {
            return;
        }
        spawn_local(async move {
            let refused = offline::flush().await;
            self.pending.set(offline::queued());
            if self.pending.get_untracked().is_empty() {
                self.notice
                    .set(Some(Ok(t_string!(i18n, meds.synced).to_string())));
            }
            if let Some(error) = refused.into_iter().next() {
                self.notice.set(Some(Err(error)));
            }
            self.version.update(|v| *v += 1);
        });
    }
}

#[component]
pub fn TodayPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let date = move || query.with(|q| q.get("date"));
    let ctx = Ctx {
        version: RwSignal::new(0),
        pending: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
    };
    let data = Resource::new(
        move || (date(), ctx.version.get()),
        move |(date, _)| dose_day(None, date),
    );
    Effect::new(move |_| {
        ctx.pending.set(offline::queued());
        ctx.flush();
    });
    // Sent when the network returns, and retried every 15 s while doses wait
    // (a network that is up while the server is not fires no event).
    let online = window_event_listener_untyped("online", move |_| ctx.flush());
    on_cleanup(move || online.remove());
    #[cfg(feature = "hydrate")]
    if let Ok(retry) = set_interval_with_handle(
        move || {
            if !ctx.pending.get_untracked().is_empty() {
                ctx.flush();
            }
        },
        std::time::Duration::from_secs(15),
    ) {
        on_cleanup(move || retry.clear());
    }
    view! {
        <Title text=move || t_string!(i18n, meds.today_title).to_string() />
        {move || ctx.notice.get().map(|notice| match notice {
            Ok(text) => view! { <p class="notice-bar" role="status" data-testid="dose-notice">{text}</p> }.into_any(),
            Err(error) => view! { <div role="alert" data-testid="dose-error"><ErrorMessage error /></div> }.into_any(),
        })}
        {move || {
            let n = ctx.pending.get().len();
            (n > 0).then(|| view! { <p class="notice-bar" data-testid="pending-sync">{t!(i18n, meds.pending_sync, count = n)}</p> })
        }}
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <TodayBody view ctx /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TodayBody(view: TodayView, ctx: Ctx) -> impl IntoView {
    let i18n = use_i18n();
    let zone_banner = {
        let zone = view.zone.clone();
        let device = RwSignal::new(None::<String>);
        Effect::new(move |_| device.set(crate::clock::browser_zone()));
        move || {
            let here = device.get()?;
            // Only a real difference: "UTC vs UTC" says nothing.
            (here != zone).then(|| {
                let chosen = here.clone();
                let use_it = move |_| {
                    let chosen = chosen.clone();
                    spawn_local(async move {
                        if set_time_zone(chosen).await.is_ok() {
                            ctx.version.update(|v| *v += 1);
                        }
                    });
                };
                view! {
                    <p class="notice-bar" data-testid="zone-banner">
                        {t!(i18n, meds.zone_differs, zone = zone.clone(), here = here.clone())} " "
                        <button type="button" class="button button-quiet" on:click=use_it>{t!(i18n, meds.use_zone, zone = here.clone())}</button>
                    </p>
                }
            })
        }
    };
    let no_doses = view.doses.is_empty() && view.as_needed.is_empty();
    let heading = if view.is_today {
        t_string!(i18n, meds.today_title).to_string()
    } else {
        view.date.clone()
    };
    view! {
        <section class="page-intro">
            <h1>{heading}</h1>
            <nav class="period-nav" aria-label=move || t_string!(i18n, meds.days_nav).to_string()>
                <a class="button button-quiet" href=format!("/today?date={}", view.previous)>{t!(i18n, meds.previous_day)}</a>
                <span data-testid="today-date">{view.date.clone()}</span>
                <a class="button button-quiet" href=format!("/today?date={}", view.next)>{t!(i18n, meds.next_day)}</a>
                {(!view.is_today).then(|| view! { <a class="button button-quiet" href="/today">{t!(i18n, meds.back_to_today)}</a> })}
            </nav>
            <p class="muted"><a href="/medications">{t!(i18n, meds.title)}</a> " · " {t!(i18n, meds.zone_note, zone = view.zone.clone())}</p>
        </section>
        {zone_banner}
        {no_doses.then(|| view! { <p class="muted">{t!(i18n, meds.no_doses)}</p> })}
        <ul class="dose-list" data-testid="doses">
            {view.doses.into_iter().map(|dose| view! { <DoseRow dose ctx date=view.date.clone() /> }).collect_view()}
        </ul>
        {(!view.as_needed.is_empty()).then(|| view! {
            <section class="panel" aria-labelledby="prn-title">
                <h2 id="prn-title">{t!(i18n, meds.as_needed_title)}</h2>
                <ul class="dose-list">
                    {view.as_needed.into_iter().map(|prn| view! { <PrnRow prn ctx /> }).collect_view()}
                </ul>
            </section>
        })}
        <Calendar days=view.calendar />
    }
}

pub(super) fn state_label(state: DoseState) -> String {
    let i18n = use_i18n();
    match state {
        DoseState::Upcoming => t_string!(i18n, meds.state_upcoming),
        DoseState::Due => t_string!(i18n, meds.state_due),
        DoseState::Late => t_string!(i18n, meds.state_late),
        DoseState::Taken => t_string!(i18n, meds.state_taken),
        DoseState::Skipped => t_string!(i18n, meds.state_skipped),
    }
    .to_string()
}

#[component]
fn DoseRow(dose: DoseView, ctx: Ctx, date: String) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(None::<&'static str>);
    let reason = RwSignal::new(String::new());
    let at = RwSignal::new(format!("{date}T{}", dose.time));
    let med = dose.medication_id;
    let slot = dose.slot.clone();
    let waiting = {
        let slot = slot.clone();
        Memo::new(move |_| {
            ctx.pending
                .get()
                .iter()
                .any(|d| d.medication_id == med && d.slot == slot)
        })
    };
    let log = {
        let slot = slot.clone();
        move |status: &str, at: String, reason: String| {
            ctx.log(DoseInput {
                medication_id: med,
                slot: slot.clone(),
                status: status.to_owned(),
                at,
                reason,
                client_id: String::new(),
            });
            open.set(None);
        }
    };
    let (take, skip, take_at) = (log.clone(), log.clone(), log);
    let log_id = dose.log_id;
    let undo = move |_| {
        if let Some(id) = log_id {
            spawn_local(async move {
                match undo_dose(None, id).await {
                    Ok(()) => ctx.version.update(|v| *v += 1),
                    Err(error) => ctx.notice.set(Some(Err(error))),
                }
            });
        }
    };
    let logged = dose.log_id.is_some();
    let detail = dose.logged_time.clone().map(|t| match &dose.reason {
        Some(r) => format!("{t} · {r}"),
        None => t,
    });
    let title = format!("{} {}", dose.name, dose.strength);
    view! {
        <li class="dose" data-state=dose.state.as_str() data-testid="dose" data-slot=slot.clone()>
            <div class="dose-head">
                <span class="dose-time">{dose.time.clone()}</span>
                <span class="dose-name">{title.clone()} <span class="muted">" × " {dose.amount}</span></span>
                <span class="badge" data-testid="dose-state">
                    {move || if waiting.get() { t_string!(i18n, meds.state_waiting).to_string() } else { state_label(dose.state) }}
                </span>
            </div>
            {detail.map(|d| view! { <p class="muted">{d}</p> })}
            <div class="dose-actions">
                {if logged {
                    view! { <button type="button" class="button button-quiet" data-testid="undo" on:click=undo>{t!(i18n, meds.undo)}</button> }.into_any()
                } else {
                    view! {
                        <button type="button" class="button button-primary" data-testid="take" disabled=waiting
                            aria-label=format!("{} {} {}", t_string!(i18n, meds.take), title, dose.time)
                            on:click=move |_| take("taken", String::new(), String::new())>{t!(i18n, meds.take)}</button>
                        <button type="button" class="button button-quiet" data-testid="take-at" on:click=move |_| open.set(Some("at"))>{t!(i18n, meds.take_at)}</button>
                        <button type="button" class="button button-quiet" data-testid="skip" on:click=move |_| open.set(Some("skip"))>{t!(i18n, meds.skip)}</button>
                    }.into_any()
                }}
            </div>
            <Show when=move || open.get() == Some("skip")>
                <div class="field-row">
                    <label class="field">
                        <span>{t!(i18n, meds.skip_reason)}</span>
                        <input type="text" list="skip-reasons" data-testid="skip-reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                    </label>
                    <datalist id="skip-reasons">
                        <option value=move || t_string!(i18n, meds.reason_side_effects).to_string()></option>
                        <option value=move || t_string!(i18n, meds.reason_ran_out).to_string()></option>
                        <option value=move || t_string!(i18n, meds.reason_doctor).to_string()></option>
                    </datalist>
                    <button type="button" class="button" data-testid="confirm-skip" on:click={
                        let skip = skip.clone();
                        move |_| skip("skipped", String::new(), reason.get_untracked())
                    }>{t!(i18n, meds.skip)}</button>
                </div>
            </Show>
            <Show when=move || open.get() == Some("at")>
                <div class="field-row">
                    <label class="field">
                        <span>{t!(i18n, meds.taken_at)}</span>
                        <input type="datetime-local" data-testid="taken-at" prop:value=at on:input=move |ev| at.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" class="button" data-testid="confirm-take-at" on:click={
                        let take_at = take_at.clone();
                        move |_| take_at("taken", at.get_untracked(), String::new())
                    }>{t!(i18n, meds.take)}</button>
                </div>
            </Show>
        </li>
    }
}

#[component]
fn PrnRow(prn: PrnView, ctx: Ctx) -> impl IntoView {
    let i18n = use_i18n();
    let med = prn.medication_id;
    let count = prn.taken.len();
    let at_max = count as u32 >= prn.max_per_day;
    let take = move |_| {
        ctx.log(DoseInput {
            medication_id: med,
            status: "taken".into(),
            ..DoseInput::default()
        })
    };
    let times: Vec<String> = prn.taken.iter().map(|(_, t)| t.clone()).collect();
    view! {
        <li class="dose" data-testid="prn">
            <div class="dose-head">
                <span class="dose-name">{format!("{} {}", prn.name, prn.strength)} <span class="muted">" × " {prn.amount}</span></span>
                <span class="badge" data-testid="prn-count">{t!(i18n, meds.prn_count, count = count, max = prn.max_per_day)}</span>
            </div>
            {(!times.is_empty()).then(|| view! { <p class="muted">{times.join(", ")}</p> })}
            {at_max.then(|| view! { <p class="warning">{t!(i18n, meds.prn_at_max)}</p> })}
            <div class="dose-actions">
                <button type="button" class="button" data-testid="take-prn" on:click=take>{t!(i18n, meds.take_prn)}</button>
                {prn.taken.last().map(|(id, _)| {
                    let id = *id;
                    view! {
                        <button type="button" class="button button-quiet" on:click=move |_| {
                            spawn_local(async move {
                                match undo_dose(None, id).await {
                                    Ok(()) => ctx.version.update(|v| *v += 1),
                                    Err(error) => ctx.notice.set(Some(Err(error))),
                                }
                            });
                        }>{t!(i18n, meds.undo)}</button>
                    }
                })}
            </div>
        </li>
    }
}

#[component]
fn Calendar(days: Vec<Option<super::CalendarDay>>) -> impl IntoView {
    let i18n = use_i18n();
    let title = days
        .iter()
        .flatten()
        .next()
        .map(|d| d.date.get(..7).unwrap_or_default().to_owned())
        .unwrap_or_default();
    view! {
        <section class="panel" aria-labelledby="calendar-title">
            <h2 id="calendar-title">{t!(i18n, meds.calendar)} " " {title}</h2>
            <div class="calendar" data-testid="calendar">
                {(1u8..=7).map(|d| view! { <span class="calendar-head" aria-hidden="true">{super::components::weekday_label(d)}</span> }).collect_view()}
                {days.into_iter().map(|day| match day {
                    None => view! { <span class="calendar-pad" aria-hidden="true"></span> }.into_any(),
                    Some(day) => {
                        let c = day.counts;
                        let class = if day.today {
                            "calendar-day today"
                        } else if day.future || c.expected == 0 {
                            "calendar-day"
                        } else if c.taken == c.expected {
                            "calendar-day done"
                        } else if c.taken > 0 {
                            "calendar-day partial"
                        } else {
                            "calendar-day missed"
                        };
                        let label = t_string!(i18n, meds.calendar_day, date = day.date.clone(), taken = c.taken, expected = c.expected).to_string();
                        let number = day.date.get(8..).unwrap_or_default().trim_start_matches('0').to_owned();
                        view! {
                            <a class=class href=format!("/today?date={}", day.date) title=format!("{}/{}", c.taken, c.expected)>
                                {number}<span class="visually-hidden">" " {label}</span>
                            </a>
                        }.into_any()
                    }
                }).collect_view()}
            </div>
            <ul class="legend" data-testid="calendar-legend">
                <li><span class="swatch done" aria-hidden="true"></span>{t!(i18n, meds.legend_done)}</li>
                <li><span class="swatch partial" aria-hidden="true"></span>{t!(i18n, meds.legend_partial)}</li>
                <li><span class="swatch missed" aria-hidden="true"></span>{t!(i18n, meds.legend_missed)}</li>
                <li><span class="swatch today" aria-hidden="true"></span>{t!(i18n, meds.legend_today)}</li>
            </ul>
        </section>
    }
}
