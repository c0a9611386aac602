//! The sign-in and sign-up pages and the sign-out button.
//!
//! Forms are plain HTML forms posting to server functions, so they work before
//! the WASM has loaded; once hydrated they submit without a page reload.

use super::{SignIn, SignOut, SignUp};
use crate::i18n::*;
use crate::layout::{ErrorMessage, LanguageSwitcher};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    view! {
        <Title text=move || t_string!(i18n, auth.sign_in_title).to_string() />
        <AuthFrame>
            <h1>{t!(i18n, auth.sign_in_title)}</h1>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <ActionError action=action />
                <label class="field">
                    <span>{t!(i18n, auth.email)}</span>
                    <input type="email" name="email" autocomplete="username" required />
                </label>
                <PasswordField autocomplete="current-password" hint=false />
                <SubmitButton pending=action.pending()>{t!(i18n, auth.sign_in)}</SubmitButton>
            </ActionForm>
            <p class="switch-auth">
                {t!(i18n, auth.no_account)} " " <a href="/sign-up">{t!(i18n, auth.sign_up)}</a>
            </p>
        </AuthFrame>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignUp>::new();
    view! {
        <Title text=move || t_string!(i18n, auth.sign_up_title).to_string() />
        <AuthFrame>
            <h1>{t!(i18n, auth.sign_up_title)}</h1>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <ActionError action=action />
                <label class="field">
                    <span>{t!(i18n, auth.name)}</span>
                    <input type="text" name="name" autocomplete="name" required maxlength="100" />
                </label>
                <label class="field">
                    <span>{t!(i18n, auth.email)}</span>
                    <input type="email" name="email" autocomplete="email" required />
                </label>
                <PasswordField autocomplete="new-password" hint=true />
                <SubmitButton pending=action.pending()>{t!(i18n, auth.sign_up)}</SubmitButton>
            </ActionForm>
            <p class="switch-auth">
                {t!(i18n, auth.have_account)} " " <a href="/sign-in">{t!(i18n, auth.sign_in)}</a>
            </p>
        </AuthFrame>
    }
}

/// Signs out; a form so that it works without JavaScript and is never a GET.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignOut>::new();
    view! {
        <ActionForm action=action attr:class="sign-out">
            <button type="submit" class="button button-quiet">{t!(i18n, auth.sign_out)}</button>
        </ActionForm>
    }
}

/// The centred card that the sign-in and sign-up pages share.
#[component]
fn AuthFrame(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="auth-page">
            <header class="auth-header">
                <a href="/" class="brand">
                    <img src="/icons/icon-192.png" alt="" width="32" height="32" />
                    <span>{t!(i18n, app_name)}</span>
                </a>
                <LanguageSwitcher />
            </header>
            <main id="main" class="auth-card">
                {children()}
            </main>
            <p class="tagline">{t!(i18n, tagline)}</p>
        </div>
    }
}

/// A password input with a show/hide toggle (the toggle needs the WASM).
#[component]
fn PasswordField(autocomplete: &'static str, hint: bool) -> impl IntoView {
    let i18n = use_i18n();
    let visible = RwSignal::new(false);
    view! {
        <div class="field">
            <label for="password">{t!(i18n, auth.password)}</label>
            <div class="password-row">
                <input
                    id="password"
                    name="password"
                    type=move || if visible.get() { "text" } else { "password" }
                    autocomplete=autocomplete
                    aria-describedby=hint.then_some("password-hint")
                    required
                />
                <button
                    type="button"
                    class="button button-quiet toggle-password"
                    aria-pressed=move || visible.get().to_string()
                    on:click=move |_| visible.update(|v| *v = !*v)
                >
                    {move || {
                        if visible.get() {
                            t_string!(i18n, auth.hide_password)
                        } else {
                            t_string!(i18n, auth.show_password)
                        }
                    }}
                </button>
            </div>
            {hint.then(|| view! { <p id="password-hint" class="hint">{t!(i18n, auth.password_hint)}</p> })}
        </div>
    }
}

#[component]
fn SubmitButton(pending: Memo<bool>, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" class="button button-primary" aria-busy=move || pending.get().to_string()>
            <span class:hidden=move || pending.get()>{children()}</span>
            <span class:hidden=move || !pending.get()>{t!(i18n, auth.working)}</span>
        </button>
    }
}

/// The error of the last submission of a form, announced to screen readers.
#[component]
fn ActionError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    view! {
        <div role="alert" aria-live="assertive">
            {move || {
                action.value().get().and_then(Result::err).map(|err| view! { <ErrorMessage error=err /> })
            }}
        </div>
    }
}
