//! This browser's Web Push subscription: asks for permission, subscribes
//! through the service worker with the server's VAPID key, and answers the
//! subscription's endpoint and keys for the server.

use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::JsFuture;

fn text(value: &wasm_bindgen::JsValue, path: &[&str]) -> Option<String> {
    let mut current = value.clone();
    for key in path {
        current = js_sys::Reflect::get(&current, &(*key).into()).ok()?;
    }
    current.as_string()
}

/// (endpoint, p256dh, auth) of a new subscription, or a reason it failed.
pub async fn subscribe(vapid_key: Vec<u8>) -> Result<(String, String, String), String> {
    let window = web_sys::window().ok_or("no window")?;
    let permission = web_sys::Notification::request_permission()
        .map_err(|_| "notifications are not available in this browser")?;
    let answer = JsFuture::from(permission)
        .await
        .map_err(|_| "permission was not given")?;
    if answer.as_string().as_deref() != Some("granted") {
        return Err("permission was not given".into());
    }
    let ready = window
        .navigator()
        .service_worker()
        .ready()
        .map_err(|_| "no service worker")?;
    let registration: web_sys::ServiceWorkerRegistration = JsFuture::from(ready)
        .await
        .map_err(|_| "no service worker")?
        .unchecked_into();
    let manager = registration
        .push_manager()
        .map_err(|_| "push is not available")?;
    let options = web_sys::PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    let key = js_sys::Uint8Array::from(vapid_key.as_slice());
    options.set_application_server_key(&key);
    let promise = manager
        .subscribe_with_options(&options)
        .map_err(|_| "push is not available")?;
    let subscription = JsFuture::from(promise)
        .await
        .map_err(|_| "the browser refused the subscription")?;
    let json = js_sys::JSON::stringify(&subscription)
        .ok()
        .and_then(|s| js_sys::JSON::parse(&String::from(s)).ok())
        .ok_or("the subscription cannot be read")?;
    Ok((
        text(&json, &["endpoint"]).ok_or("no endpoint")?,
        text(&json, &["keys", "p256dh"]).ok_or("no key")?,
        text(&json, &["keys", "auth"]).ok_or("no secret")?,
    ))
}

/// A short name for this device ("Chrome on Android").
pub fn label() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .map(|ua| {
            let browser = ["Edg", "Firefox", "Chrome", "Safari"]
                .into_iter()
                .find(|b| ua.contains(b))
                .unwrap_or("Browser");
            let system = ["Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux"]
                .into_iter()
                .find(|s| ua.contains(s))
                .unwrap_or("");
            format!("{browser} {system}").trim().to_owned()
        })
        .unwrap_or_else(|| "Browser".into())
}
