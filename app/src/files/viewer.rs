//! The study viewer: series, slices (instances and frames), zoom and pan,
//! window/level by dragging or presets, a distance in millimetres from Pixel
//! Spacing, keyboard shortcuts and touch (one finger drags, two pinch).
//! Frames are rendered to PNG on the server through the window chosen; the
//! links are signed for this account and renewed before they expire.

use super::components::loading;
use super::{DicomInfo, InstanceView, SeriesView, StudyDetail, get_study};
use crate::i18n::*;
use crate::layout::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    Pan,
    Window,
    Measure,
}

/// Window presets: (name key, centre, width).
const PRESETS: [(&str, f64, f64); 4] = [
    ("soft", 40.0, 400.0),
    ("lung", -600.0, 1500.0),
    ("bone", 400.0, 1800.0),
    ("brain", 40.0, 80.0),
];

/// Every (instance, frame) of a series, in order.
fn slices(series: &SeriesView) -> Vec<(usize, u32)> {
    series
        .instances
        .iter()
        .enumerate()
        .flat_map(|(i, inst)| (0..inst.info.frames.max(1)).map(move |f| (i, f)))
        .collect()
}

fn default_window(info: &DicomInfo) -> (f64, f64) {
    info.window.unwrap_or((40.0, 400.0))
}

/// Millimetres between two points given in image pixels (column, row).
pub fn distance_mm(a: (f64, f64), b: (f64, f64), spacing: (f64, f64)) -> f64 {
    let (row_mm, col_mm) = spacing;
    (((b.0 - a.0) * col_mm).powi(2) + ((b.1 - a.1) * row_mm).powi(2)).sqrt()
}

#[derive(Clone, Copy)]
struct Drag {
    x: f64,
    y: f64,
    pan: (f64, f64),
    window: (f64, f64),
}

