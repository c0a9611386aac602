//! The security page: password, two-step verification, sessions, API tokens.

use super::{
    ChangePassword, CreateToken, EndOtherSessions, EndSession, MfaBegin, MfaConfirm, MfaDisable,
    RevokeToken, SecuritySummary, security_overview,
};
use crate::i18n::*;
use crate::layout::{ActionError, ConfirmSubmit, ErrorMessage, PasswordField, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let password = ServerAction::<ChangePassword>::new();
    let begin = ServerAction::<MfaBegin>::new();
    let confirm = ServerAction::<MfaConfirm>::new();
    let disable = ServerAction::<MfaDisable>::new();
    let end_one = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let overview = Resource::new(
        move || {
            (
                confirm.version().get(),
                disable.version().get(),
                end_one.version().get(),
                end_others.version().get(),
                create.version().get(),
                revoke.version().get(),
            )
        },
        |_| security_overview(),
    );
    view! {
        <Title text=move || t_string!(i18n, security.title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, security.title)}</h1>
        </section>
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(summary) => {
                        view! {
                            <MfaSection summary=summary.clone() begin confirm disable />
                            <SessionsSection summary=summary.clone() end_one end_others />
                            <TokensSection summary=summary.clone() create revoke />
                            {summary
                                .has_password
                                .then(|| view! { <PasswordSection password /> })}
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MfaSection(
    summary: SecuritySummary,
    begin: ServerAction<MfaBegin>,
    confirm: ServerAction<MfaConfirm>,
    disable: ServerAction<MfaDisable>,
) -> impl IntoView {
    let i18n = use_i18n();
    let recovery = move || confirm.value().get().and_then(Result::ok);
    let enrolment = move || {
        begin
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|_| recovery().is_none())
    };
    view! {
        <section class="panel" aria-labelledby="mfa-title">
            <h2 id="mfa-title">{t!(i18n, security.mfa_title)}</h2>
            <p data-testid="mfa-status">
                {if summary.mfa_on {
                    t_string!(i18n, security.mfa_on).to_string()
                } else {
                    t_string!(i18n, security.mfa_off).to_string()
                }}
            </p>
            {(summary.mfa_required && !summary.mfa_on)
                .then(|| view! { <p class="notice">{t!(i18n, security.mfa_needed_for_staff)}</p> })}
            {move || {
                recovery()
                    .map(|codes| {
                        view! {
                            <div class="notice" role="status">
                                <p>{t!(i18n, security.recovery_intro)}</p>
                                <ul class="recovery-codes" data-testid="recovery-codes">
                                    {codes.into_iter().map(|c| view! { <li class="code">{c}</li> }).collect_view()}
                                </ul>
                            </div>
                        }
                    })
            }}
            <Show
                when=move || !summary.mfa_on
                fallback=move || {
                    view! {
                        <ActionForm action=disable attr:class="stack" attr:novalidate=true>
                            <ActionError action=disable />
                            <PasswordField autocomplete="current-password" hint=false id="mfa-off-password" />
                            <label class="field">
                                <span>{t!(i18n, security.code)}</span>
                                <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required />
                            </label>
                            <ConfirmSubmit
                                pending=disable.pending()
                                label=Signal::derive(move || t_string!(i18n, security.mfa_turn_off).to_string())
                                warning=Signal::derive(move || t_string!(i18n, security.mfa_off_warning).to_string())
                                confirm=Signal::derive(move || t_string!(i18n, security.mfa_off_yes).to_string())
                            />
                        </ActionForm>
                    }
                }
            >
                {move || match enrolment() {
                    None => {
                        view! {
                            <ActionForm action=begin attr:class="stack" attr:novalidate=true>
                                <ActionError action=begin />
                                <PasswordField autocomplete="current-password" hint=false id="mfa-password" />
                                <SubmitButton pending=begin.pending()>{t!(i18n, security.mfa_set_up)}</SubmitButton>
                            </ActionForm>
                        }
                            .into_any()
                    }
                    Some(enrolment) => {
                        view! {
                            <div class="stack">
                                <p>{t!(i18n, security.scan_intro)}</p>
                                <div class="qr" role="img" aria-label=move || t_string!(i18n, security.qr_label).to_string() inner_html=enrolment.qr_svg.clone()></div>
                                <p>
                                    {t!(i18n, security.secret_intro)} " "
                                    <code class="code" data-testid="mfa-secret">{enrolment.secret.clone()}</code>
                                </p>
                                <ActionForm action=confirm attr:class="stack" attr:novalidate=true>
                                    <ActionError action=confirm />
                                    <label class="field">
                                        <span>{t!(i18n, security.code)}</span>
                                        <input type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required />
                                    </label>
                                    <SubmitButton pending=confirm.pending()>{t!(i18n, security.mfa_confirm)}</SubmitButton>
                                </ActionForm>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </Show>
        </section>
    }
}

#[component]
fn SessionsSection(
    summary: SecuritySummary,
    end_one: ServerAction<EndSession>,
    end_others: ServerAction<EndOtherSessions>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{t!(i18n, security.sessions_title)}</h2>
            <ul class="item-list" data-testid="sessions">
                {summary
                    .sessions
                    .into_iter()
                    .map(|s| {
                        view! {
                            <li class="item">
                                <div>
                                    <strong>{s.device.clone()}</strong>
                                    {s.current.then(|| view! { " " <span class="badge">{t!(i18n, security.this_device)}</span> })}
                                    <p class="muted">
                                        {t!(i18n, security.last_seen, when = s.last_seen_at.format("%Y-%m-%d %H:%M UTC").to_string())}
                                    </p>
                                </div>
                                {(!s.current)
                                    .then(|| {
                                        view! {
                                            <ActionForm action=end_one>
                                                <input type="hidden" name="session_id" value=s.id />
                                                <button type="submit" class="button button-quiet">{t!(i18n, security.sign_out_device)}</button>
                                            </ActionForm>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <ActionForm action=end_others>
                <button type="submit" class="button">{t!(i18n, security.sign_out_others)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TokensSection(
    summary: SecuritySummary,
    create: ServerAction<CreateToken>,
    revoke: ServerAction<RevokeToken>,
) -> impl IntoView {
    let i18n = use_i18n();
    let chosen = RwSignal::new(Vec::<String>::new());
    view! {
        <section class="panel" aria-labelledby="tokens-title">
            <h2 id="tokens-title">{t!(i18n, security.tokens_title)}</h2>
            <p class="muted">{t!(i18n, security.tokens_intro)}</p>
            <ActionForm action=create attr:class="stack" attr:novalidate=true>
                <ActionError action=create />
                <label class="field">
                    <span>{t!(i18n, security.token_name)}</span>
                    <input type="text" name="name" maxlength="100" required />
                </label>
                <fieldset class="scopes">
                    <legend>{t!(i18n, security.scopes)}</legend>
                    {summary
                        .all_scopes
                        .iter()
                        .map(|scope| {
                            let scope = scope.clone();
                            let value = scope.clone();
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        prop:checked=move || chosen.with(|c| c.contains(&value))
                                        on:change={
                                            let scope = scope.clone();
                                            move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| {
                                                    c.retain(|s| *s != scope);
                                                    if on {
                                                        c.push(scope.clone());
                                                    }
                                                });
                                            }
                                        }
                                    />
                                    <code>{scope.clone()}</code>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <input type="hidden" name="scopes" value=move || chosen.with(|c| c.join(" ")) />
                <label class="field">
                    <span>{t!(i18n, security.valid_days)}</span>
                    <input type="number" name="valid_days" min="1" max="366" value="90" />
                </label>
                <SubmitButton pending=create.pending()>{t!(i18n, security.create_token)}</SubmitButton>
            </ActionForm>
            {move || {
                create
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|token| {
                        view! {
                            <div class="notice" role="status">
                                <p>{t!(i18n, security.token_once)}</p>
                                <code class="code" data-testid="new-token">{token}</code>
                            </div>
                        }
                    })
            }}
            <ActionError action=revoke />
            <ul class="item-list" data-testid="tokens">
                {summary
                    .tokens
                    .into_iter()
                    .map(|t| {
                        let last_used = t
                            .last_used_at
                            .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                            .unwrap_or_else(|| t_string!(i18n, security.never).to_string());
                        view! {
                            <li class="item">
                                <div>
                                    <strong>{t.name.clone()}</strong>
                                    <p class="muted"><code>{t.scopes.join(" ")}</code></p>
                                    <p class="muted">{t!(i18n, security.last_used, when = last_used.clone())}</p>
                                </div>
                                <ActionForm action=revoke>
                                    <input type="hidden" name="token_id" value=t.id />
                                    <button type="submit" class="button button-danger">{t!(i18n, security.revoke)}</button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn PasswordSection(password: ServerAction<ChangePassword>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="password-title">
            <h2 id="password-title">{t!(i18n, security.password_title)}</h2>
            <ActionForm action=password attr:class="stack" attr:novalidate=true>
                <ActionError action=password />
                <PasswordField
                    autocomplete="current-password"
                    hint=false
                    name="current"
                    label=Signal::derive(move || t_string!(i18n, security.current_password).to_string())
                />
                <PasswordField
                    autocomplete="new-password"
                    hint=true
                    id="new-password"
                    label=Signal::derive(move || t_string!(i18n, security.new_password).to_string())
                />
                <SubmitButton pending=password.pending()>{t!(i18n, security.change_password)}</SubmitButton>
            </ActionForm>
            {move || {
                password
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|_| view! { <p class="notice" role="status">{t!(i18n, security.password_changed)}</p> })
            }}
        </section>
    }
}
