//! The browser's round trip through an OpenID Connect provider:
//! `/auth/oidc/{provider}/start` sends the browser to the provider with a
//! `state` also kept in an HttpOnly cookie; `/auth/oidc/{provider}/callback`
//! checks it, exchanges the code and signs in (or asks for the second factor,
//! or for the password of the account the identity is to be linked to).

use axum::extract::{Path, Query, Request, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hale_app::accounts::oidc::{self, Resolution, STATE_COOKIE};
use hale_app::accounts::pending::{self, Pending};
use hale_app::accounts::signin::{self, Factor};
use hale_app::audit::security_events::{self, kind};
use hale_app::audit::{self, AuditEvent};
use hale_app::error::AppError;
use hale_app::identity::ClientMeta;
use hale_app::request::{client_meta_of, cookie_in};
use hale_app::state::AppState;
use http::HeaderValue;
use http::header::SET_COOKIE;
use serde::Deserialize;

fn state_cookie(value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{STATE_COOKIE}={value}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    )
}

pub async fn start(State(state): State<AppState>, Path(provider): Path<String>) -> Response {
    match state.oidc.begin(&state.db, &provider).await {
        Ok((url, csrf)) => {
            let mut response = Redirect::to(&url).into_response();
            append_cookie(
                &mut response,
                &state_cookie(&csrf, 600, state.sessions.secure_cookie),
            );
            response
        }
        Err(err) => refusal(err),
    }
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(query): Query<Callback>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let client = client_meta_of(&parts.headers, &parts.extensions);
    let bound_state = cookie_in(&parts.headers, STATE_COOKIE);
    let old_session = cookie_in(&parts.headers, state.sessions.cookie_name());
    let secure = state.sessions.secure_cookie;
    let (Some(code), Some(csrf)) = (query.code, query.state) else {
        let reason = if query.error.is_some() {
            "provider_error"
        } else {
            "missing_code"
        };
        audit_callback(&state, &client, None, reason).await;
        return refusal(AppError::ProviderFailed);
    };
    let identity = match state
        .oidc
        .finish(&state.db, &provider, &csrf, &code, bound_state.as_deref())
        .await
    {
        Ok(identity) => identity,
        Err((err, reason)) => {
            audit_callback(&state, &client, None, reason).await;
            if reason != "database" {
                let _ = security_events::raise(
                    &state.db,
                    kind::FORGED_SIGN_IN,
                    None,
                    None,
                    &format!("provider sign-in refused: {reason}"),
                )
                .await;
            }
            return refusal(err);
        }
    };
    let result = match oidc::resolve_identity(&state.db, &identity).await {
        Ok(Resolution::Account(account)) => {
            audit_callback(&state, &client, Some(account.id), "allowed").await;
            signin::finish(
                &state,
                &account,
                Factor::First,
                client,
                old_session.as_deref(),
            )
            .await
            .map(|finished| (finished.go_to, finished.cookies))
        }
        Ok(Resolution::LinkNeeded) => {
            audit_callback(&state, &client, None, "link_needed").await;
            pending::create(
                &state.db,
                Pending::Link {
                    provider: identity.provider.clone(),
                    subject: identity.subject.clone(),
                },
            )
            .await
            .map(|token| {
                (
                    "/sign-in?link=1",
                    vec![pending::cookie(Some(&token), secure)],
                )
            })
        }
        Err(err) => {
            audit_callback(&state, &client, None, "no_email").await;
            return refusal(err);
        }
    };
    match result {
        Ok((to, cookies)) => {
            let mut response = Redirect::to(to).into_response();
            for cookie in &cookies {
                append_cookie(&mut response, cookie);
            }
            append_cookie(&mut response, &state_cookie("", 0, secure));
            response
        }
        Err(err) => refusal(err.into()),
    }
}

async fn audit_callback(
    state: &AppState,
    client: &ClientMeta,
    account: Option<i64>,
    outcome: &str,
) {
    let written = audit::record(
        &state.db,
        AuditEvent {
            actor_id: account,
            patient_id: None,
            category: "sign_in",
            record_id: None,
            action: "oidc_callback",
            outcome,
            client,
        },
    )
    .await;
    if let Err(err) = written {
        tracing::error!(error = %err, "cannot write the audit log");
    }
}

fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// A plain page that says sign-in did not succeed, with the right status.
fn refusal(err: AppError) -> Response {
    let status =
        http::StatusCode::from_u16(err.status_code()).unwrap_or(http::StatusCode::BAD_REQUEST);
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Hale</title></head><body>\
         <main style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem\">\
         <h1>Hale</h1><p role=\"alert\" class=\"error-message\">{err}</p>\
         <p><a href=\"/sign-in\">Back to sign-in · 返回登入</a></p></main></body></html>"
    );
    (status, Html(page)).into_response()
}
