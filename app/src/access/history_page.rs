//! Who else opened my data, and when (the patient's access history).
//! Accesses and refused attempts are shown apart, each paged back to the
//! first, so that a flood of refusals cannot hide a real access.

use super::components::category_label;
use super::{AccessEntry, access_history};
use crate::i18n::*;
use crate::identity::Category;
use crate::layout::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;

/// Who else opened my data, and when.
#[component]
pub fn AccessHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let refused = RwSignal::new(false);
    let before = RwSignal::new(None::<i64>);
    // Pages already shown above the one being read.
    let earlier = RwSignal::new(Vec::<AccessEntry>::new());
    let page = Resource::new(
        move || (refused.get(), before.get()),
        |(refused, before)| access_history(Some(refused), before),
    );
    let show = move |which: bool| {
        earlier.set(Vec::new());
        before.set(None);
        refused.set(which);
    };
    view! {
        <Title text=move || t_string!(i18n, history.title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, history.title)}</h1>
            <p>{t!(i18n, history.intro)}</p>
        </section>
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let mut entries = earlier.get_untracked();
                        entries.extend(page.entries.iter().cloned());
                        let shown = entries.clone();
                        let count = page.refused_count;
                        view! {
                            <p class="actions" role="group" aria-label=move || t_string!(i18n, history.title).to_string()>
                                <button type="button" class="button button-quiet"
                                    aria-pressed=move || (!refused.get()).to_string()
                                    on:click=move |_| show(false)>
                                    {t!(i18n, history.show_accesses)}
                                </button>
                                <button type="button" class="button button-quiet" data-testid="history-refused"
                                    aria-pressed=move || refused.get().to_string()
                                    on:click=move |_| show(true)>
                                    {t!(i18n, history.show_refused, count = count)}
                                </button>
                            </p>
                            {if shown.is_empty() {
                                view! { <p class="muted">{t!(i18n, history.empty)}</p> }.into_any()
                            } else {
                                history_table(shown).into_any()
                            }}
                            {page.older.map(|older| {
                                view! {
                                    <p class="actions">
                                        <button type="button" class="button button-quiet" data-testid="history-older"
                                            on:click=move |_| {
                                                earlier.set(entries.clone());
                                                before.set(Some(older));
                                            }>
                                            {t!(i18n, history.older)}
                                        </button>
                                    </p>
                                }
                            })}
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn history_table(entries: Vec<AccessEntry>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="access-history">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, history.when)}</th>
                        <th scope="col">{t!(i18n, history.who)}</th>
                        <th scope="col">{t!(i18n, history.what)}</th>
                        <th scope="col">{t!(i18n, history.outcome)}</th>
                    </tr>
                </thead>
                <tbody>
                    {entries
                        .into_iter()
                        .map(|e| {
                            let what = Category::parse(&e.category)
                                .map(category_label)
                                .unwrap_or_else(|| e.category.clone());
                            let allowed = e.outcome.starts_with("allowed") || e.outcome == "done";
                            view! {
                                <tr>
                                    <td>{e.at.format("%Y-%m-%d %H:%M UTC").to_string()}</td>
                                    <td>{e.actor_name.clone()}</td>
                                    <td>{what} " · " {e.action.clone()}</td>
                                    <td class=if allowed { "ok" } else { "refused" }>
                                        {if allowed {
                                            t_string!(i18n, history.allowed).to_string()
                                        } else {
                                            t_string!(i18n, history.refused).to_string()
                                        }}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
