//! Charts drawn as SVG from Rust, on the server and in the browser alike:
//! bars for counts (steps, energy, distance, sleep), a line with its
//! min–max band for levels, two lines for blood pressure, and the target
//! range shaded. Pointer and arrow keys move a readout over the points;
//! Enter or a click zooms into the point's period. A table with the same
//! figures follows every chart for screen readers and keyboard users.

use super::kind::{Combine, DIASTOLIC_TARGET, Kind};
use super::{Point, Resolution, SeriesView, UnitPrefs};
use leptos::prelude::*;

pub use super::chart_ticks::time_ticks;

pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 260.0;
pub(super) const LEFT: f64 = 48.0;
pub(super) const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// Linear scales from data to the drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    pub from_s: i64,
    pub to_s: i64,
    pub low: f64,
    pub high: f64,
    /// The drawing's width: the chart's own width in CSS pixels once the
    /// browser has measured it (so text is drawn at its size), else `WIDTH`.
    pub width: f64,
}

impl Scales {
    pub fn x(&self, t: i64) -> f64 {
        let span = (self.to_s - self.from_s).max(1) as f64;
        LEFT + (t - self.from_s) as f64 / span * (self.width - LEFT - RIGHT)
    }

    pub fn y(&self, v: f64) -> f64 {
        let span = (self.high - self.low).max(f64::EPSILON);
        TOP + (self.high - v) / span * (HEIGHT - TOP - BOTTOM)
    }

    /// The time under an x position of the drawing.
    pub fn time_at(&self, x: f64) -> i64 {
        let fraction = ((x - LEFT) / (self.width - LEFT - RIGHT)).clamp(0.0, 1.0);
        self.from_s + (fraction * (self.to_s - self.from_s) as f64) as i64
    }
}

