//! The upload panel: choose files (several at once), each sent in parts with
//! a progress bar; a file whose sending stopped (network, a closed laptop)
//! resumes from the last stored part — also after a reload, when the same
//! file is chosen again (its upload is remembered in this browser by name,
//! size and date; only the upload's token, never its content).

use super::UploadResult;
#[cfg(feature = "hydrate")]
use super::UploadState;
use crate::error::AppError;
use crate::i18n::*;
use crate::layout::ErrorMessage;
use leptos::prelude::*;

/// One file's progress.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    Sending { done: u64, size: u64 },
    Processing,
    Done(UploadResult),
    Paused { message: String },
    Failed { error: AppError },
}

#[derive(Clone)]
pub struct Item {
    pub id: usize,
    pub name: String,
    pub progress: RwSignal<Progress>,
    #[cfg(feature = "hydrate")]
    pub file: send_wrapper::SendWrapper<web_sys::File>,
}

/// What the server said when it refused: the refusal as data, worded here
/// in the reader's language.
#[cfg(feature = "hydrate")]
#[derive(serde::Deserialize)]
struct ErrorBody {
    refusal: AppError,
}

#[cfg(feature = "hydrate")]
mod net {
    use super::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    pub enum Failure {
        /// The network went away: try again later from where it stopped.
        Network,
        /// The server refused, with its reason.
        Refused(AppError),
    }

    pub async fn call(
        method: &str,
        url: &str,
        body: Option<&JsValue>,
        json: bool,
    ) -> Result<String, Failure> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        if let Some(body) = body {
            init.set_body(body);
        }
        let request =
            web_sys::Request::new_with_str_and_init(url, &init).map_err(|_| Failure::Network)?;
        if json {
            let _ = request.headers().set("Content-Type", "application/json");
        }
        let window = web_sys::window().ok_or(Failure::Network)?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| Failure::Network)?
            .unchecked_into();
        let text = JsFuture::from(response.text().map_err(|_| Failure::Network)?)
            .await
            .map_err(|_| Failure::Network)?
            .as_string()
            .unwrap_or_default();
        if response.ok() {
            Ok(text)
        } else if response.status() >= 500 {
            Err(Failure::Network)
        } else {
            let refusal = serde_json::from_str::<ErrorBody>(&text)
                .map(|e| e.refusal)
                .unwrap_or_else(|_| AppError::Transport(format!("HTTP {}", response.status())));
            Err(Failure::Refused(refusal))
        }
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    fn memo_key(file: &web_sys::File) -> String {
        format!(
            "hale.upload:{}:{}:{}",
            file.name(),
            file.size(),
            file.last_modified()
        )
    }

    /// The upload of this file that stopped before, if the server still has it.
    async fn resumable(file: &web_sys::File) -> Option<UploadState> {
        let token = storage()?.get_item(&memo_key(file)).ok()??;
        let text = call(
            "GET",
            &format!("{}/{token}", super::super::UPLOADS_PATH),
            None,
            false,
        )
        .await
        .ok()?;
        serde_json::from_str(&text).ok()
    }

    pub async fn send(file: &web_sys::File, patient: Option<i64>, progress: RwSignal<Progress>) {
        let size = file.size() as u64;
        let outcome = async {
            let state = match resumable(file).await {
                Some(state) => state,
                None => {
                    let start = super::super::UploadStart {
                        name: file.name(),
                        size,
                        patient_id: patient,
                    };
                    let body =
                        JsValue::from_str(&serde_json::to_string(&start).unwrap_or_default());
                    let text = call("POST", super::super::UPLOADS_PATH, Some(&body), true).await?;
                    let state: UploadState =
                        serde_json::from_str(&text).map_err(|_| Failure::Network)?;
                    if let Some(s) = storage() {
                        let _ = s.set_item(&memo_key(file), &state.token);
                    }
                    state
                }
            };
            for index in state.next_part..state.parts {
                let from = index * state.part_bytes;
                progress.set(Progress::Sending { done: from, size });
                let to = (from + state.part_bytes).min(size);
                let blob = file
                    .slice_with_f64_and_f64(from as f64, to as f64)
                    .map_err(|_| Failure::Network)?;
                let url = format!(
                    "{}/{}/parts/{index}",
                    super::super::UPLOADS_PATH,
                    state.token
                );
                call("PUT", &url, Some(&blob.into()), false).await?;
            }
            progress.set(Progress::Processing);
            let url = format!("{}/{}/finish", super::super::UPLOADS_PATH, state.token);
            let result = call("POST", &url, None, false).await;
            if let (Some(s), Ok(_) | Err(Failure::Refused(_))) = (storage(), &result) {
                let _ = s.remove_item(&memo_key(file));
            }
            let text = result?;
            serde_json::from_str::<UploadResult>(&text).map_err(|_| Failure::Network)
        }
        .await;
        progress.set(match outcome {
            Ok(result) => Progress::Done(result),
            Err(Failure::Refused(error)) => {
                if let Some(s) = storage() {
                    let _ = s.remove_item(&memo_key(file));
                }
                Progress::Failed { error }
            }
            Err(Failure::Network) => Progress::Paused {
                message: String::new(),
            },
        });
    }
}

