//! The administrator's page: invite staff, review security events, open a
//! patient's data in an emergency (break-glass), disable an account.

use super::{BreakGlass, DisableAccount, FindAccounts, InviteStaff, security_events};
use crate::i18n::*;
use crate::layout::{ActionError, ConfirmSubmit, ErrorMessage, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<InviteStaff>::new();
    let glass = ServerAction::<BreakGlass>::new();
    let disable = ServerAction::<DisableAccount>::new();
    let search = ServerAction::<FindAccounts>::new();
    let events = Resource::new(move || glass.version().get(), |_| security_events());
    view! {
        <Title text=move || t_string!(i18n, admin.title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, admin.title)}</h1>
        </section>
        <section class="panel" aria-labelledby="staff-title">
            <h2 id="staff-title">{t!(i18n, admin.invite_title)}</h2>
            <ActionForm action=invite attr:class="stack" attr:novalidate=true>
                <ActionError action=invite />
                <label class="field">
                    <span>{t!(i18n, auth.email)}</span>
                    <input type="email" name="email" required />
                </label>
                <label class="field">
                    <span>{t!(i18n, admin.role)}</span>
                    <select name="role">
                        <option value="clinician">{t!(i18n, admin.role_clinician)}</option>
                        <option value="coach">{t!(i18n, admin.role_coach)}</option>
                        <option value="administrator">{t!(i18n, admin.role_administrator)}</option>
                    </select>
                </label>
                <SubmitButton pending=invite.pending()>{t!(i18n, admin.invite_button)}</SubmitButton>
            </ActionForm>
            {move || {
                invite
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|code| {
                        view! {
                            <div class="notice" role="status">
                                <p>{t!(i18n, admin.invite_ready)}</p>
                                <p class="code">{format!("/join?code={code}")}</p>
                            </div>
                        }
                    })
            }}
        </section>
        <section class="panel" aria-labelledby="events-title">
            <h2 id="events-title">{t!(i18n, admin.events_title)}</h2>
            <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="muted">{t!(i18n, admin.no_events)}</p> }.into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="item-list" data-testid="security-events">
                                    {list
                                        .into_iter()
                                        .map(|e| {
                                            view! {
                                                <li class="item">
                                                    <div>
                                                        <strong>{e.kind.clone()}</strong>
                                                        <p class="muted">{e.at.format("%Y-%m-%d %H:%M UTC").to_string()} " · " {e.detail.clone()}</p>
                                                    </div>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="panel" aria-labelledby="accounts-title">
            <h2 id="accounts-title">{t!(i18n, admin.accounts_title)}</h2>
            <ActionForm action=search attr:class="stack" attr:novalidate=true>
                <ActionError action=search />
                <label class="field">
                    <span>{t!(i18n, admin.search)}</span>
                    <input type="search" name="query" minlength="3" required />
                </label>
                <SubmitButton pending=search.pending()>{t!(i18n, admin.search_button)}</SubmitButton>
            </ActionForm>
            {move || {
                search
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|found| {
                        view! {
                            <ul class="item-list" data-testid="accounts">
                                {found
                                    .into_iter()
                                    .map(|a| {
                                        let status = if a.disabled {
                                            t_string!(i18n, admin.status_disabled).to_string()
                                        } else if a.mfa_on {
                                            t_string!(i18n, admin.status_mfa).to_string()
                                        } else {
                                            String::new()
                                        };
                                        view! {
                                            <li class="item">
                                                <div>
                                                    <strong>{a.name.clone()}</strong>
                                                    <p class="muted">{a.email.clone()} " · " {a.role.as_str()} " " {status}</p>
                                                </div>
                                                <span class="badge">{t!(i18n, admin.account_number, id = a.id)}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
        </section>
        <section class="panel" aria-labelledby="glass-title">
            <h2 id="glass-title">{t!(i18n, admin.glass_title)}</h2>
            <p class="muted">{t!(i18n, admin.glass_intro)}</p>
            <ActionForm action=glass attr:class="stack" attr:novalidate=true>
                <ActionError action=glass />
                <label class="field">
                    <span>{t!(i18n, admin.account_id)}</span>
                    <input type="number" name="patient_id" min="1" required />
                </label>
                <label class="field">
                    <span>{t!(i18n, admin.reason)}</span>
                    <textarea name="reason" rows="3" minlength="20" maxlength="500" required></textarea>
                </label>
                <ConfirmSubmit
                    pending=glass.pending()
                    label=Signal::derive(move || t_string!(i18n, admin.glass_button).to_string())
                    warning=Signal::derive(move || t_string!(i18n, admin.glass_warning).to_string())
                    confirm=Signal::derive(move || t_string!(i18n, admin.glass_yes).to_string())
                />
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="disable-title">
            <h2 id="disable-title">{t!(i18n, admin.disable_title)}</h2>
            <ActionForm action=disable attr:class="stack" attr:novalidate=true>
                <ActionError action=disable />
                <label class="field">
                    <span>{t!(i18n, admin.account_id)}</span>
                    <input type="number" name="account_id" min="1" required />
                </label>
                <ConfirmSubmit
                    pending=disable.pending()
                    label=Signal::derive(move || t_string!(i18n, admin.disable_button).to_string())
                    warning=Signal::derive(move || t_string!(i18n, admin.disable_warning).to_string())
                    confirm=Signal::derive(move || t_string!(i18n, admin.disable_yes).to_string())
                />
            </ActionForm>
            {move || {
                disable
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|_| view! { <p class="notice" role="status">{t!(i18n, admin.disabled)}</p> })
            }}
        </section>
        <crate::jobs::JobsPanel />
    }
}
