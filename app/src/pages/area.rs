use crate::frame::Area;
use crate::i18n::*;
use crate::layout::IconSvg;
use leptos::prelude::*;
use leptos_meta::Title;

/// An area's page until its capability lands: its title and an empty state.
#[component]
pub fn AreaPage(area: Area) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || area.title() />
        <section class="page-intro">
            <h1>{move || area.title()}</h1>
            <p>{move || area.summary()}</p>
        </section>
        <div class="empty-state">
            <span class="empty-icon"><IconSvg icon=area.icon() /></span>
            <p>{t!(i18n, areas.empty)}</p>
        </div>
    }
}