/// Starts (or resumes) sending an item.
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn start(item: &Item, patient: Option<i64>, on_done: Callback<()>) {
    #[cfg(feature = "hydrate")]
    {
        let file = item.file.clone();
        let progress = item.progress;
        leptos::task::spawn_local(async move {
            net::send(&file, patient, progress).await;
            if matches!(progress.get_untracked(), Progress::Done(_)) {
                on_done.run(());
            }
        });
    }
}

fn percent(done: u64, size: u64) -> f64 {
    if size == 0 {
        0.0
    } else {
        (done as f64 / size as f64 * 100.0).min(100.0)
    }
}

#[component]
fn ItemRow(item: Item, patient: Option<i64>, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let progress = item.progress;
    let resume = {
        let item = item.clone();
        move |_| {
            progress.set(Progress::Sending { done: 0, size: 0 });
            start(&item, patient, on_done);
        }
    };
    view! {
        <li class="upload-item" data-testid="upload-item">
            <span class="upload-name">{item.name.clone()}</span>
            {move || match progress.get() {
                Progress::Sending { done, size } => view! {
                    <progress max="100" value=percent(done, size).round() aria-label=t_string!(i18n, files.sending).to_string()></progress>
                    <span class="muted">{format!("{:.0}%", percent(done, size))}</span>
                }.into_any(),
                Progress::Processing => view! {
                    <progress aria-label=t_string!(i18n, files.processing).to_string()></progress>
                    <span class="muted">{t!(i18n, files.processing)}</span>
                }.into_any(),
                Progress::Done(result) => {
                    let text = if !result.file_ids.is_empty() {
                        t_string!(i18n, files.stored, count = result.file_ids.len()).to_string()
                    } else {
                        t_string!(i18n, files.already_stored).to_string()
                    };
                    view! {
                        <span class="upload-done" data-testid="upload-done">{text}</span>
                        {result.open.clone().map(|href| view! { <a href=href>{t!(i18n, files.open)}</a> })}
                        {(!result.skipped.is_empty()).then(|| view! {
                            <details class="upload-skipped">
                                <summary>{t!(i18n, files.skipped, count = result.skipped.len())}</summary>
                                <ul>{result.skipped.iter().map(|s| view! { <li>{s.name.clone()} ": " {let reason = s.reason.clone(); move || reason.worded(i18n.get_locale())}</li> }).collect_view()}</ul>
                            </details>
                        })}
                    }.into_any()
                }
                Progress::Paused { .. } => view! {
                    <span class="warning" role="status">{t!(i18n, files.paused)}</span>
                    <button type="button" class="button button-quiet" data-testid="upload-resume" on:click=resume.clone()>{t!(i18n, files.resume)}</button>
                }.into_any(),
                Progress::Failed { error } => view! {
                    <div class="error" role="alert" data-testid="upload-error"><ErrorMessage error /></div>
                }.into_any(),
            }}
        </li>
    }
}

/// Choose files and watch them go.
#[component]
pub fn Uploader(patient: Option<i64>, on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let items = RwSignal::new(Vec::<Item>::new());
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let chosen = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(list) = input.files() else { return };
            for i in 0..list.length() {
                let Some(file) = list.get(i) else { continue };
                let item = Item {
                    id: items.with_untracked(Vec::len),
                    name: file.name(),
                    progress: RwSignal::new(Progress::Sending {
                        done: 0,
                        size: file.size() as u64,
                    }),
                    file: send_wrapper::SendWrapper::new(file),
                };
                start(&item, patient, on_done);
                items.update(|all| all.push(item));
            }
            input.set_value("");
        }
    };
    view! {
        <section class="panel uploader">
            <label class="file-drop">
                <span class="button button-primary">{t!(i18n, files.choose)}</span>
                <input type="file" multiple data-testid="file-input"
                    accept="image/jpeg,image/png,image/webp,application/pdf,application/dicom,.dcm,application/zip,.zip"
                    on:change=chosen />
            </label>
            <p class="muted">{t!(i18n, files.choose_hint)}</p>
            <ul class="upload-list" aria-live="polite">
                <For each=move || items.get() key=|item| item.id let:item>
                    <ItemRow item patient on_done />
                </For>
            </ul>
        </section>
    }
}
