//! What a finished sign-in step does, whichever door it came by: the
//! password form, the code step, a provider's callback, a new account or a
//! staff member joining. Each door checks its own factor, then calls
//! [`finish`] and hands the browser the cookies and the address it answers.

use super::entity::account;
use super::pending::{self, Pending};
use super::sessions;
use crate::identity::ClientMeta;
use crate::state::AppState;
use sea_orm::DbErr;

/// Which factor the door has just checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// A password, a provider identity or a new account.
    First,
    /// A code from the authenticator app or a recovery code.
    Second,
}

/// What the door sends back: the cookies to set and where the browser goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub cookies: Vec<String>,
    pub go_to: &'static str,
    /// A session was started (otherwise the code step is next).
    pub signed_in: bool,
}

/// Finishes a sign-in step for `account`. With two-step verification on, a
/// first factor leads to the code step (a pending sign-in named by an
/// HttpOnly cookie); otherwise a fresh session starts — the browser's old
/// one ends, so the session id rotates at every sign-in — and the account's
/// language is restored.
pub async fn finish(
    state: &AppState,
    account: &account::Model,
    factor: Factor,
    client: ClientMeta,
    old_session: Option<&str>,
) -> Result<Finished, DbErr> {
    let secure = state.sessions.secure_cookie;
    if factor == Factor::First && account.mfa_enabled_at.is_some() {
        let token = pending::create(
            &state.db,
            Pending::Mfa {
                account_id: account.id,
            },
        )
        .await?;
        return Ok(Finished {
            cookies: vec![pending::cookie(Some(&token), secure)],
            go_to: "/sign-in/verify",
            signed_in: false,
        });
    }
    if let Some(old) = old_session {
        sessions::end(&state.db, old).await?;
    }
    let token = sessions::start(
        &state.db,
        &state.sessions,
        account.id,
        client,
        factor == Factor::Second,
    )
    .await?;
    let mut cookies = vec![state.sessions.cookie(&token)];
    if factor == Factor::Second {
        cookies.push(pending::cookie(None, secure));
    }
    if let Some(tag) = account.locale.as_deref() {
        cookies.push(format!(
            "{}={tag}; Path=/; SameSite=Lax; Max-Age=31536000",
            crate::i18n::LOCALE_COOKIE
        ));
    }
    Ok(Finished {
        cookies,
        go_to: "/",
        signed_in: true,
    })
}
