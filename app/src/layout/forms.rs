//! Pieces every form shares: the submit button with its pending state, the
//! confirmation a dangerous action asks for, the error of the last
//! submission, and a password field with a show toggle.

use super::ErrorMessage;
use crate::i18n::*;
use leptos::prelude::*;

/// A password input with a show/hide toggle (the toggle needs the WASM).
#[component]
pub fn PasswordField(
    autocomplete: &'static str,
    hint: bool,
    /// The field's name (`password` unless a form has two).
    #[prop(default = "password")]
    name: &'static str,
    /// The element id, when the page has another field of the same name.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The label, when it is not "Password".
    #[prop(optional, into)]
    label: Option<Signal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let visible = RwSignal::new(false);
    let id = id.unwrap_or(name);
    let hint_id = format!("{id}-hint");
    let described_by = hint.then(|| hint_id.clone());
    view! {
        <div class="field">
            <label for=id>
                {move || match label {
                    Some(label) => label.get(),
                    None => t_string!(i18n, auth.password).to_string(),
                }}
            </label>
            <div class="password-row">
                <input
                    id=id
                    name=name
                    type=move || if visible.get() { "text" } else { "password" }
                    autocomplete=autocomplete
                    aria-describedby=described_by
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
            {hint.then(|| view! { <p id=hint_id class="hint">{t!(i18n, auth.password_hint)}</p> })}
        </div>
    }
}

#[component]
pub fn SubmitButton(pending: Memo<bool>, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" class="button button-primary" aria-busy=move || pending.get().to_string()>
            <span class:hidden=move || pending.get()>{children()}</span>
            <span class:hidden=move || !pending.get()>{t!(i18n, auth.working)}</span>
        </button>
    }
}

/// The submit of a dangerous action (disable an account, emergency access,
/// end someone's access, turn off two-step verification): the first press
/// only opens a warning that says what will happen; the form is sent by the
/// second, "Yes, …" button. A `<details>`, so it asks before the WASM loads too.
#[component]
pub fn ConfirmSubmit(
    pending: Memo<bool>,
    /// The action, on the first button.
    label: Signal<String>,
    /// What will happen, in the person's words.
    warning: Signal<String>,
    /// The second button ("Yes, disable the account").
    confirm: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = NodeRef::<leptos::html::Details>::new();
    let cancel = move |_| {
        if let Some(details) = open.get() {
            let _ = details.remove_attribute("open");
        }
    };
    view! {
        <details class="confirm" node_ref=open>
            <summary class="button button-danger" data-testid="confirm-open">{label}</summary>
            <div class="confirm-body">
                <p class="confirm-warning">{warning}</p>
                <div class="item-actions">
                    <button type="submit" class="button button-danger-strong" data-testid="confirm-yes" aria-busy=move || pending.get().to_string()>
                        <span class:hidden=move || pending.get()>{confirm}</span>
                        <span class:hidden=move || !pending.get()>{t!(i18n, auth.working)}</span>
                    </button>
                    <button type="button" class="button" on:click=cancel>{t!(i18n, home.cancel)}</button>
                </div>
            </div>
        </details>
    }
}

/// The error of the last submission of a form, announced to screen readers.
#[component]
pub fn ActionError<S>(action: ServerAction<S>) -> impl IntoView
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
