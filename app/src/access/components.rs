//! What the access pages share: category names, the permission grid (read
//! and write per category) and the "turn on two-step verification" notice.

use super::{Action, Category, Permission, Permissions};
use crate::i18n::*;
use crate::layout::ErrorMessage;
use leptos::prelude::*;

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
pub(super) fn describe(permissions: &Permissions) -> String {
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
pub(super) fn PermissionGrid(permissions: RwSignal<Permissions>, id: String) -> impl IntoView {
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

/// An error, with the way to the security page when a second factor is missing.
#[component]
pub(super) fn NeedsMfa(error: crate::error::AppError) -> impl IntoView {
    let i18n = use_i18n();
    let mfa = error == crate::error::AppError::MfaRequired;
    view! {
        <div class="notice" role="alert">
            <ErrorMessage error />
            {mfa.then(|| view! { <a class="button button-primary" href="/settings/security">{t!(i18n, security.mfa_set_up)}</a> })}
        </div>
    }
}
