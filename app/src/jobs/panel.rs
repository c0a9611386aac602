//! The administrators' view of the job queue: counts per state, the jobs
//! that failed, and a retry for dead ones.

use super::{RetryJob, job_queue};
use crate::i18n::*;
use crate::layout::{ActionError, ErrorMessage};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn JobsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let retry = ServerAction::<RetryJob>::new();
    let queue = Resource::new(move || retry.version().get(), |_| job_queue());
    view! {
        <section class="panel" aria-labelledby="jobs-title" data-testid="jobs">
            <h2 id="jobs-title">{t!(i18n, admin.jobs_title)}</h2>
            <ActionError action=retry />
            <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(overview) => {
                            view! {
                                <h3>{t!(i18n, admin.jobs_counts)}</h3>
                                <dl class="import-counts">
                                    {overview
                                        .counts
                                        .into_iter()
                                        .map(|(state, n)| view! { <div><dt>{state}</dt><dd>{n}</dd></div> })
                                        .collect_view()}
                                </dl>
                                <h3>{t!(i18n, admin.jobs_troubled)}</h3>
                                {if overview.troubled.is_empty() {
                                    view! { <p class="muted">{t!(i18n, admin.jobs_none)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="item-list">
                                            {overview
                                                .troubled
                                                .into_iter()
                                                .map(|job| {
                                                    let dead = job.state == "dead";
                                                    view! {
                                                        <li class="item">
                                                            <div>
                                                                <strong>{format!("#{} {} ({})", job.id, job.kind, job.state)}</strong>
                                                                <p class="muted">
                                                                    {t!(i18n, admin.job_attempts, attempts = job.attempts, max = job.max_attempts)}
                                                                    " · "
                                                                    {job.last_error.clone().unwrap_or_default()}
                                                                </p>
                                                            </div>
                                                            {dead
                                                                .then(|| {
                                                                    view! {
                                                                        <ActionForm action=retry>
                                                                            <input type="hidden" name="job_id" value=job.id />
                                                                            <button type="submit" class="button">{t!(i18n, admin.job_retry)}</button>
                                                                        </ActionForm>
                                                                    }
                                                                })}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }}
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