/// A round step for about `count` ticks over `span`.
fn nice_step(span: f64, count: f64) -> f64 {
    let raw = (span / count).max(f64::EPSILON);
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// The value range to draw (data in display units, the target band, zero for bars).
pub fn scales(
    series: &SeriesView,
    values: &[(f64, f64)],
    target: Option<(f64, f64)>,
    width: f64,
) -> Scales {
    let mut low = f64::INFINITY;
    let mut high = f64::NEG_INFINITY;
    for (min, max) in values {
        low = low.min(*min);
        high = high.max(*max);
    }
    if let Some((a, b)) = target {
        low = low.min(a);
        high = high.max(b);
    }
    if series.kind.combine() == Combine::Sum {
        low = 0.0;
    }
    if !low.is_finite() || !high.is_finite() {
        low = 0.0;
        high = 1.0;
    }
    if (high - low).abs() < f64::EPSILON {
        high = low + 1.0;
    }
    let step = nice_step(high - low, 4.0);
    Scales {
        from_s: series.from_s,
        to_s: series.to_s,
        low: (low / step).floor() * step,
        high: (high / step).ceil() * step,
        width,
    }
}

/// The ticks of the value axis.
pub fn value_ticks(scales: &Scales) -> Vec<f64> {
    let step = nice_step(scales.high - scales.low, 4.0);
    let mut ticks = Vec::new();
    let mut v = scales.low;
    while v <= scales.high + step / 2.0 {
        ticks.push(v);
        v += step;
    }
    ticks
}

/// A point's figures in display units: (value, min, max, second value).
pub fn display(prefs: &UnitPrefs, kind: Kind, point: &Point) -> (f64, f64, f64, Option<f64>) {
    let c = |v: f64| prefs.convert(kind, v);
    (
        c(point.value),
        c(point.min),
        c(point.max),
        point.value2.map(c),
    )
}

/// An SVG path through points.
pub fn line_path(points: &[(f64, f64)]) -> String {
    let mut d = String::with_capacity(points.len() * 14);
    for (i, (x, y)) in points.iter().enumerate() {
        d.push(if i == 0 { 'M' } else { 'L' });
        d.push_str(&format!("{x:.1},{y:.1}"));
    }
    d
}

/// Local time of a Unix second, at `offset_min` from UTC.
pub fn local(t: i64, offset_min: i32) -> chrono::NaiveDateTime {
    chrono::DateTime::from_timestamp(t + i64::from(offset_min) * 60, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// A label for a point's period.
pub fn period_label(resolution: Resolution, start_s: i64, offset_min: i32) -> String {
    match resolution {
        // Days are UTC days: label them by their UTC date.
        Resolution::Day => local(start_s, 0).format("%Y-%m-%d").to_string(),
        Resolution::Hour => local(start_s, offset_min).format("%m-%d %H:00").to_string(),
        Resolution::Raw => local(start_s, offset_min).format("%m-%d %H:%M").to_string(),
    }
}

/// The readout text of a point.
pub fn readout(series: &SeriesView, point: &Point, offset_min: i32) -> String {
    let prefs = &series.prefs;
    let kind = series.kind;
    let unit = prefs.label_for(kind);
    let when = period_label(series.resolution, point.start_s, offset_min);
    let value = prefs.format_reading(kind, point.value, point.value2);
    if series.resolution == Resolution::Raw || kind.combine() == Combine::Sum {
        format!("{when}: {value} {unit}")
    } else {
        format!(
            "{when}: {value} {unit} ({}–{}, n={})",
            prefs.format(kind, point.min),
            prefs.format(kind, point.max),
            point.count
        )
    }
}

/// The chart of a series. `on_zoom` receives the period of a chosen point.
#[component]
pub fn Chart(
    series: SeriesView,
    offset_min: i32,
    #[prop(into)] label: String,
    #[prop(optional, into)] on_zoom: Option<Callback<(i64, i64)>>,
) -> impl IntoView {
    let unit = super::labels::unit_label(&series.prefs, series.kind);
    // Drawn at its own width in CSS pixels once the browser has measured
    // it, so that text keeps its size on a phone; the server (and the first
    // render in the browser, to hydrate the same markup) draws at `WIDTH`.
    let width = RwSignal::new(WIDTH);
    let figure = NodeRef::<leptos::html::Figure>::new();
    #[cfg(feature = "hydrate")]
    {
        let measure = move || {
            if let Some(figure) = figure.get_untracked() {
                let drawn = f64::from(figure.client_width());
                if drawn >= 200.0 && (drawn - width.get_untracked()).abs() >= 1.0 {
                    width.set(drawn);
                }
            }
        };
        Effect::new(move |_| {
            figure.track();
            measure();
        });
        let _ = window_event_listener(leptos::ev::resize, move |_| measure());
    }
    let hover = RwSignal::new(None::<usize>);
    let readout_series = series.clone();
    let readout_text = move || {
        hover
            .get()
            .and_then(|i| readout_series.points.get(i))
            .map(|p| readout(&readout_series, p, offset_min))
    };
    let caption = format!("{label} ({unit})");
    view! {
        <figure class="chart" node_ref=figure>
            {move || {
                drawing(&series, offset_min, &label, on_zoom, width.get(), hover)
            }}
            <figcaption class="chart-readout" aria-live="polite" data-testid="chart-readout">
                {move || readout_text().unwrap_or_else(|| caption.clone())}
            </figcaption>
        </figure>
    }
}

/// The chart's SVG at a width: axes, target, bars or lines, the cursor.
/// A tap (or a pointer over it) selects a point and shows its figures;
/// tapping the selected point again, Enter, or a click zooms into its period.
fn drawing(
    series: &SeriesView,
    offset_min: i32,
    label: &str,
    on_zoom: Option<Callback<(i64, i64)>>,
    width: f64,
    hover: RwSignal<Option<usize>>,
) -> impl IntoView + use<> {
    let kind = series.kind;
    let prefs = series.prefs.clone();
    let shown: Vec<(f64, f64, f64, Option<f64>)> = series
        .points
        .iter()
        .map(|p| display(&prefs, kind, p))
        .collect();
    let target = kind
        .target()
        .map(|(a, b)| (prefs.convert(kind, a), prefs.convert(kind, b)));
    let mut extents: Vec<(f64, f64)> = shown
        .iter()
        .map(|(v, min, max, v2)| {
            if kind.combine() == Combine::Sum {
                (*v, *v)
            } else {
                (min.min(v2.unwrap_or(*min)), *max)
            }
        })
        .collect();
    if kind == Kind::BloodPressure {
        extents.push(DIASTOLIC_TARGET);
    }
    let scales = scales(series, &extents, target, width);
    let bars = kind.combine() == Combine::Sum;
    let n = series.points.len();
    let bar_width = if n > 0 {
        let period = match series.resolution {
            Resolution::Day => 86_400,
            Resolution::Hour => 3600,
            Resolution::Raw => 60,
        } as f64;
        (period / (series.to_s - series.from_s).max(1) as f64 * (width - LEFT - RIGHT) * 0.8)
            .max(1.0)
    } else {
        1.0
    };
    let xy: Vec<(f64, f64)> = series
        .points
        .iter()
        .zip(&shown)
        .map(|(p, s)| (scales.x((p.start_s + p.end_s) / 2), scales.y(s.0)))
        .collect();
    let second: Vec<(f64, f64)> = series
        .points
        .iter()
        .zip(&shown)
        .filter_map(|(p, s)| Some((scales.x((p.start_s + p.end_s) / 2), scales.y(s.3?))))
        .collect();
    let band: Option<String> =
        (!bars && series.resolution != Resolution::Raw && n > 1).then(|| {
            let upper: Vec<(f64, f64)> = xy
                .iter()
                .zip(&shown)
                .map(|((x, _), s)| (*x, scales.y(s.2)))
                .collect();
            let mut lower: Vec<(f64, f64)> = xy
                .iter()
                .zip(&shown)
                .map(|((x, _), s)| (*x, scales.y(s.1)))
                .collect();
            lower.reverse();
            let mut d = line_path(&upper);
            for (x, y) in lower {
                d.push_str(&format!("L{x:.1},{y:.1}"));
            }
            d.push('Z');
            d
        });
    let ticks = value_ticks(&scales);
    let time_ticks = time_ticks(series.from_s, series.to_s, offset_min, width);
    let starts: Vec<i64> = series
        .points
        .iter()
        .map(|p| (p.start_s + p.end_s) / 2)
        .collect();
    let nearest = {
        let starts = starts.clone();
        move |t: i64| -> Option<usize> {
            if starts.is_empty() {
                return None;
            }
            let i = starts.partition_point(|s| *s < t);
            let candidates = [i.saturating_sub(1), i.min(starts.len() - 1)];
            candidates
                .into_iter()
                .min_by_key(|&j| (starts[j] - t).abs())
        }
    };
    let xy_for_marker = xy.clone();
    let periods: Vec<(i64, i64)> = series.points.iter().map(|p| (p.start_s, p.end_s)).collect();
    let zoom = move |i: usize| {
        if let (Some(on_zoom), Some(period)) = (on_zoom, periods.get(i)) {
            on_zoom.run(*period);
        }
    };
    let zoom_click = zoom.clone();
    let point_at = {
        let nearest = nearest.clone();
        move |ev: &leptos::ev::PointerEvent| {
            let drawn = event_target_width(ev);
            (drawn > 0.0)
                .then(|| nearest(scales.time_at(f64::from(ev.offset_x()) / drawn * width)))
                .flatten()
        }
    };
    let on_pointer = {
        let point_at = point_at.clone();
        move |ev: leptos::ev::PointerEvent| {
            if ev.pointer_type() == "mouse" {
                hover.set(point_at(&ev));
            }
        }
    };
    // What was selected when this press began: a tap selects, and only a
    // tap on the point already selected zooms.
    let pressed_on = RwSignal::new(None::<usize>);
    let on_down = move |ev: leptos::ev::PointerEvent| {
        pressed_on.set(hover.get_untracked());
        hover.set(point_at(&ev));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if n == 0 {
            return;
        }
        let current = hover.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" => Some(current.map_or(0, |i| (i + 1).min(n - 1))),
            "ArrowLeft" => Some(current.map_or(n - 1, |i| i.saturating_sub(1))),
            "Home" => Some(0),
            "End" => Some(n - 1),
            "Enter" | " " => {
                if let Some(i) = current {
                    ev.prevent_default();
                    zoom(i);
                }
                None
            }
            _ => None,
        };
        if let Some(next) = next {
            ev.prevent_default();
            hover.set(Some(next));
        }
    };
    view! {
            <svg
                viewBox=format!("0 0 {width} {HEIGHT}")
                role="img"
                aria-label=label.to_owned()
                tabindex="0"
                data-testid="chart"
                on:pointermove=on_pointer
                on:pointerleave=move |ev: leptos::ev::PointerEvent| {
                    if ev.pointer_type() == "mouse" {
                        hover.set(None);
                    }
                }
                on:pointerdown=on_down
                on:keydown=on_key
                on:click=move |_| {
                    let selected = hover.get_untracked();
                    if let Some(i) = selected
                        && selected == pressed_on.get_untracked()
                    {
                        zoom_click(i);
                    }
                }
            >
                {target
                    .map(|(a, b)| {
                        view! {
                            <rect
                                class="chart-target"
                                x=LEFT
                                y=scales.y(b)
                                width=width - LEFT - RIGHT
                                height=(scales.y(a) - scales.y(b)).max(0.0)
                            />
                        }
                    })}
                {ticks
                    .iter()
                    .map(|v| {
                        let y = scales.y(*v);
                        view! {
                            <line class="chart-grid" x1=LEFT x2=width - RIGHT y1=y y2=y />
                            <text class="chart-tick" x=LEFT - 6.0 y=y + 4.0 text-anchor="end">
                                {format!("{v}")}
                            </text>
                        }
                    })
                    .collect_view()}
                {time_ticks
                    .into_iter()
                    .map(|(t, label)| {
                        view! {
                            <line class="chart-grid chart-grid-time" x1=scales.x(t) x2=scales.x(t) y1=TOP y2=HEIGHT - BOTTOM />
                            <text class="chart-tick" x=scales.x(t) y=HEIGHT - 8.0 text-anchor="middle">
                                {label}
                            </text>
                        }
                    })
                    .collect_view()}
                {band.map(|d| view! { <path class="chart-band" d=d /> })}
                {if bars {
                    xy.iter()
                        .map(|(x, y)| {
                            view! {
                                <rect
                                    class="chart-bar"
                                    x=x - bar_width / 2.0
                                    y=*y
                                    width=bar_width
                                    height=(scales.y(scales.low.max(0.0)) - y).max(0.0)
                                />
                            }
                        })
                        .collect_view()
                        .into_any()
                } else {
                    view! {
                        <path class="chart-line" d=line_path(&xy) />
                        {(!second.is_empty())
                            .then(|| view! { <path class="chart-line chart-line-2" d=line_path(&second) /> })}
                        {(n <= 120)
                            .then(|| {
                                xy.iter()
                                    .map(|(x, y)| view! { <circle class="chart-dot" cx=*x cy=*y r="3" /> })
                                    .collect_view()
                            })}
                    }
                        .into_any()
                }}
                {move || {
                    hover
                        .get()
                        .and_then(|i| xy_for_marker.get(i))
                        .map(|(x, y)| {
                            view! {
                                <line class="chart-cursor" x1=*x x2=*x y1=TOP y2=HEIGHT - BOTTOM />
                                <circle class="chart-focus" cx=*x cy=*y r="5" />
                            }
                        })
                }}
            </svg>
    }
}

/// The drawn width of the element an event happened on.
fn event_target_width(ev: &leptos::ev::PointerEvent) -> f64 {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast as _;
        ev.current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|e| e.get_bounding_client_rect().width())
            .unwrap_or(0.0)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        0.0
    }
}

