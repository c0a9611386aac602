//! Importing files: the upload form (a plain multipart form, so it works
//! before the WASM loads), an import's progress bar while its job runs,
//! the summary when it ends, and the recent imports.

use super::{CancelImport, ImportView, import_status, imports};
use crate::i18n::*;
use crate::layout::ActionError;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Where the form posts (a streaming handler, not a server function).
pub const UPLOAD_PATH: &str = "/dashboard/import/upload";

fn state_label(state: &str) -> String {
    let i18n = use_i18n();
    match state {
        "queued" => t_string!(i18n, health.import_queued),
        "running" => t_string!(i18n, health.import_running),
        "done" => t_string!(i18n, health.import_done),
        "failed" => t_string!(i18n, health.import_failed),
        _ => t_string!(i18n, health.import_cancelled),
    }
    .to_string()
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let id = query.with_untracked(|q| q.get("id").and_then(|id| id.parse::<i64>().ok()));
    let error = query.with_untracked(|q| q.get("error"));
    let uploading = RwSignal::new(false);
    let recent = Resource::new(|| (), |_| imports(None));
    view! {
        <Title text=move || t_string!(i18n, health.import_title).to_string() />
        <section class="page-intro">
            <p><a href="/dashboard">{t!(i18n, health.back_to_dashboard)}</a></p>
            <h1>{t!(i18n, health.import_title)}</h1>
            <p>{t!(i18n, health.import_intro)}</p>
        </section>
        {id.map(|id| view! { <ImportStatus id /> })}
        <section class="panel">
            {error
                .map(|code| {
                    let text = match code.as_str() {
                        "invalid" => t_string!(i18n, health.upload_invalid).to_string(),
                        "too_large" => t_string!(i18n, health.upload_too_large).to_string(),
                        "empty" => t_string!(i18n, health.upload_empty).to_string(),
                        "pdf" => t_string!(i18n, health.upload_pdf).to_string(),
                        "photo" => t_string!(i18n, health.upload_photo).to_string(),
                        "spreadsheet" => t_string!(i18n, health.upload_spreadsheet).to_string(),
                        "storage_full" => t_string!(i18n, errors.storage_full).to_string(),
                        "access" => t_string!(i18n, errors.no_access).to_string(),
                        _ => t_string!(i18n, errors.internal).to_string(),
                    };
                    view! { <p class="error-message" role="alert">{text}</p> }
                })}
            <form
                class="stack"
                method="post"
                action=UPLOAD_PATH
                enctype="multipart/form-data"
                on:submit=move |_| uploading.set(true)
            >
                <label class="field">
                    <span>{t!(i18n, health.import_file)}</span>
                    <input type="file" name="file" required accept=".xml,.csv,text/csv,text/xml,application/xml" />
                    <span class="hint">{t!(i18n, health.import_hint)}</span>
                </label>
                <button type="submit" class="button button-primary" aria-busy=move || uploading.get().to_string()>
                    {move || if uploading.get() { t_string!(i18n, health.uploading).to_string() } else { t_string!(i18n, health.upload).to_string() }}
                </button>
            </form>
        </section>
        <section class="panel" aria-labelledby="recent-imports">
            <h2 id="recent-imports">{t!(i18n, health.recent_imports)}</h2>
            <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    let list = recent.await.unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p class="muted">{t!(i18n, health.no_imports)}</p> }.into_any();
                    }
                    view! {
                        <ul class="item-list">
                            {list
                                .into_iter()
                                .map(|import| {
                                    view! {
                                        <li class="item">
                                            <a href=format!("/dashboard/import?id={}", import.id)>{import.file_name.clone()}</a>
                                            <span class="muted">
                                                {state_label(&import.state)} " · "
                                                {t!(i18n, health.imported_count, count = import.imported)}
                                            </span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                })}
            </Suspense>
        </section>
    }
}

/// One import: a progress bar while it runs (refreshed every second), then
/// its summary.
#[component]
fn ImportStatus(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let tick = RwSignal::new(0u32);
    let finished = RwSignal::new(false);
    let cancel = ServerAction::<CancelImport>::new();
    let status = Resource::new(
        move || (tick.get(), cancel.version().get()),
        move |_| import_status(id),
    );
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if !finished.get_untracked() {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_millis(800),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <section class="panel" aria-labelledby="import-status" data-testid="import-status">
            <h2 id="import-status">{t!(i18n, health.import_status)}</h2>
            <Transition fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(view) => {
                            finished.set(view.is_finished());
                            view! { <ImportSummary view cancel /> }.into_any()
                        }
                        Err(error) => view! { <crate::layout::ErrorMessage error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ImportSummary(view: ImportView, cancel: ServerAction<CancelImport>) -> impl IntoView {
    let i18n = use_i18n();
    let percent = view.percent();
    let running = !view.is_finished();
    let problems = view.problems.clone();
    view! {
        <p>
            <strong>{view.file_name.clone()}</strong>
            " · "
            <span data-testid="import-state" data-state=view.state.clone()>{state_label(&view.state)}</span>
        </p>
        <progress
            max="100"
            value=percent
            data-testid="import-progress"
            aria-label=move || t_string!(i18n, health.import_progress).to_string()
        ></progress>
        <p class="muted">{format!("{percent}%")}</p>
        <dl class="import-counts">
            <div><dt>{t!(i18n, health.count_imported)}</dt><dd data-testid="count-imported">{view.imported}</dd></div>
            <div><dt>{t!(i18n, health.count_duplicates)}</dt><dd>{view.duplicates}</dd></div>
            <div><dt>{t!(i18n, health.count_rejected)}</dt><dd data-testid="count-rejected">{view.rejected}</dd></div>
            <div><dt>{t!(i18n, health.count_skipped)}</dt><dd>{view.skipped}</dd></div>
        </dl>
        {(!problems.is_empty())
            .then(|| {
                view! {
                    <details open=true>
                        <summary>{t!(i18n, health.problems)}</summary>
                        <ul class="problems">
                            {problems
                                .into_iter()
                                .map(|p| view! { <li>{t!(i18n, health.problem_at, index = p.index)} " " {move || p.worded(i18n.get_locale())}</li> })
                                .collect_view()}
                        </ul>
                    </details>
                }
            })}
        {running
            .then(|| {
                view! {
                    <ActionForm action=cancel>
                        <ActionError action=cancel />
                        <input type="hidden" name="import_id" value=view.id />
                        <button type="submit" class="button">{t!(i18n, health.cancel_import)}</button>
                    </ActionForm>
                }
            })}
        {(view.state == "done")
            .then(|| view! { <p><a class="button button-primary" href="/dashboard">{t!(i18n, health.see_dashboard)}</a></p> })}
    }
}
