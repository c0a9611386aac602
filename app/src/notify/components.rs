//! The bell in the header (unread count), the notifications page, and the
//! notification settings: channels, phone, quiet hours, details in
//! messages, time zone, this device's Web Push, a test message.

use super::{
    MarkAllRead, NotificationItem, PrefsView, SaveNotifyPrefs, list_notifications, notify_prefs,
    send_test_notification, unread_count, unsubscribe_push,
};
use crate::i18n::*;
use crate::layout::{ActionError, ErrorMessage, Icon, IconSvg, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

fn loading() -> impl IntoView {
    view! { <div class="loading" aria-busy="true"></div> }
}

/// A link to the notifications with the unread count. The count is asked for
/// by the browser after each navigation (the server renders the bell without
/// it: no extra query or suspense in every page's frame).
#[component]
pub fn NotificationBell() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let count = RwSignal::new(0u32);
    Effect::new(move |_| {
        location.pathname.track();
        spawn_local(async move {
            if let Ok(n) = unread_count().await {
                count.try_set(n);
            }
        });
    });
    view! {
        <a href="/notifications" class="bell" data-testid="bell"
            aria-label=move || t_string!(i18n, notify.bell_label, count = count.get()).to_string()>
            <IconSvg icon=Icon::Bell />
            {move || (count.get() > 0).then(|| view! {
                <span class="bell-count" data-testid="bell-count">{count.get()}</span>
            })}
        </a>
    }
}

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let read_all = ServerAction::<MarkAllRead>::new();
    let list = Resource::new(move || read_all.version().get(), |_| list_notifications());
    view! {
        <Title text=move || t_string!(i18n, notify.title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, notify.title)}</h1>
            <p class="actions">
                <a class="button button-quiet" href="/settings/notifications">{t!(i18n, notify.settings_title)}</a>
            </p>
        </section>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => {
                        let empty = list.items.is_empty();
                        view! {
                            {(list.unread > 0).then(|| view! {
                                <ActionForm action=read_all>
                                    <button type="submit" class="button button-quiet" data-testid="read-all">{t!(i18n, notify.mark_all_read)}</button>
                                </ActionForm>
                            })}
                            {empty.then(|| view! { <p class="muted">{t!(i18n, notify.none)}</p> })}
                            <ul class="item-list" data-testid="notification-list">
                                {list.items.into_iter().map(|n: NotificationItem| view! {
                                    <li class="item" class:unread=!n.read data-kind=n.kind.clone()>
                                        <span><a href=n.url.clone()><strong>{n.title.clone()}</strong></a> " " {n.body.clone()}</span>
                                        <span class="muted">{when(n.created_ms)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let prefs = Resource::new(move || version.get(), |_| notify_prefs());
    view! {
        <Title text=move || t_string!(i18n, notify.settings_title).to_string() />
        <section class="page-intro">
            <h1>{t!(i18n, notify.settings_title)}</h1>
        </section>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match prefs.await {
                    Ok(prefs) => view! { <SettingsBody prefs version /> }.into_any(),
                    Err(error) => view! { <ErrorMessage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsBody(prefs: PrefsView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveNotifyPrefs>::new();
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let device_note = RwSignal::new(None::<String>);
    let test_sent = RwSignal::new(false);
    let zone = if prefs.time_zone.is_empty() {
        "UTC".to_owned()
    } else {
        prefs.time_zone.clone()
    };
    let check = move |name: &'static str, label: String, on: bool, available: bool| {
        view! {
            <label class="choice">
                <input type="checkbox" name=name checked=on disabled=!available data-testid=format!("pref-{name}") />
                {label}
            </label>
        }
    };
    let key = prefs.vapid_key_bytes.clone();
    let add_device = move |_| {
        let _key = key.clone();
        #[cfg(feature = "hydrate")]
        spawn_local(async move {
            match super::device::subscribe(_key).await {
                Ok((endpoint, p256dh, auth)) => {
                    let label = Some(super::device::label());
                    match super::subscribe_push(endpoint, p256dh, auth, label).await {
                        Ok(_) => version.update(|v| *v += 1),
                        Err(error) => device_note.set(Some(error.to_string())),
                    }
                }
                Err(reason) => device_note.set(Some(reason)),
            }
        });
    };
    let send_test = move |_| {
        spawn_local(async move {
            if send_test_notification().await.is_ok() {
                test_sent.set(true);
            }
        });
    };
    view! {
        <section class="panel">
            <ActionForm action=save attr:class="stack">
                <ActionError action=save />
                {move || saved().then(|| view! { <p role="status" class="notice-bar">{t!(i18n, notify.saved)}</p> })}
                <fieldset class="stack">
                    <legend>{t!(i18n, notify.channels)}</legend>
                    <p class="muted">{t!(i18n, notify.in_app_always)}</p>
                    {check("push", t_string!(i18n, notify.channel_push).to_string(), prefs.push, true)}
                    {check("email", t_string!(i18n, notify.channel_email).to_string(), prefs.email, prefs.email_available)}
                    {(!prefs.email_available).then(|| view! { <p class="muted">{t!(i18n, notify.email_off)}</p> })}
                    {check("sms", t_string!(i18n, notify.channel_sms).to_string(), prefs.sms, prefs.sms_available)}
                    {(!prefs.sms_available).then(|| view! { <p class="muted">{t!(i18n, notify.sms_off)}</p> })}
                </fieldset>
                <label class="field">
                    <span>{t!(i18n, notify.phone)}</span>
                    <input type="tel" name="phone" value=prefs.phone.clone() placeholder="+44 7700 900123" autocomplete="tel" />
                </label>
                <div class="field-row">
                    <label class="field">
                        <span>{t!(i18n, notify.quiet_from)}</span>
                        <input type="time" name="quiet_from" value=prefs.quiet_from.clone() />
                    </label>
                    <label class="field">
                        <span>{t!(i18n, notify.quiet_to)}</span>
                        <input type="time" name="quiet_to" value=prefs.quiet_to.clone() />
                    </label>
                </div>
                {check("show_details", t_string!(i18n, notify.show_details).to_string(), prefs.show_details, true)}
                <p class="muted">{t!(i18n, notify.show_details_hint)}</p>
                <label class="field">
                    <span>{t!(i18n, notify.time_zone)}</span>
                    <input type="text" name="time_zone" value=zone required data-testid="pref-zone" />
                </label>
                <SubmitButton pending=save.pending()>{t!(i18n, notify.save)}</SubmitButton>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="devices-title">
            <h2 id="devices-title">{t!(i18n, notify.devices)}</h2>
            {(prefs.devices.is_empty()).then(|| view! { <p class="muted">{t!(i18n, notify.no_devices)}</p> })}
            <ul class="item-list">
                {prefs.devices.into_iter().map(|d| {
                    let id = d.id;
                    view! {
                        <li class="item">
                            <span>{d.label.clone()}</span>
                            <button type="button" class="button button-quiet" on:click=move |_| {
                                spawn_local(async move {
                                    if unsubscribe_push(id).await.is_ok() {
                                        version.update(|v| *v += 1);
                                    }
                                });
                            }>{t!(i18n, notify.remove_device)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <button type="button" class="button" on:click=add_device>{t!(i18n, notify.add_device)}</button>
            {move || device_note.get().map(|note| view! { <p class="error-message">{note}</p> })}
        </section>
        <section class="panel" aria-labelledby="test-title">
            <h2 id="test-title">{t!(i18n, notify.test_title)}</h2>
            <button type="button" class="button button-quiet" data-testid="send-test" on:click=send_test>{t!(i18n, notify.send_test)}</button>
            {move || test_sent.get().then(|| view! { <p role="status">{t!(i18n, notify.test_sent)}</p> })}
            <ul class="item-list">
                {prefs.recent.into_iter().map(|d| view! {
                    <li class="item"><span>{d.channel.clone()} " · " {d.state.clone()}</span><span class="muted">{when(d.created_ms)}</span></li>
                }).collect_view()}
            </ul>
        </section>
    }
}