/// A small line of daily figures for a card (no axes, no interaction).
#[component]
pub fn Sparkline(values: Vec<Option<f64>>, bars: bool) -> impl IntoView {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let low = if bars {
        0.0
    } else {
        present.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let high = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (w, h) = (120.0, 32.0);
    let span = (high - low).max(f64::EPSILON);
    let step = w / values.len().max(1) as f64;
    let y = move |v: f64| 2.0 + (high - v) / span * (h - 4.0);
    let shapes = if present.is_empty() {
        ().into_any()
    } else if bars {
        values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .map(|(i, v)| {
                view! {
                    <rect x=i as f64 * step + 1.0 y=y(v) width=(step - 2.0).max(1.0) height=(h - 2.0 - y(v)).max(0.5) />
                }
            })
            .collect_view()
            .into_any()
    } else {
        let points: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i as f64 * step + step / 2.0, y(v))))
            .collect();
        view! { <path d=line_path(&points) /> }.into_any()
    };
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {w} {h}") aria-hidden="true" focusable="false">
            {shapes}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(kind: Kind, points: Vec<Point>) -> SeriesView {
        SeriesView {
            kind,
            resolution: Resolution::Day,
            from_s: 0,
            to_s: 86_400 * 10,
            points,
            in_range_pct: None,
            prefs: UnitPrefs::default(),
        }
    }

    #[test]
    fn scales_cover_the_data_and_the_target_with_round_ends() {
        let s = series(Kind::Glucose, vec![]);
        let scales = scales(&s, &[(95.0, 240.0)], Some((70.0, 180.0)), WIDTH);
        assert!(scales.low <= 70.0 && scales.high >= 240.0);
        assert_eq!(scales.low % 50.0, 0.0);
        assert!((scales.y(scales.low) - (HEIGHT - BOTTOM)).abs() < 1e-9);
        assert!((scales.x(86_400 * 10) - (WIDTH - RIGHT)).abs() < 1e-9);
        assert_eq!(scales.time_at(scales.x(86_400 * 4)), 86_400 * 4);
    }

    #[test]
    fn bars_start_at_zero() {
        let s = series(Kind::Steps, vec![]);
        assert_eq!(scales(&s, &[(4000.0, 9000.0)], None, WIDTH).low, 0.0);
    }

    #[test]
    fn a_readout_names_the_period_value_and_range() {
        let s = series(Kind::HeartRate, vec![]);
        let point = Point {
            start_s: 86_400,
            end_s: 2 * 86_400,
            value: 64.4,
            min: 51.0,
            max: 120.0,
            value2: None,
            count: 1440,
        };
        assert_eq!(
            readout(&s, &point, 480),
            "1970-01-02: 64 bpm (51–120, n=1440)"
        );
    }
}
