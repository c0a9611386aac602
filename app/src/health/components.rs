//! The dashboard (a card per kind, goals, notifications, units) and the
//! detail page of one kind (a chart over a chosen range with its table).
//! The same components serve a patient and a care-team member looking at
//! a patient who granted them vitals.

use super::card::HealthCard;
use super::chart::{Chart, period_label};
use super::goals_panel::{GoalsPanel, NotificationsPanel, UnitsPanel};
use super::kind::Kind;
use super::labels::{kind_label, unit_label};
use super::{CardView, DashboardView, Resolution, SeriesView, dashboard, series};
use crate::clock::{now_s, offset_min};
use crate::i18n::*;
use crate::layout::{ErrorMessage, Icon, IconSvg};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Where a kind's page is, for the patient or for a care-team member.
fn kind_href(patient: Option<i64>, kind: Kind) -> String {
    match patient {
        Some(id) => format!("/patients/{id}/health/{}", kind.as_str()),
        None => format!("/dashboard/{}", kind.as_str()),
    }
}

fn loading() -> impl IntoView {
    view! { <div class="loading" aria-busy="true"></div> }
}

/// The signed-in patient's dashboard.
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! { <Dashboard patient=None /> }
}

/// A patient's dashboard, for their care team.
#[component]
pub fn PatientDashboardPage() -> impl IntoView {
    let params = use_params_map();
    let patient = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    view! { <Dashboard patient /> }
}

#[component]
fn Dashboard(patient: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let data = Resource::new(move || version.get(), move |_| dashboard(patient));
    let offset = offset_min();
    view! {
        <Title text=move || t_string!(i18n, health.title).to_string() />
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <DashboardBody view patient offset version /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DashboardBody(
    view: DashboardView,
    patient: Option<i64>,
    offset: i32,
    version: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let own = patient.is_none();
    let heading = match &view.patient_name {
        Some(name) => t_string!(i18n, health.title_of, name = name.clone()).to_string(),
        None => t_string!(i18n, health.title).to_string(),
    };
    let has_data = view.cards.iter().any(|c| c.latest.is_some());
    let (with_data, without): (Vec<CardView>, Vec<CardView>) =
        view.cards.into_iter().partition(|c| c.latest.is_some());
    let prefs = view.prefs.clone();
    view! {
        <section class="page-intro">
            <h1>{heading}</h1>
            <p>
                {if own {
                    t!(i18n, health.intro).into_any()
                } else {
                    t!(i18n, health.intro_staff).into_any()
                }}
            </p>
            {own
                .then(|| {
                    view! {
                        <p class="actions">
                            <a class="button button-primary" href="/dashboard/add">{t!(i18n, health.add_reading)}</a>
                            <a class="button" href="/dashboard/import">{t!(i18n, health.import_data)}</a>
                        </p>
                    }
                })}
        </section>
        {own.then(|| view! { <NotificationsPanel notifications=view.notifications.clone() version /> }.into_any())}
        {if has_data {
            ().into_any()
        } else {
            view! { <p class="empty-state" data-testid="no-readings">{t!(i18n, health.no_readings)}</p> }.into_any()
        }}
        <ul class="card-grid health-cards" data-testid="health-cards">
            {with_data
                .into_iter()
                .map(|card| {
                    let href = kind_href(patient, card.kind);
                    view! { <HealthCard card href prefs=prefs.clone() offset /> }.into_any()
                })
                .collect_view()}
        </ul>
        {(!without.is_empty())
            .then(|| {
                view! {
                    <p class="muted no-data-kinds">
                        {t!(i18n, health.no_data_for)} " "
                        {without.iter().map(|c| kind_label(c.kind)).collect::<Vec<_>>().join(" · ")}
                    </p>
                }
            })}
        {view! { <GoalsPanel goals=view.goals.clone() own version /> }.into_any()}
        {own.then(|| view! { <UnitsPanel prefs=view.prefs.clone() version /> }.into_any())}
    }
}

/// A range on the detail page: its name and `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    name: &'static str,
    from_s: i64,
    to_s: i64,
}

const RANGES: [(&str, i64); 4] = [
    ("day", DAY),
    ("week", 7 * DAY),
    ("month", 30 * DAY),
    ("year", 365 * DAY),
];

/// The range the query asks for: `range=day|week|month|year` ending at
/// `end` (default: the next full hour), or `from_s`/`to_s`, or the dates
/// `from`/`to` of the custom form.
fn range_of(get: impl Fn(&str) -> Option<String>) -> Range {
    let next_hour = (now_s() / HOUR + 1) * HOUR;
    let number = |key: &str| get(key).and_then(|v| v.parse::<i64>().ok());
    let date = |key: &str| {
        get(key)
            .and_then(|v| chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok())
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())
    };
    if let (Some(from_s), Some(to_s)) = (number("from_s"), number("to_s"))
        && to_s > from_s
    {
        return Range {
            name: "custom",
            from_s,
            to_s,
        };
    }
    if let (Some(from), Some(to)) = (date("from"), date("to"))
        && to >= from
    {
        return Range {
            name: "custom",
            from_s: from,
            to_s: to + DAY,
        };
    }
    let name = get("range").unwrap_or_default();
    let (name, span) = RANGES
        .iter()
        .find(|(n, _)| *n == name)
        .copied()
        .unwrap_or(RANGES[1]);
    let end = number("end").unwrap_or(next_hour);
    Range {
        name,
        from_s: end - span,
        to_s: end,
    }
}