#[component]
fn Viewer(detail: RwSignal<StudyDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let series_ix = RwSignal::new(0usize);
    let slice_ix = RwSignal::new(0usize);
    let tool = RwSignal::new(Tool::Window);
    let zoom = RwSignal::new(1.0f64);
    let pan = RwSignal::new((0.0f64, 0.0f64));
    let window = RwSignal::new(None::<(f64, f64)>);
    // The window in the image's link: follows `window`, at most every 150 ms while dragging.
    let link_window = RwSignal::new(None::<(f64, f64)>);
    let measure = RwSignal::new(None::<((f64, f64), Option<(f64, f64)>)>);
    let drag = StoredValue::new(None::<Drag>);
    let pointers = StoredValue::new(Vec::<(i32, f64, f64)>::new());
    let pinch = StoredValue::new(None::<(f64, f64)>);
    let last_link = StoredValue::new(0.0f64);
    let img = NodeRef::<leptos::html::Img>::new();

    let series = Memo::new(move |_| detail.with(|d| d.series.get(series_ix.get()).cloned()));
    let all_slices = Memo::new(move |_| series.get().map(|s| slices(&s)).unwrap_or_default());
    let current = Memo::new(move |_| {
        let s = series.get()?;
        let (i, frame) = *all_slices.get().get(slice_ix.get())?;
        Some((s.instances.get(i)?.clone(), frame))
    });
    let info = move || current.get().map(|(inst, _)| inst.info);
    let shown_window = move || {
        window
            .get()
            .or_else(|| info().map(|i| default_window(&i)))
            .unwrap_or((40.0, 400.0))
    };
    let src = move || {
        let (inst, frame): (InstanceView, u32) = current.get()?;
        let mut url = format!("{}&n={frame}", inst.frame_link);
        if let Some((c, w)) = link_window.get() {
            url.push_str(&format!("&wc={c:.0}&ww={w:.0}"));
        }
        Some(url)
    };
    let count = move || all_slices.with(Vec::len);
    let step = move |delta: i64| {
        let n = count() as i64;
        if n > 0 {
            slice_ix.update(|i| *i = (*i as i64 + delta).clamp(0, n - 1) as usize);
        }
    };
    let reset = move || {
        zoom.set(1.0);
        pan.set((0.0, 0.0));
        window.set(None);
        link_window.set(None);
        measure.set(None);
    };
    let set_window = move |w: Option<(f64, f64)>, now: bool| {
        window.set(w);
        let t = js_now();
        if now || t - last_link.get_value() > 150.0 {
            last_link.set_value(t);
            link_window.set(w);
        }
    };

    // Image pixel (column, row) under a pointer.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let to_pixel = move |x: f64, y: f64| -> Option<(f64, f64)> {
        let info = info()?;
        #[cfg(feature = "hydrate")]
        {
            let rect = img.get_untracked()?.get_bounding_client_rect();
            (rect.width() > 0.0).then(|| {
                (
                    (x - rect.left()) / rect.width() * f64::from(info.columns),
                    (y - rect.top()) / rect.height() * f64::from(info.rows),
                )
            })
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (info, img);
            None
        }
    };

    let on_down = move |ev: leptos::ev::PointerEvent| {
        let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        pointers.update_value(|p| {
            p.retain(|(id, _, _)| *id != ev.pointer_id());
            p.push((ev.pointer_id(), x, y));
        });
        if pointers.with_value(Vec::len) == 2 {
            let d = pointers
                .with_value(|p| ((p[0].1 - p[1].1).powi(2) + (p[0].2 - p[1].2).powi(2)).sqrt());
            pinch.set_value(Some((d, zoom.get_untracked())));
            drag.set_value(None);
            return;
        }
        if tool.get_untracked() == Tool::Measure
            && let Some(p) = to_pixel(x, y)
        {
            measure.set(Some((p, None)));
        }
        drag.set_value(Some(Drag {
            x,
            y,
            pan: pan.get_untracked(),
            window: shown_window(),
        }));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        pointers.update_value(|p| {
            if let Some(e) = p.iter_mut().find(|(id, _, _)| *id == ev.pointer_id()) {
                *e = (e.0, x, y);
            }
        });
        if let Some((start, z)) = pinch.get_value() {
            if pointers.with_value(Vec::len) == 2 {
                let d = pointers
                    .with_value(|p| ((p[0].1 - p[1].1).powi(2) + (p[0].2 - p[1].2).powi(2)).sqrt());
                zoom.set((z * d / start.max(1.0)).clamp(0.25, 16.0));
            }
            return;
        }
        let Some(start) = drag.get_value() else {
            return;
        };
        let (dx, dy) = (x - start.x, y - start.y);
        match tool.get_untracked() {
            Tool::Pan => pan.set((start.pan.0 + dx, start.pan.1 + dy)),
            Tool::Window => {
                let (c, w) = start.window;
                let scale = (w / 256.0).max(1.0);
                set_window(Some((c + dy * scale, (w + dx * scale).max(1.0))), false);
            }
            Tool::Measure => {
                if let (Some((a, _)), Some(b)) = (measure.get_untracked(), to_pixel(x, y)) {
                    measure.set(Some((a, Some(b))));
                }
            }
        }
    };
    let on_up = move |ev: leptos::ev::PointerEvent| {
        pointers.update_value(|p| p.retain(|(id, _, _)| *id != ev.pointer_id()));
        if pointers.with_value(Vec::len) < 2 {
            pinch.set_value(None);
        }
        if drag.get_value().is_some() && tool.get_untracked() == Tool::Window {
            set_window(window.get_untracked(), true);
        }
        drag.set_value(None);
    };
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        ev.prevent_default();
        step(if ev.delta_y() > 0.0 { 1 } else { -1 });
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let handled = match ev.key().as_str() {
            "ArrowDown" | "ArrowRight" | "PageDown" | "j" => {
                step(1);
                true
            }
            "ArrowUp" | "ArrowLeft" | "PageUp" | "k" => {
                step(-1);
                true
            }
            "Home" => {
                slice_ix.set(0);
                true
            }
            "End" => {
                slice_ix.set(count().saturating_sub(1));
                true
            }
            "+" | "=" => {
                zoom.update(|z| *z = (*z * 1.25).min(16.0));
                true
            }
            "-" | "_" => {
                zoom.update(|z| *z = (*z / 1.25).max(0.25));
                true
            }
            "p" => {
                tool.set(Tool::Pan);
                true
            }
            "w" => {
                tool.set(Tool::Window);
                true
            }
            "m" => {
                tool.set(Tool::Measure);
                true
            }
            "r" | "0" => {
                reset();
                true
            }
            "[" | "]" => {
                let (c, w) = shown_window();
                let w = if ev.key() == "[" { w / 1.2 } else { w * 1.2 };
                set_window(Some((c, w.max(1.0))), true);
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };

    let distance = move || {
        let ((a, b), spacing) = match (measure.get(), info().and_then(|i| i.pixel_spacing)) {
            (Some((a, Some(b))), Some(s)) => ((a, b), s),
            _ => return None,
        };
        Some(distance_mm(a, b, spacing))
    };
    let tool_button = move |t: Tool, label: String, key: &'static str| {
        view! {
            <button type="button" class="button button-quiet" aria-pressed=move || (tool.get() == t).to_string()
                data-testid=format!("tool-{key}") on:click=move |_| tool.set(t)>{label}</button>
        }
    };
    let overlay = move || {
        let info = info()?;
        let (a, b_opt) = measure.get()?;
        let b = b_opt.unwrap_or(a);
        Some(view! {
            <svg class="viewer-overlay" viewBox=format!("0 0 {} {}", info.columns, info.rows) preserveAspectRatio="none" aria-hidden="true">
                <line x1=a.0 y1=a.1 x2=b.0 y2=b.1 class="measure-line" />
                <circle cx=a.0 cy=a.1 r="3" class="measure-end" />
                <circle cx=b.0 cy=b.1 r="3" class="measure-end" />
            </svg>
        })
    };

    view! {
        <div class="viewer-layout">
            <div class="viewer-main">
                <div class="viewer" tabindex="0" role="application" data-testid="viewer"
                    aria-label=move || t_string!(i18n, files.viewer_label).to_string()
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
                    on:pointercancel=on_up on:pointerleave=on_up on:wheel=on_wheel on:keydown=on_key>
                    {move || match info().and_then(|i| i.unsupported) {
                        Some(reason) => view! { <p class="viewer-message" role="alert" data-testid="unsupported">{t!(i18n, files.cannot_show)} " " {reason.worded(i18n.get_locale())}</p> }.into_any(),
                        None => view! {
                            // Set through the CSSOM (`style:`), which the page's CSP
                            // allows (it blocks `style` attributes); none until the
                            // image moves, so the server writes no attribute.
                            <div class="viewer-stage" style:transform=move || {
                                let ((x, y), z) = (pan.get(), zoom.get());
                                (x != 0.0 || y != 0.0 || z != 1.0)
                                    .then(|| format!("translate({x}px, {y}px) scale({z})"))
                            }>
                                <img node_ref=img src=src alt=move || t_string!(i18n, files.slice_of, n = slice_ix.get() + 1, total = count()).to_string()
                                    draggable="false" data-testid="frame" />
                                {overlay}
                            </div>
                        }.into_any(),
                    }}
                    <div class="viewer-hud" aria-live="polite">
                        <span data-testid="slice-label">{move || t_string!(i18n, files.slice_of, n = slice_ix.get() + 1, total = count()).to_string()}</span>
                        <span data-testid="window-label">{move || { let (c, w) = shown_window(); format!("W {w:.0} · L {c:.0}") }}</span>
                        <span>{move || format!("{:.0}%", zoom.get() * 100.0)}</span>
                    </div>
                </div>
                <div class="viewer-tools" role="toolbar" aria-label=move || t_string!(i18n, files.tools).to_string()>
                    {tool_button(Tool::Window, t_string!(i18n, files.tool_window).to_string(), "window")}
                    {tool_button(Tool::Pan, t_string!(i18n, files.tool_pan).to_string(), "pan")}
                    {tool_button(Tool::Measure, t_string!(i18n, files.tool_measure).to_string(), "measure")}
                    <button type="button" class="button button-quiet" on:click=move |_| zoom.update(|z| *z = (*z * 1.25).min(16.0))>"+"</button>
                    <button type="button" class="button button-quiet" on:click=move |_| zoom.update(|z| *z = (*z / 1.25).max(0.25))>"−"</button>
                    <button type="button" class="button button-quiet" data-testid="reset" on:click=move |_| reset()>{t!(i18n, files.reset)}</button>
                    <label class="field inline-field">
                        <span>{t!(i18n, files.preset)}</span>
                        <select data-testid="preset" on:change=move |ev| {
                            let value = event_target_value(&ev);
                            let w = PRESETS.iter().find(|(k, _, _)| *k == value).map(|(_, c, w)| (*c, *w));
                            set_window(w, true);
                        }>
                            <option value="">{t!(i18n, files.preset_file)}</option>
                            <option value="soft">{t!(i18n, files.preset_soft)}</option>
                            <option value="lung">{t!(i18n, files.preset_lung)}</option>
                            <option value="bone">{t!(i18n, files.preset_bone)}</option>
                            <option value="brain">{t!(i18n, files.preset_brain)}</option>
                        </select>
                    </label>
                </div>
                <label class="field slice-slider">
                    <span>{t!(i18n, files.slice)}</span>
                    <input type="range" min="1" max=move || count().max(1) prop:value=move || slice_ix.get() + 1 data-testid="slice-range"
                        on:input=move |ev| slice_ix.set(event_target_value(&ev).parse::<usize>().unwrap_or(1).saturating_sub(1)) />
                </label>
                <p role="status" data-testid="distance">{move || match (distance(), info().map(|i| i.pixel_spacing.is_some())) {
                    (Some(mm), _) => t_string!(i18n, files.distance, mm = format!("{mm:.1}")).to_string(),
                    (None, Some(false)) => t_string!(i18n, files.no_spacing).to_string(),
                    _ => String::new(),
                }}</p>
                <p class="muted small">{t!(i18n, files.keys_help)}</p>
            </div>
            <aside class="viewer-side">
                <h2>{t!(i18n, files.series)}</h2>
                <ul class="series-list">
                    {move || detail.with(|d| d.series.iter().enumerate().map(|(i, s)| {
                        let label = format!("{} {} · {}", s.number.map(|n| format!("#{n}")).unwrap_or_default(), s.description, s.modality);
                        let n = slices(s).len();
                        view! {
                            <li><button type="button" class="button button-quiet" aria-pressed=move || (series_ix.get() == i).to_string()
                                data-testid="series" on:click=move |_| { series_ix.set(i); slice_ix.set(0); measure.set(None); }>
                                {label} " (" {n} ")"
                            </button></li>
                        }
                    }).collect_view())}
                </ul>
                {move || info().map(tags_panel)}
            </aside>
        </div>
    }
}

