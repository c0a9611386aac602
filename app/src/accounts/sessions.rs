//! Server-side sessions: an opaque random token in an HttpOnly cookie, its
//! SHA-256 in the `sessions` table, with an idle and an absolute expiry.

use super::SessionView;
use super::entity::{account, session};
use super::secrets::{new_token, sha256_hex as token_hash};
use crate::identity::{ClientMeta, CurrentUser, Role};
use crate::request::{SignedIn, cookie_value};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    Set,
};

/// How long sessions last and how their cookie is marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute: Duration,
    /// Served over HTTPS: the cookie is `Secure` and `__Host-` prefixed.
    pub secure_cookie: bool,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
            secure_cookie: false,
        }
    }
}

/// Writing `last_seen_at` on every request would turn reads into writes;
/// once a minute is precise enough for a 30-minute idle limit.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

impl SessionSettings {
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookie {
            "__Host-hale_session"
        } else {
            "hale_session"
        }
    }

    /// The `Set-Cookie` value that hands a new session to the browser.
    pub fn cookie(&self, token: &str) -> String {
        self.cookie_with(token, self.absolute.num_seconds())
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn clearing_cookie(&self) -> String {
        self.cookie_with("", 0)
    }

    fn cookie_with(&self, value: &str, max_age: i64) -> String {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            self.cookie_name()
        )
    }

    /// Finds this session cookie's token in a `Cookie` request header.
    pub fn token_from_cookie_header<'a>(&self, header: &'a str) -> Option<&'a str> {
        cookie_value(header, self.cookie_name()).filter(|token| !token.is_empty())
    }
}

fn truncate(value: Option<String>, max: usize) -> Option<String> {
    value.map(|v| v.chars().take(max).collect())
}

/// Starts a session for an account and returns the token for its cookie.
pub async fn start(
    db: &DatabaseConnection,
    settings: &SessionSettings,
    account_id: i64,
    meta: ClientMeta,
    mfa: bool,
) -> Result<String, DbErr> {
    let now = Utc::now();
    // Sessions of this account that have ended are cleared on the way in.
    session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(account_id))
        .filter(
            Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::LastSeenAt.lte(now - settings.idle)),
        )
        .exec(db)
        .await?;
    let token = new_token();
    session::ActiveModel {
        token_hash: Set(token_hash(&token)),
        account_id: Set(account_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + settings.absolute),
        user_agent: Set(truncate(meta.user_agent, 200)),
        ip: Set(truncate(meta.ip, 64)),
        mfa_at: Set(mfa.then_some(now)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Finds the live session of a token, ending it if it has expired.
pub async fn resolve(
    db: &DatabaseConnection,
    settings: &SessionSettings,
    token: &str,
) -> Result<Option<SignedIn>, DbErr> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash(token)))
        .find_also_related(account::Entity)
        .one(db)
        .await?;
    let Some((session, Some(account))) = found else {
        return Ok(None);
    };
    let now = Utc::now();
    if !is_live(&session, settings, now) || account.disabled_at.is_some() {
        session::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_INTERVAL {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, now.into())
            .filter(session::Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    let Some(role) = Role::parse(&account.role) else {
        tracing::error!(account_id = account.id, "account has an unknown role");
        return Ok(None);
    };
    Ok(Some(SignedIn {
        session_id: session.id,
        mfa: session.mfa_at.is_some(),
        client: ClientMeta::default(),
        user: CurrentUser {
            id: account.id,
            display_name: account.display_name,
            email: account.email,
            role,
            locale: account.locale,
        },
    }))
}

fn is_live(session: &session::Model, settings: &SessionSettings, now: DateTime<Utc>) -> bool {
    now < session.expires_at && now - session.last_seen_at < settings.idle
}

/// Ends the session of a token, if there is one.
pub async fn end(db: &DatabaseConnection, token: &str) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(token_hash(token)))
        .exec(db)
        .await?;
    Ok(())
}

/// The account's live sessions, most recently used first.
pub async fn list(
    db: &DatabaseConnection,
    settings: &SessionSettings,
    account_id: i64,
    current: i64,
) -> Result<Vec<SessionView>, DbErr> {
    let now = Utc::now();
    let mut rows = session::Entity::find()
        .filter(session::Column::AccountId.eq(account_id))
        .all(db)
        .await?;
    rows.retain(|s| is_live(s, settings, now));
    rows.sort_by_key(|s| std::cmp::Reverse(s.last_seen_at));
    Ok(rows
        .into_iter()
        .map(|s| SessionView {
            id: s.id,
            device: describe_device(s.user_agent.as_deref().unwrap_or_default()),
            ip: s.ip,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            current: s.id == current,
        })
        .collect())
}

/// A short, recognisable name for a user agent ("Chrome on Android").
pub fn describe_device(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

/// Ends one of the account's sessions.
pub async fn end_one(
    db: &DatabaseConnection,
    account_id: i64,
    session_id: i64,
) -> Result<bool, DbErr> {
    let done = session::Entity::delete_many()
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::AccountId.eq(account_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Ends every session of the account but `keep`.
pub async fn end_others(db: &DatabaseConnection, account_id: i64, keep: i64) -> Result<u64, DbErr> {
    let done = session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(account_id))
        .filter(session::Column::Id.ne(keep))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Marks a session as having passed a second factor (after enrolment).
pub async fn mark_mfa(db: &DatabaseConnection, session_id: i64) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::MfaAt, Some(Utc::now()).into())
        .filter(session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_and_same_site_lax() {
        let settings = SessionSettings::default();
        let cookie = settings.cookie("abc");
        assert!(cookie.starts_with("hale_session=abc;"));
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"));
        let secure = SessionSettings {
            secure_cookie: true,
            ..settings
        };
        assert!(secure.cookie("abc").starts_with("__Host-hale_session=abc;"));
        assert!(secure.cookie("abc").ends_with("; Secure"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let settings = SessionSettings::default();
        let header = "hale_locale=en; hale_session=tok123; other=x";
        assert_eq!(settings.token_from_cookie_header(header), Some("tok123"));
        assert_eq!(settings.token_from_cookie_header("hale_session="), None);
        assert_eq!(settings.token_from_cookie_header("xhale_session=a"), None);
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn idle_and_absolute_expiry_end_a_session() {
        let settings = SessionSettings::default();
        let now = Utc::now();
        let session = session::Model {
            id: 1,
            token_hash: String::new(),
            account_id: 1,
            created_at: now,
            last_seen_at: now,
            expires_at: now + settings.absolute,
            user_agent: None,
            ip: None,
            mfa_at: None,
        };
        assert!(is_live(&session, &settings, now + Duration::minutes(29)));
        assert!(!is_live(&session, &settings, now + Duration::minutes(31)));
        let busy = session::Model {
            last_seen_at: now + Duration::hours(12),
            ..session
        };
        assert!(!is_live(&busy, &settings, now + Duration::hours(12)));
    }
}
