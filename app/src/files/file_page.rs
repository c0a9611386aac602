//! One photo or document: shown (a photo in the page, a PDF opened inline in
//! the browser's viewer or downloaded), its title, category, date and tags,
//! and delete. A DICOM file leads to its study's viewer.

use super::components::{category_label, loading, size_text};
use super::{CATEGORIES, DeleteFile, FileDetail, SaveFile, get_file};
use crate::i18n::*;
use crate::layout::{ActionError, ErrorMessage, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
fn MetaForm(detail: FileDetail) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveFile>::new();
    let pending = save.pending();
    let file = detail.file;
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <section class="panel" aria-labelledby="meta-title">
            <h2 id="meta-title">{t!(i18n, files.details)}</h2>
            <ActionForm action=save attr:class="stack">
                <input type="hidden" name="id" value=file.id />
                <label class="field">
                    <span>{t!(i18n, files.field_title)}</span>
                    <input type="text" name="title" required maxlength="200" value=file.title.clone() data-testid="meta-title" />
                </label>
                <label class="field">
                    <span>{t!(i18n, files.field_category)}</span>
                    <select name="category" data-testid="meta-category">
                        {CATEGORIES.iter().map(|c| view! {
                            <option value=*c selected=file.category == *c>{category_label(c)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{t!(i18n, files.field_date)}</span>
                    <input type="date" name="date" value=file.date.clone().unwrap_or_default() data-testid="meta-date" />
                </label>
                <label class="field">
                    <span>{t!(i18n, files.field_tags)}</span>
                    <input type="text" name="tags" value=file.tags.join(", ") data-testid="meta-tags" />
                    <small class="muted">{t!(i18n, files.tags_hint)}</small>
                </label>
                <ActionError action=save />
                <p role="status" class="muted">{move || if saved() { Some(t!(i18n, files.saved)) } else { None }}</p>
                <SubmitButton pending>{t!(i18n, files.save)}</SubmitButton>
            </ActionForm>
        </section>
    }
}

#[component]
fn DeletePanel(id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let delete = ServerAction::<DeleteFile>::new();
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            let navigate = leptos_router::hooks::use_navigate();
            navigate("/documents", Default::default());
        }
    });
    view! {
        <section class="panel" aria-labelledby="delete-title">
            <h2 id="delete-title">{t!(i18n, files.delete_title)}</h2>
            <p class="muted">{t!(i18n, files.delete_note)}</p>
            <ActionForm action=delete attr:class="inline">
                <input type="hidden" name="id" value=id />
                <ActionError action=delete />
                <Show when=move || confirming.get() fallback=move || view! {
                    <button type="button" class="button button-danger" data-testid="delete-file" on:click=move |_| confirming.set(true)>{t!(i18n, files.delete)}</button>
                }>
                    <p role="alert">{t!(i18n, files.delete_confirm)}</p>
                    <button type="submit" class="button button-danger" data-testid="delete-confirm">{t!(i18n, files.delete_yes)}</button>
                    " "
                    <button type="button" class="button button-quiet" on:click=move |_| confirming.set(false)>{t!(i18n, files.cancel)}</button>
                </Show>
            </ActionForm>
        </section>
    }
}

fn shown(detail: &FileDetail, patient: Option<i64>) -> AnyView {
    let i18n = use_i18n();
    let file = &detail.file;
    match file.kind.as_str() {
        "photo" => view! {
            <figure class="photo">
                <img src=detail.view_link.clone() alt=file.title.clone() data-testid="photo"
                    width=file.width.unwrap_or(0) height=file.height.unwrap_or(0) />
            </figure>
        }
        .into_any(),
        "dicom" => view! {
            <p><a class="button button-primary" href=super::components::study_href(patient, &detail.study_uid.clone().unwrap_or_default())>{t!(i18n, files.open_viewer)}</a></p>
        }
        .into_any(),
        _ => view! {
            <p class="actions">
                <a class="button button-primary" href=detail.view_link.clone() target="_blank" rel="noopener" data-testid="open-pdf">{t!(i18n, files.open_pdf)}</a>
            </p>
        }
        .into_any(),
    }
}

/// `/documents/:id`, and `/patients/:id/documents/:file` for the
/// patient's care team (its links and the way back stay with the patient).
#[component]
pub fn FilePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let number =
        |name: &str| params.with_untracked(|p| p.get(name).and_then(|v| v.parse::<i64>().ok()));
    let (patient, id) = match number("file") {
        Some(file) => (number("id"), file),
        None => (None, number("id").unwrap_or_default()),
    };
    let data = Resource::new(|| (), move |_| get_file(id));
    let back = match patient {
        Some(patient) => format!("/patients/{patient}/documents"),
        None => "/documents".to_owned(),
    };
    view! {
        <Title text=move || t_string!(i18n, files.title).to_string() />
        <p><a href=back data-testid="back">{t!(i18n, files.back)}</a></p>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(detail) => {
                        let file = detail.file.clone();
                        view! {
                            <section class="page-intro">
                                <h1 data-testid="file-title">{file.title.clone()}</h1>
                                <p class="muted">{category_label(&file.category)} {file.date.clone().map(|d| format!(" · {d}"))} " · " {size_text(file.size)}</p>
                            </section>
                            {shown(&detail, patient)}
                            <p><a class="button button-quiet" href=detail.download_link.clone() data-testid="download">{t!(i18n, files.download)}</a></p>
                            {detail.can_write.then(|| view! {
                                <MetaForm detail=detail.clone() />
                                <DeletePanel id=file.id />
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
