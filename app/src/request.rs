//! The request context [ssr]: what a server function or an HTTP door knows
//! of the request it serves — who is signed in (put in the request's
//! extensions by the session middleware), the [`Actor`] the access check
//! sees, whose data is asked for, where the request came from, and its
//! cookies. Every area's `api.rs` and every door in the server crate start
//! here; nothing here imports an area.

use crate::error::AppError;
use crate::identity::{Actor, ClientMeta, CurrentUser, Role};
use crate::state::AppState;
use http::header::{COOKIE, SET_COOKIE, USER_AGENT};
use http::request::Parts;
use http::{Extensions, HeaderMap};
use leptos::prelude::*;

/// The signed-in user of a request, put in the request's extensions by the
/// session middleware.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: CurrentUser,
    pub session_id: i64,
    /// The session passed a second factor.
    pub mfa: bool,
    pub client: ClientMeta,
}

impl SignedIn {
    /// The signed-in user as the access check sees them.
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: self.user.id,
            role: self.user.role,
            mfa: self.mfa,
            scopes: None,
            client: self.client.clone(),
        }
    }
}

/// The signed-in user of the server function's request, or `None`.
pub fn signed_in() -> Option<SignedIn> {
    use_context::<Parts>()?
        .extensions
        .get::<SignedIn>()
        .cloned()
}

/// The signed-in user, or `NotSignedIn` (401).
pub fn require_signed_in() -> Result<SignedIn, AppError> {
    signed_in().ok_or_else(|| AppError::NotSignedIn.respond())
}

/// The state and the signed-in user of a server function (401 when no one
/// is signed in).
pub fn signed_in_state() -> Result<(AppState, SignedIn), AppError> {
    let state = crate::state::app_state()?;
    Ok((state, require_signed_in()?))
}

/// The state and the signed-in actor of a server function (401 when no one
/// is signed in).
pub fn signed_in_actor() -> Result<(AppState, Actor), AppError> {
    let state = crate::state::app_state()?;
    Ok((state, require_signed_in()?.actor()))
}

/// As [`signed_in_actor`], with the patient the request is about (see
/// [`patient_of`]).
pub fn patient_context(patient_id: Option<i64>) -> Result<(AppState, Actor, i64), AppError> {
    let (state, actor) = signed_in_actor()?;
    let patient_id = patient_of(&actor, patient_id).map_err(AppError::respond)?;
    Ok((state, actor, patient_id))
}

/// The patient a request is about: the one it names, or else the asking
/// patient themself. Staff must name a patient. Whether the actor may see
/// that patient's data is the gate's decision, not this one's.
pub fn patient_of(actor: &Actor, patient_id: Option<i64>) -> Result<i64, AppError> {
    match patient_id {
        Some(id) => Ok(id),
        None if actor.role == Role::Patient => Ok(actor.account_id),
        None => Err(AppError::WrongRole),
    }
}

/// Where the server function's request came from, for sessions and the audit log.
pub fn client_meta() -> ClientMeta {
    match use_context::<Parts>() {
        Some(parts) => client_meta_of(&parts.headers, &parts.extensions),
        None => ClientMeta::default(),
    }
}

/// Where a request came from, from its headers and extensions.
pub fn client_meta_of(headers: &HeaderMap, extensions: &Extensions) -> ClientMeta {
    ClientMeta {
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        ip: extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string()),
    }
}

/// The value of one cookie in a `Cookie` request header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

/// The value of a cookie in a request's headers; an empty value is none.
pub fn cookie_in(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|header| cookie_value(header, name))
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// The value of a cookie of the server function's request.
pub fn cookie(name: &str) -> Option<String> {
    cookie_in(&use_context::<Parts>()?.headers, name)
}

/// The browser's session token, if it sent one.
pub fn session_token(state: &AppState) -> Option<String> {
    cookie(state.sessions.cookie_name())
}

/// Adds a `Set-Cookie` header to the server function's response.
pub fn set_cookie(value: &str) {
    if let (Some(options), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        options.append_header(SET_COOKIE, value);
    }
}
