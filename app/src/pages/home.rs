use crate::accounts::CurrentUser;
use crate::i18n::*;
use crate::layout::Area;
use leptos::prelude::*;
use leptos_meta::Title;

/// The signed-in home page: a greeting and the way into each area.
#[component]
pub fn HomePage(user: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let name = user.display_name.clone();
    let email = user.email.clone();
    view! {
        <Title text=move || t_string!(i18n, app_name).to_string() />
        <section class="page-intro">
            <h1 data-testid="greeting">{t!(i18n, home.greeting, name = name.clone())}</h1>
            <p>{t!(i18n, home.intro)}</p>
            <p class="muted">{t!(i18n, home.signed_in_as, email = email.clone())}</p>
        </section>
        <section aria-labelledby="areas-title">
            <h2 id="areas-title">{t!(i18n, home.areas_title)}</h2>
            <ul class="card-grid">
                {Area::ALL
                    .into_iter()
                    .map(|area| {
                        view! {
                            <li>
                                <a class="card" href=area.path()>
                                    <span class="card-icon" aria-hidden="true">{area.icon()}</span>
                                    <span class="card-title">{move || area.title()}</span>
                                    <span class="card-body">{move || area.summary()}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