#[component]
pub fn KindPage() -> impl IntoView {
    view! { <KindDetail patient=None /> }
}

#[component]
pub fn PatientKindPage() -> impl IntoView {
    let params = use_params_map();
    let patient = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    view! { <KindDetail patient /> }
}

#[component]
fn KindDetail(patient: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let kind = move || params.with(|p| p.get("kind").and_then(|k| Kind::parse(&k)));
    let range = Memo::new(move |_| query.with(|q| range_of(|key| q.get(key))));
    let data = Resource::new(
        move || (kind(), range.get()),
        move |(kind, range)| async move {
            match kind {
                Some(kind) => series(patient, kind.as_str().to_owned(), range.from_s, range.to_s)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        },
    );
    let offset = offset_min();
    let base = move || match kind() {
        Some(kind) => kind_href(patient, kind),
        None => "/dashboard".into(),
    };
    let back = match patient {
        Some(id) => format!("/patients/{id}/health"),
        None => "/dashboard".into(),
    };
    let navigate = use_navigate();
    let on_zoom = Callback::new(move |(start, end): (i64, i64)| {
        let current = range.get_untracked();
        let span = ((current.to_s - current.from_s) / 7).max(HOUR);
        let middle = (start + end) / 2;
        let (from, to) = (middle - span / 2, middle + span / 2);
        navigate(
            &format!("{}?from_s={from}&to_s={to}", base()),
            Default::default(),
        );
    });
    let title = move || kind().map(kind_label).unwrap_or_default();
    view! {
        <Title text=title />
        <section class="page-intro">
            <p><a href=back.clone()>{t!(i18n, health.back_to_dashboard)}</a></p>
            <h1>{title}</h1>
        </section>
        <nav class="range-bar" aria-label=move || t_string!(i18n, health.range_label).to_string()>
            {RANGES
                .iter()
                .map(|(name, _)| {
                    let name = *name;
                    let label = move || match name {
                        "day" => t_string!(i18n, health.range_day).to_string(),
                        "week" => t_string!(i18n, health.range_week).to_string(),
                        "month" => t_string!(i18n, health.range_month).to_string(),
                        _ => t_string!(i18n, health.range_year).to_string(),
                    };
                    view! {
                        <a
                            class="button button-quiet"
                            href=move || format!("{}?range={name}", base())
                            aria-current=move || (range.get().name == name).then_some("page")
                        >
                            {label}
                        </a>
                    }
                })
                .collect_view()}
            <a class="button button-quiet" aria-label=move || t_string!(i18n, health.earlier).to_string()
                href=move || {
                    let r = range.get();
                    let span = r.to_s - r.from_s;
                    format!("{}?from_s={}&to_s={}", base(), r.from_s - span, r.from_s)
                }><IconSvg icon=Icon::Earlier /></a>
            <a class="button button-quiet" aria-label=move || t_string!(i18n, health.later).to_string()
                href=move || {
                    let r = range.get();
                    let span = r.to_s - r.from_s;
                    format!("{}?from_s={}&to_s={}", base(), r.to_s, r.to_s + span)
                }><IconSvg icon=Icon::Later /></a>
            <a class="button button-quiet" data-testid="zoom-out"
                href=move || {
                    let r = range.get();
                    let span = (r.to_s - r.from_s) * 7;
                    let middle = (r.from_s + r.to_s) / 2;
                    format!("{}?from_s={}&to_s={}", base(), middle - span / 2, middle + span / 2)
                }>{t!(i18n, health.zoom_out)}</a>
        </nav>
        <form class="custom-range" method="get">
            <label class="field-inline">
                <span>{t!(i18n, health.from)}</span>
                <input type="date" name="from" />
            </label>
            <label class="field-inline">
                <span>{t!(i18n, health.to)}</span>
                <input type="date" name="to" />
            </label>
            <button type="submit" class="button">{t!(i18n, health.show_range)}</button>
        </form>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(series)) => view! { <SeriesPanel series offset on_zoom /> }.into_any(),
                    Ok(None) => view! { <ErrorMessage error=crate::error::AppError::NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A series in one line, in canonical units: (average, lowest, highest).
/// Levels average their readings; totals average their periods.
fn summary_of(series: &SeriesView) -> Option<(f64, f64, f64)> {
    let points = &series.points;
    if points.is_empty() {
        return None;
    }
    let (avg, low, high) = if series.kind.combine() == super::kind::Combine::Sum {
        let values = points.iter().map(|p| p.value);
        (
            values.clone().sum::<f64>() / points.len() as f64,
            values.clone().fold(f64::INFINITY, f64::min),
            values.fold(f64::NEG_INFINITY, f64::max),
        )
    } else {
        let count: i64 = points.iter().map(|p| p.count.max(1)).sum();
        (
            points
                .iter()
                .map(|p| p.value * p.count.max(1) as f64)
                .sum::<f64>()
                / count as f64,
            points.iter().map(|p| p.min).fold(f64::INFINITY, f64::min),
            points
                .iter()
                .map(|p| p.max)
                .fold(f64::NEG_INFINITY, f64::max),
        )
    };
    Some((avg, low, high))
}

#[component]
fn SeriesPanel(series: SeriesView, offset: i32, on_zoom: Callback<(i64, i64)>) -> impl IntoView {
    let i18n = use_i18n();
    let kind = series.kind;
    let prefs = series.prefs.clone();
    let unit = unit_label(&prefs, kind);
    let resolution = series.resolution;
    let summary = move || match resolution {
        Resolution::Raw => t_string!(i18n, health.showing_raw).to_string(),
        Resolution::Hour => t_string!(i18n, health.showing_hours).to_string(),
        Resolution::Day => t_string!(i18n, health.showing_days).to_string(),
    };
    let empty = series.points.is_empty();
    let in_range = series.in_range_pct;
    let rows = series.points.clone();
    let label = kind_label(kind);
    let summary_line = summary_of(&series).map(|(avg, low, high)| {
        let from = period_label(Resolution::Day, series.from_s, offset);
        let to = period_label(Resolution::Day, series.to_s - 1, offset);
        t_string!(
            i18n,
            health.chart_summary,
            avg = prefs.format(kind, avg),
            low = prefs.format(kind, low),
            high = prefs.format(kind, high),
            unit = unit_label(&prefs, kind),
            from = from,
            to = to
        )
        .to_string()
    });
    view! {
        <section class="panel">
            <p class="muted" data-testid="resolution" data-resolution=format!("{resolution:?}").to_lowercase()>
                {summary} " · " {t!(i18n, health.points, count = series.points.len())}
            </p>
            {in_range
                .map(|pct| {
                    view! {
                        <p class="in-range" data-testid="time-in-range">
                            {t!(i18n, health.time_in_range, pct = format!("{pct:.0}"))}
                        </p>
                    }
                })}
            {summary_line.map(|line| view! { <p class="chart-summary" data-testid="chart-summary">{line}</p> })}
            {if empty {
                view! { <p class="empty-state">{t!(i18n, health.no_readings_in_range)}</p> }.into_any()
            } else {
                view! { <Chart series=series.clone() offset_min=offset label on_zoom /> }.into_any()
            }}
            <p class="muted chart-help">{t!(i18n, health.chart_help)}</p>
            <details class="chart-table">
                <summary>{t!(i18n, health.show_table)}</summary>
                <table>
                    <caption class="visually-hidden">{kind_label(kind)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, health.col_when)}</th>
                            <th scope="col">{format!("{} ({unit})", t_string!(i18n, health.col_value))}</th>
                            <th scope="col">{t!(i18n, health.col_range)}</th>
                            <th scope="col">{t!(i18n, health.col_count)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|p| {
                                let value = prefs.format_reading(kind, p.value, p.value2);
                                view! {
                                    <tr>
                                        <td>{period_label(resolution, p.start_s, offset)}</td>
                                        <td>{value}</td>
                                        <td>{format!("{}–{}", prefs.format(kind, p.min), prefs.format(kind, p.max))}</td>
                                        <td>{p.count}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}
