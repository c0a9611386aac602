//! Who else opened my data, and when (the patient's access history).

use super::access_history;
use super::components::category_label;
use crate::i18n::*;
use crate::identity::Category;
use crate::layout::ErrorMessage;
use leptos::prelude::*;
use leptos_meta::Title;

/// Who else opened my data, and when.
#[component]
pub fn AccessHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let history = Resource::new(|| (), |_| access_history());
    view! {
        <Title text=move || t_string!(i18n, history.title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, history.title)}</h1>
            <p>{t!(i18n, history.intro)}</p>
        </section>
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(entries) if entries.is_empty() => {
                        view! { <p class="muted">{t!(i18n, history.empty)}</p> }.into_any()
                    }
                    Ok(entries) => {
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
                            .into_any()
                    }
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