fn tags_panel(info: DicomInfo) -> impl IntoView {
    let i18n = use_i18n();
    let row = |label: String, value: String| {
        (!value.is_empty()).then(|| view! { <dt>{label}</dt><dd>{value}</dd> })
    };
    view! {
        <h2>{t!(i18n, files.tags_title)}</h2>
        <dl class="dicom-tags" data-testid="dicom-tags">
            {row(t_string!(i18n, files.tag_patient).to_string(), info.patient_name.clone())}
            {row(t_string!(i18n, files.tag_patient_id).to_string(), info.patient_id.clone())}
            {row(t_string!(i18n, files.tag_birth).to_string(), info.birth_date.clone())}
            {row(t_string!(i18n, files.tag_sex).to_string(), info.sex.clone())}
            {row(t_string!(i18n, files.tag_study_date).to_string(), info.study_date.clone())}
            {row(t_string!(i18n, files.tag_study).to_string(), info.study_description.clone())}
            {row(t_string!(i18n, files.tag_series).to_string(), info.series_description.clone())}
            {row(t_string!(i18n, files.tag_modality).to_string(), info.modality.clone())}
            {row(t_string!(i18n, files.tag_body_part).to_string(), info.body_part.clone())}
            {row(t_string!(i18n, files.tag_institution).to_string(), info.institution.clone())}
            {row(t_string!(i18n, files.tag_size).to_string(), format!("{} × {} · {}", info.columns, info.rows, info.frames))}
            {row(t_string!(i18n, files.tag_spacing).to_string(), info.pixel_spacing.map(|(r, c)| format!("{r} × {c} mm")).unwrap_or_default())}
            {row(t_string!(i18n, files.tag_syntax).to_string(), info.transfer_syntax_name.clone())}
        </dl>
    }
}

