//! The dashboard's panels: goals with progress bars, in-app notifications,
//! and the units the reader prefers.

use super::labels::goal_label;
use super::units::{DISTANCE_CHOICES, GLUCOSE_CHOICES, TEMPERATURE_CHOICES, WEIGHT_CHOICES};
use super::{GoalKind, GoalView, RemoveGoal, SaveUnits, SetGoal, UnitPrefs};
use crate::i18n::*;
use crate::layout::{ActionError, SubmitButton};
use crate::notify::MarkNotificationRead;
use crate::notify::NotificationItem;
use leptos::form::ActionForm;
use leptos::prelude::*;

fn goal_unit(goal: GoalKind) -> &'static str {
    match goal {
        GoalKind::DailySteps => "steps",
        GoalKind::TargetWeight => "kg",
        GoalKind::GlucoseInRange => "%",
    }
}

/// Bumps the dashboard's version when an action finishes, to reload it.
fn reload_after<S>(action: ServerAction<S>, version: RwSignal<u32>)
where
    S: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            version.update(|v| *v += 1);
        }
    });
}

#[component]
pub fn GoalsPanel(goals: Vec<GoalView>, own: bool, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetGoal>::new();
    let remove = ServerAction::<RemoveGoal>::new();
    reload_after(set, version);
    reload_after(remove, version);
    let has_goals = !goals.is_empty();
    view! {
        <section class="panel" aria-labelledby="goals-title">
            <h2 id="goals-title">{t!(i18n, health.goals_title)}</h2>
            {(!has_goals).then(|| view! { <p class="muted">{t!(i18n, health.no_goals)}</p> })}
            <ul class="goal-list">
                {goals
                    .into_iter()
                    .map(|goal| {
                        let current = goal
                            .current
                            .map(|c| format!("{c:.0}"))
                            .unwrap_or_else(|| "–".into());
                        let label = goal_label(goal.kind);
                        view! {
                            <li class="goal" data-goal=goal.kind.as_str() data-reached=goal.reached.to_string()>
                                <div class="goal-head">
                                    <strong>{label.clone()}</strong>
                                    <span>
                                        {format!("{current} / {:.0} {}", goal.target, goal_unit(goal.kind))}
                                        {goal.reached.then(|| view! { " ✓ " {t!(i18n, health.goal_reached)} })}
                                    </span>
                                </div>
                                <progress max="100" value=goal.progress_pct.round() aria-label=label></progress>
                                {own
                                    .then(|| {
                                        view! {
                                            <ActionForm action=remove attr:class="inline">
                                                <input type="hidden" name="goal" value=goal.kind.as_str() />
                                                <button type="submit" class="button button-quiet">
                                                    {t!(i18n, health.remove_goal)}
                                                </button>
                                            </ActionForm>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {own
                .then(|| {
                    view! {
                        <ActionForm action=set attr:class="stack goal-form">
                            <ActionError action=set />
                            <label class="field">
                                <span>{t!(i18n, health.goal_kind)}</span>
                                <select name="goal">
                                    {GoalKind::ALL
                                        .into_iter()
                                        .map(|g| view! { <option value=g.as_str()>{goal_label(g)} " (" {goal_unit(g)} ")"</option> })
                                        .collect_view()}
                                </select>
                            </label>
                            <label class="field">
                                <span>{t!(i18n, health.goal_target)}</span>
                                <input type="text" inputmode="decimal" name="target" required />
                            </label>
                            <SubmitButton pending=set.pending()>{t!(i18n, health.set_goal)}</SubmitButton>
                        </ActionForm>
                    }
                })}
        </section>
    }
}

#[component]
pub fn NotificationsPanel(
    notifications: Vec<NotificationItem>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let read = ServerAction::<MarkNotificationRead>::new();
    reload_after(read, version);
    let unread: Vec<NotificationItem> = notifications.into_iter().filter(|n| !n.read).collect();
    (!unread.is_empty()).then(|| {
        view! {
            <section class="panel notice" aria-labelledby="notifications-title" data-testid="notifications">
                <h2 id="notifications-title">{t!(i18n, health.notifications_title)}</h2>
                <ul class="item-list">
                    {unread
                        .into_iter()
                        .map(|n| {
                            view! {
                                <li class="item" data-kind=n.kind.clone()>
                                    <span><a href=n.url.clone()><strong>{n.title.clone()}</strong></a> " " {n.body.clone()}</span>
                                    <ActionForm action=read>
                                        <input type="hidden" name="notification_id" value=n.id />
                                        <button type="submit" class="button button-quiet">{t!(i18n, health.mark_read)}</button>
                                    </ActionForm>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
pub fn UnitsPanel(prefs: UnitPrefs, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveUnits>::new();
    reload_after(save, version);
    let choice = |name: &'static str,
                  label: String,
                  choices: &'static [&'static str],
                  current: String| {
        view! {
            <label class="field-inline">
                <span>{label}</span>
                <select name=name>
                    {choices
                        .iter()
                        .map(|c| view! { <option value=*c selected=*c == current>{*c}</option> })
                        .collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <section class="panel" aria-labelledby="units-title">
            <h2 id="units-title">{t!(i18n, health.units_title)}</h2>
            <ActionForm action=save attr:class="units-form">
                <ActionError action=save />
                {choice("weight", t_string!(i18n, health.kind_weight).to_string(), &WEIGHT_CHOICES, prefs.weight.clone())}
                {choice("glucose", t_string!(i18n, health.kind_glucose).to_string(), &GLUCOSE_CHOICES, prefs.glucose.clone())}
                {choice("temperature", t_string!(i18n, health.kind_body_temperature).to_string(), &TEMPERATURE_CHOICES, prefs.temperature.clone())}
                {choice("distance", t_string!(i18n, health.kind_distance).to_string(), &DISTANCE_CHOICES, prefs.distance.clone())}
                <SubmitButton pending=save.pending()>{t!(i18n, health.save_units)}</SubmitButton>
            </ActionForm>
        </section>
    }
}
