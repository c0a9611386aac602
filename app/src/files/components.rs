//! Images & documents: the upload panel, search, the studies and the files
//! (thumbnails once the job made them), the storage used. The same list
//! serves a care-team member with a documents grant (read only).

use super::uploader::Uploader;
use super::{FileView, StudyView, list_files};
use crate::i18n::*;
use crate::layout::{ErrorMessage, Icon, IconSvg};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub(super) fn loading() -> impl IntoView {
    view! { <div class="loading" aria-busy="true"></div> }
}

/// "3.2 MB", "740 KB".
pub fn size_text(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1024.0 {
        format!("{:.1} GB", mb / 1024.0)
    } else if mb >= 1.0 {
        format!("{mb:.1} MB")
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A category's name in the reader's language.
pub fn category_label(category: &str) -> String {
    let i18n = use_i18n();
    match category {
        "lab_report" => t_string!(i18n, files.cat_lab_report),
        "discharge_summary" => t_string!(i18n, files.cat_discharge_summary),
        "imaging_report" => t_string!(i18n, files.cat_imaging_report),
        "insurance_card" => t_string!(i18n, files.cat_insurance_card),
        "imaging" => t_string!(i18n, files.cat_imaging),
        "photo" => t_string!(i18n, files.cat_photo),
        _ => t_string!(i18n, files.cat_other),
    }
    .to_string()
}

pub fn study_href(patient: Option<i64>, uid: &str) -> String {
    match patient {
        Some(id) => format!("/patients/{id}/documents/study/{uid}"),
        None => format!("/documents/study/{uid}"),
    }
}

#[component]
fn StudyCard(study: StudyView, patient: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let href = study_href(patient, &study.study_uid);
    let modalities = study.modalities.join(", ");
    view! {
        <li class="file-card" data-testid="study">
            <a href=href class="file-link">
                {match study.thumb.clone() {
                    Some(src) => view! { <img class="file-thumb" src=src alt="" loading="lazy" /> }.into_any(),
                    None => view! { <span class="file-thumb file-icon" aria-hidden="true">"◎"</span> }.into_any(),
                }}
                <strong>{study.description.clone()}</strong>
            </a>
            <span class="muted">{study.date.clone()} " · " {modalities} " · " {t!(i18n, files.images, count = study.instances)}</span>
        </li>
    }
}

/// Where a file's page is: under the patient for their care team.
pub fn file_href(patient: Option<i64>, id: i64) -> String {
    match patient {
        Some(patient) => format!("/patients/{patient}/documents/{id}"),
        None => format!("/documents/{id}"),
    }
}

#[component]
fn FileCard(file: FileView, patient: Option<i64>) -> impl IntoView {
    let icon = if file.kind == "document" {
        Icon::Documents
    } else {
        Icon::Image
    };
    let tags = file.tags.join(", ");
    view! {
        <li class="file-card" data-testid="file" data-kind=file.kind.clone()>
            <a href=file_href(patient, file.id) class="file-link">
                {match file.thumb.clone() {
                    Some(src) => view! { <img class="file-thumb" src=src alt="" loading="lazy" /> }.into_any(),
                    None => view! { <span class="file-thumb file-icon" aria-hidden="true"><IconSvg icon /></span> }.into_any(),
                }}
                <strong>{file.title.clone()}</strong>
            </a>
            <span class="muted">
                {category_label(&file.category)}
                {file.date.clone().map(|d| format!(" · {d}"))}
                " · " {size_text(file.size)}
            </span>
            {(!tags.is_empty()).then(|| view! { <span class="tags">{tags}</span> })}
        </li>
    }
}

#[component]
fn FilesList(patient: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let data = Resource::new(move || query.get(), move |q| list_files(patient, Some(q)));
    let refresh = Callback::new(move |()| data.refetch());
    view! {
        <section class="page-intro">
            <h1>{t!(i18n, files.title)}</h1>
            <p>
                {if patient.is_none() {
                    t!(i18n, files.intro).into_any()
                } else {
                    t!(i18n, files.intro_staff).into_any()
                }}
            </p>
        </section>
        {patient.is_none().then(|| view! { <Uploader patient on_done=refresh /> })}
        <label class="field search-field">
            <span>{t!(i18n, files.search)}</span>
            <input type="search" data-testid="file-search" prop:value=query on:input=move |ev| query.set(event_target_value(&ev)) />
        </label>
        <Transition fallback=loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => {
                        let used = (list.used_bytes as f64 / list.quota_bytes.max(1) as f64 * 100.0).min(100.0);
                        let empty = list.files.is_empty() && list.studies.is_empty();
                        view! {
                            <div class="adherence quota" data-testid="quota">
                                <span>{t!(i18n, files.storage)}</span>
                                <progress max="100" value=used.round() aria-label=t_string!(i18n, files.storage).to_string()></progress>
                                <span class="adherence-figure">{format!("{} / {}", size_text(list.used_bytes), size_text(list.quota_bytes))}</span>
                            </div>
                            {empty.then(|| view! { <p class="muted">{t!(i18n, files.none)}</p> })}
                            {(!list.studies.is_empty()).then(|| view! {
                                <h2>{t!(i18n, files.studies)}</h2>
                                <ul class="file-grid">
                                    {list.studies.into_iter().map(|study| view! { <StudyCard study patient /> }).collect_view()}
                                </ul>
                            })}
                            {(!list.files.is_empty()).then(|| view! {
                                <h2>{t!(i18n, files.photos_documents)}</h2>
                                <ul class="file-grid">
                                    {list.files.into_iter().map(|file| view! { <FileCard file patient /> }).collect_view()}
                                </ul>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The signed-in patient's images and documents.
#[component]
pub fn DocumentsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, files.title).to_string() />
        <FilesList patient=None />
    }
}

/// A patient's images and documents, for their care team.
#[component]
pub fn PatientDocumentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let patient = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    view! {
        <Title text=move || t_string!(i18n, files.title).to_string() />
        <p><a href=format!("/patients/{}", patient.unwrap_or_default())>{t!(i18n, meds.back_to_patient)}</a></p>
        <FilesList patient />
    }
}
