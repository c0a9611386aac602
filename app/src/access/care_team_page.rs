//! The patient's care team: invite someone, change or revoke what each
//! member may see, withdraw open invitations; and the page where a member
//! joins with the code a patient gave them.

use super::components::{PermissionGrid, describe};
use super::{
    CancelInvitation, ChangeGrant, GrantView, InviteCareTeam, JoinCareTeam, Permissions,
    RevokeGrant, care_team,
};
use crate::i18n::*;
use crate::layout::{ActionError, ConfirmSubmit, ErrorMessage, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

/// The patient's care team: invite someone, change or revoke what each
/// member may see, withdraw open invitations.
#[component]
pub fn CareTeamPage() -> impl IntoView {
    let i18n = use_i18n();
    let invite = ServerAction::<InviteCareTeam>::new();
    let change = ServerAction::<ChangeGrant>::new();
    let revoke = ServerAction::<RevokeGrant>::new();
    let cancel = ServerAction::<CancelInvitation>::new();
    let team = Resource::new(
        move || {
            (
                invite.version().get(),
                change.version().get(),
                revoke.version().get(),
                cancel.version().get(),
            )
        },
        |_| care_team(),
    );
    let new_permissions = RwSignal::new(Permissions::default());
    view! {
        <Title text=move || t_string!(i18n, care.title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, care.title)}</h1>
            <p>{t!(i18n, care.intro)}</p>
        </section>
        <section class="panel" aria-labelledby="invite-title">
            <h2 id="invite-title">{t!(i18n, care.invite_title)}</h2>
            <ActionForm action=invite attr:class="stack" attr:novalidate=true>
                <ActionError action=invite />
                <label class="field">
                    <span>{t!(i18n, care.invite_email)}</span>
                    <input type="email" name="email" autocomplete="off" />
                    <span class="hint">{t!(i18n, care.invite_email_hint)}</span>
                </label>
                <PermissionGrid permissions=new_permissions id="invite-permissions".into() />
                <label class="field">
                    <span>{t!(i18n, care.until)}</span>
                    <input type="date" name="until" />
                    <span class="hint">{t!(i18n, care.until_hint)}</span>
                </label>
                <SubmitButton pending=invite.pending()>{t!(i18n, care.invite_button)}</SubmitButton>
            </ActionForm>
            {move || {
                invite
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|code| {
                        view! {
                            <div class="notice" role="status">
                                <p>{t!(i18n, care.code_ready)}</p>
                                <p class="code" data-testid="invitation-code">{code}</p>
                            </div>
                        }
                    })
            }}
        </section>
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok((grants, invitations)) => {
                        view! {
                            <section class="panel" aria-labelledby="grants-title">
                                <h2 id="grants-title">{t!(i18n, care.members_title)}</h2>
                                <ActionError action=change />
                                <ActionError action=revoke />
                                {if grants.is_empty() {
                                    view! { <p class="muted">{t!(i18n, care.no_members)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="item-list">
                                            {grants
                                                .into_iter()
                                                .map(|grant| view! { <GrantItem grant change revoke /> })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }}
                            </section>
                            <section class="panel" aria-labelledby="invitations-title">
                                <h2 id="invitations-title">{t!(i18n, care.invitations_title)}</h2>
                                {if invitations.is_empty() {
                                    view! { <p class="muted">{t!(i18n, care.no_invitations)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="item-list">
                                            {invitations
                                                .into_iter()
                                                .map(|inv| {
                                                    let who = inv
                                                        .email
                                                        .clone()
                                                        .unwrap_or_else(|| t_string!(i18n, care.anyone_with_code).to_string());
                                                    view! {
                                                        <li class="item">
                                                            <div>
                                                                <strong>{who}</strong>
                                                                <p class="muted">{describe(&inv.permissions)}</p>
                                                            </div>
                                                            <ActionForm action=cancel>
                                                                <input type="hidden" name="invitation_id" value=inv.id />
                                                                <button type="submit" class="button button-quiet">
                                                                    {t!(i18n, care.cancel_invitation)}
                                                                </button>
                                                            </ActionForm>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }}
                            </section>
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
fn GrantItem(
    grant: GrantView,
    change: ServerAction<ChangeGrant>,
    revoke: ServerAction<RevokeGrant>,
) -> impl IntoView {
    let i18n = use_i18n();
    let permissions = RwSignal::new(grant.permissions.clone());
    let editing = RwSignal::new(false);
    let until = StoredValue::new(grant.until.map(|d| d.to_string()).unwrap_or_default());
    let id = grant.id;
    view! {
        <li class="item item-grant" data-testid="grant">
            <div>
                <strong>{grant.grantee_name.clone()}</strong>
                <p class="muted">{describe(&grant.permissions)}</p>
                {grant
                    .until
                    .map(|d| view! { <p class="muted">{t!(i18n, care.until_date, date = d.to_string())}</p> })}
            </div>
            <div class="item-actions">
                <button
                    type="button"
                    class="button button-quiet"
                    aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)
                >
                    {t!(i18n, care.change)}
                </button>
                <ActionForm action=revoke>
                    <input type="hidden" name="grant_id" value=id />
                    <ConfirmSubmit
                        pending=revoke.pending()
                        label=Signal::derive(move || t_string!(i18n, care.revoke).to_string())
                        warning=Signal::derive(move || t_string!(i18n, care.revoke_warning).to_string())
                        confirm=Signal::derive(move || t_string!(i18n, care.revoke_yes).to_string())
                    />
                </ActionForm>
            </div>
            <Show when=move || editing.get()>
                <ActionForm action=change attr:class="stack grant-editor">
                    <input type="hidden" name="grant_id" value=id />
                    <PermissionGrid permissions id=format!("grant-{id}") />
                    <label class="field">
                        <span>{t!(i18n, care.until)}</span>
                        <input type="date" name="until" value=until.get_value() />
                    </label>
                    <SubmitButton pending=change.pending()>{t!(i18n, care.save)}</SubmitButton>
                </ActionForm>
            </Show>
        </li>
    }
}

/// A clinician, coach or caregiver types the code a patient gave them.
#[component]
pub fn JoinCareTeamPage() -> impl IntoView {
    let i18n = use_i18n();
    let join = ServerAction::<JoinCareTeam>::new();
    view! {
        <Title text=move || t_string!(i18n, care.join_title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, care.join_title)}</h1>
            <p>{t!(i18n, care.join_intro)}</p>
        </section>
        <ActionForm action=join attr:class="stack panel" attr:novalidate=true>
            <ActionError action=join />
            <label class="field">
                <span>{t!(i18n, care.code)}</span>
                <input type="text" name="code" autocomplete="off" autocapitalize="characters" required />
            </label>
            <SubmitButton pending=join.pending()>{t!(i18n, care.join_button)}</SubmitButton>
        </ActionForm>
    }
}
