//! The care-team pages: the patient's care team and access history, joining
//! a care team with a code, and a care-team member's patient list.

use super::{
    Action, CancelInvitation, Category, ChangeGrant, GrantView, InviteCareTeam, JoinCareTeam,
    Permission, Permissions, RevokeGrant, access_history, care_team, my_patients, patient,
};
use crate::i18n::*;
use crate::layout::{ActionError, ErrorMessage, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// A category's name in the reader's language.
pub fn category_label(category: Category) -> String {
    let i18n = use_i18n();
    match category {
        Category::Vitals => t_string!(i18n, care.cat_vitals).to_string(),
        Category::Medications => t_string!(i18n, care.cat_medications).to_string(),
        Category::Records => t_string!(i18n, care.cat_records).to_string(),
        Category::Documents => t_string!(i18n, care.cat_documents).to_string(),
        Category::Messages => t_string!(i18n, care.cat_messages).to_string(),
        Category::Appointments => t_string!(i18n, care.cat_appointments).to_string(),
    }
}

/// "Vitals (read, write) · Records (read)".
fn describe(permissions: &Permissions) -> String {
    let i18n = use_i18n();
    permissions
        .0
        .iter()
        .map(|p| {
            let mut modes = Vec::new();
            if p.read {
                modes.push(t_string!(i18n, care.read).to_string());
            }
            if p.write {
                modes.push(t_string!(i18n, care.write).to_string());
            }
            format!("{} ({})", category_label(p.category), modes.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn set_permission(permissions: &mut Permissions, category: Category, action: Action, on: bool) {
    let index = match permissions.0.iter().position(|p| p.category == category) {
        Some(index) => index,
        None => {
            permissions.0.push(Permission {
                category,
                read: false,
                write: false,
            });
            permissions.0.len() - 1
        }
    };
    let entry = &mut permissions.0[index];
    match action {
        Action::Read => entry.read = on,
        Action::Write => entry.write = on,
    }
    permissions.0.retain(|p| p.read || p.write);
    permissions
        .0
        .sort_by_key(|p| Category::ALL.iter().position(|c| *c == p.category));
}

/// Read and write checkboxes per category, and the hidden `permissions`
/// field that carries the choice.
#[component]
fn PermissionGrid(permissions: RwSignal<Permissions>, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let row = move |category: Category| {
        let checkbox = move |action: Action| {
            let label = move || {
                let mode = match action {
                    Action::Read => t_string!(i18n, care.read).to_string(),
                    Action::Write => t_string!(i18n, care.write).to_string(),
                };
                format!("{} – {mode}", category_label(category))
            };
            view! {
                <input
                    type="checkbox"
                    aria-label=label
                    data-permission=format!("{}_{}", category.as_str(), action.as_str())
                    prop:checked=move || permissions.with(|p| p.allows(category, action))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        permissions.update(|p| set_permission(p, category, action, on));
                    }
                />
            }
        };
        view! {
            <tr>
                <th scope="row">{move || category_label(category)}</th>
                <td>{checkbox(Action::Read)}</td>
                <td>{checkbox(Action::Write)}</td>
            </tr>
        }
    };
    view! {
        <table class="permission-grid" id=id>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, care.category)}</th>
                    <th scope="col">{t!(i18n, care.read)}</th>
                    <th scope="col">{t!(i18n, care.write)}</th>
                </tr>
            </thead>
            <tbody>{Category::ALL.into_iter().map(row).collect_view()}</tbody>
        </table>
        <input type="hidden" name="permissions" value=move || permissions.with(Permissions::encode) />
    }
}

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
                    <button type="submit" class="button button-danger">{t!(i18n, care.revoke)}</button>
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

/// The patients who granted me access.
#[component]
pub fn PatientsPage() -> impl IntoView {
    let i18n = use_i18n();
    let patients = Resource::new(|| (), |_| my_patients());
    view! {
        <Title text=move || t_string!(i18n, care.patients_title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, care.patients_title)}</h1>
            <p><a href="/join-care-team">{t!(i18n, care.join_title)}</a></p>
        </section>
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match patients.await {
                    Ok(list) if list.is_empty() => {
                        view! { <p class="muted">{t!(i18n, care.no_patients)}</p> }.into_any()
                    }
                    Ok(list) => {
                        view! {
                            <ul class="item-list" data-testid="patients">
                                {list
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <li class="item">
                                                <a href=format!("/patients/{}", p.patient_id)>{p.name.clone()}</a>
                                                <span class="muted">{describe(&p.permissions)}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <NeedsMfa error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An error, with the way to the security page when a second factor is missing.
#[component]
fn NeedsMfa(error: crate::error::AppError) -> impl IntoView {
    let i18n = use_i18n();
    let mfa = error == crate::error::AppError::MfaRequired;
    view! {
        <div class="notice" role="alert">
            <ErrorMessage error />
            {mfa.then(|| view! { <a class="button button-primary" href="/settings/security">{t!(i18n, security.mfa_set_up)}</a> })}
        </div>
    }
}

/// One patient, as their care-team member sees them.
#[component]
pub fn PatientPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let found = Resource::new(
        move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => patient(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <div class="loading" aria-busy="true"></div> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(p) => {
                        view! {
                            <Title text=p.name.clone() />
                            <section class="page-intro">
                                <h1>{p.name.clone()}</h1>
                                <p>{t!(i18n, care.you_may)} " " {describe(&p.permissions)}</p>
                                {p.until.map(|d| view! { <p class="muted">{t!(i18n, care.until_date, date = d.to_string())}</p> })}
                                {p.permissions
                                    .allows(Category::Vitals, Action::Read)
                                    .then(|| {
                                        view! {
                                            <p>
                                                <a class="button button-primary" href=format!("/patients/{}/health", p.patient_id)>
                                                    {t!(i18n, health.open_dashboard)}
                                                </a>
                                            </p>
                                        }
                                    })}
                                {p.permissions
                                    .allows(Category::Medications, Action::Read)
                                    .then(|| {
                                        view! {
                                            <p>
                                                <a class="button" href=format!("/patients/{}/medications", p.patient_id)>
                                                    {t!(i18n, meds.open_list)}
                                                </a>
                                            </p>
                                        }
                                    })}
                                {p.permissions
                                    .allows(Category::Documents, Action::Read)
                                    .then(|| {
                                        view! {
                                            <p>
                                                <a class="button" href=format!("/patients/{}/documents", p.patient_id)>
                                                    {t!(i18n, files.open_list)}
                                                </a>
                                            </p>
                                        }
                                    })}
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <NeedsMfa error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

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
