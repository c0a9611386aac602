use crate::i18n::*;
use leptos::prelude::*;

/// Switches the language at once, in place; remembers it in a cookie and, when
/// signed in, on the account.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<super::SaveLocale>::new();
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(locale) = locale_from_tag(&event_target_value(&ev)) {
            i18n.set_locale(locale);
            save.dispatch(super::SaveLocale {
                locale: locale_tag(locale).to_owned(),
            });
        }
    };
    view! {
        <label class="language-switcher">
            <span class="visually-hidden">{t!(i18n, language.label)}</span>
            <select name="locale" on:change=on_change aria-label=move || t_string!(i18n, language.label).to_string()>
                <option value="en" selected=move || i18n.get_locale() == Locale::en>
                    {t!(i18n, language.en)}
                </option>
                <option value="zh-TW" selected=move || i18n.get_locale() == Locale::zh_TW>
                    {t!(i18n, language.zh_tw)}
                </option>
            </select>
        </label>
    }
}