fn js_now() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// `/documents/study/:uid` and `/patients/:id/documents/study/:uid`.
#[component]
pub fn StudyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let (patient, uid) = params.with_untracked(|p| {
        (
            p.get("id").and_then(|id| id.parse::<i64>().ok()),
            p.get("uid").unwrap_or_default(),
        )
    });
    let back = match patient {
        Some(id) => format!("/patients/{id}/documents"),
        None => "/documents".to_owned(),
    };
    let data = Resource::new(|| (), {
        let uid = uid.clone();
        move |_| get_study(patient, uid.clone())
    });
    view! {
        <Title text=move || t_string!(i18n, files.viewer_title).to_string() />
        <p><a href=back>{t!(i18n, files.back)}</a></p>
        <Suspense fallback=loading>
            {move || Suspend::new({
                let uid = uid.clone();
                async move {
                    match data.await {
                        Ok(study) => {
                            let title = study.study.description.clone();
                            let date = study.study.date.clone();
                            let renew_s = study.links_expire_s.saturating_sub(30).max(30);
                            let detail = RwSignal::new(study);
                            renew_links(detail, patient, uid.clone(), renew_s);
                            view! {
                                <section class="page-intro">
                                    <h1 data-testid="study-title">{title}</h1>
                                    <p class="muted">{date}</p>
                                </section>
                                <Viewer detail />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                }
            })}
        </Suspense>
    }
}

/// Fetches fresh signed links before the current ones expire.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn renew_links(detail: RwSignal<StudyDetail>, patient: Option<i64>, uid: String, every_s: u32) {
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                let uid = uid.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = get_study(patient, uid).await {
                        detail.set(fresh);
                    }
                });
            },
            std::time::Duration::from_secs(u64::from(every_s)),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::distance_mm;

    #[test]
    fn distance_uses_row_and_column_spacing() {
        // 100 columns across at 0.5 mm per column, 0 rows.
        assert!((distance_mm((0.0, 0.0), (100.0, 0.0), (0.8, 0.5)) - 50.0).abs() < 1e-9);
        // 30 columns and 40 rows at 1 mm: a 3-4-5 triangle.
        assert!((distance_mm((10.0, 10.0), (40.0, 50.0), (1.0, 1.0)) - 50.0).abs() < 1e-9);
    }
}
