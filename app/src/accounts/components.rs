//! The sign-in and sign-up pages and the sign-out button.
//!
//! Forms are plain HTML forms posting to server functions, so they work before
//! the WASM has loaded; once hydrated they submit without a page reload.

use super::LanguageSwitcher;
use super::{JoinStaff, SignIn, SignOut, SignUp, VerifyCode, link_pending, sign_in_providers};
use crate::i18n::*;
use crate::layout::{ActionError, PasswordField, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let linking = Resource::new(|| (), |_| link_pending());
    view! {
        <Title text=move || t_string!(i18n, auth.sign_in_title).to_string() />
        <AuthFrame>
            <h1>{t!(i18n, auth.sign_in_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    linking
                        .await
                        .unwrap_or(false)
                        .then(|| view! { <p class="notice" role="status" data-testid="link-notice">{t!(i18n, auth.link_notice)}</p> })
                })}
            </Suspense>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <ActionError action=action />
                <label class="field">
                    <span>{t!(i18n, auth.email)}</span>
                    <input type="email" name="email" autocomplete="username" required />
                </label>
                <PasswordField autocomplete="current-password" hint=false />
                <SubmitButton pending=action.pending()>{t!(i18n, auth.sign_in)}</SubmitButton>
            </ActionForm>
            <Providers />
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

/// A button per configured sign-in provider: plain forms that POST, so that
/// starting a sign-in is never a GET and works before the WASM has loaded.
#[component]
fn Providers() -> impl IntoView {
    let i18n = use_i18n();
    let providers = Resource::new(|| (), |_| sign_in_providers());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let list = providers.await.unwrap_or_default();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <div class="providers">
                                <p class="divider">{t!(i18n, auth.or_continue_with)}</p>
                                {list
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <form method="post" action=format!("/auth/oidc/{}/start", p.id)>
                                                <button type="submit" class="button provider-button">
                                                    {t!(i18n, auth.continue_with, provider = p.name.clone())}
                                                </button>
                                            </form>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                        }
                    })
            })}
        </Suspense>
    }
}

/// The second step of a sign-in: the code from the authenticator app.
#[component]
pub fn VerifyCodePage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<VerifyCode>::new();
    view! {
        <Title text=move || t_string!(i18n, auth.verify_title).to_string() />
        <AuthFrame>
            <h1>{t!(i18n, auth.verify_title)}</h1>
            <p>{t!(i18n, auth.verify_intro)}</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <ActionError action=action />
                <label class="field">
                    <span>{t!(i18n, auth.code)}</span>
                    <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required />
                </label>
                <SubmitButton pending=action.pending()>{t!(i18n, auth.verify)}</SubmitButton>
            </ActionForm>
            <p class="switch-auth"><a href="/sign-in">{t!(i18n, auth.start_again)}</a></p>
        </AuthFrame>
    }
}

/// An invited clinician, coach or administrator sets a name and password.
#[component]
pub fn JoinStaffPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<JoinStaff>::new();
    let query = use_query_map();
    let code = move || query.with(|q| q.get("code").unwrap_or_default());
    view! {
        <Title text=move || t_string!(i18n, auth.join_title).to_string() />
        <AuthFrame>
            <h1>{t!(i18n, auth.join_title)}</h1>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <ActionError action=action />
                <label class="field">
                    <span>{t!(i18n, auth.invitation_code)}</span>
                    <input type="text" name="code" autocomplete="off" value=code required />
                </label>
                <label class="field">
                    <span>{t!(i18n, auth.name)}</span>
                    <input type="text" name="name" autocomplete="name" required maxlength="100" />
                </label>
                <PasswordField autocomplete="new-password" hint=true />
                <SubmitButton pending=action.pending()>{t!(i18n, auth.sign_up)}</SubmitButton>
            </ActionForm>
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
            // In a landmark, as everything on a page should be (axe `region`).
            <footer class="auth-footer">
                <p class="tagline">{t!(i18n, tagline)}</p>
            </footer>
        </div>
    }
}
