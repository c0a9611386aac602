//! Sign-in with OpenID Connect providers: discovery, the authorization code
//! flow with PKCE (S256), `state` bound to the browser by a cookie, `nonce`,
//! and full ID-token validation (signature against the provider's JWKS with
//! asymmetric algorithms only, `iss`, `aud`, `exp`, `nonce`).
//!
//! A first sign-in creates a patient account; an identity whose email belongs
//! to an existing account is linked only after that account's password is
//! given once (see `pending`).

use super::ProviderLink;
use super::entity::{account, external_identity, oidc_login};
use super::secrets::sha256_hex;
use super::service::insert_account;
use super::validate::{normalize_email, normalize_name};
use crate::error::AppError;
use crate::identity::Role;
use chrono::{Duration, Utc};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse as _,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Instant;

/// The cookie that binds a sign-in's `state` to the browser that started it.
pub const STATE_COOKIE: &str = "hale_oidc_state";
/// How long a started sign-in may take.
const LOGIN_MINUTES: i64 = 10;
/// How long provider metadata and keys are reused before discovery runs again.
const DISCOVERY_TTL_SECONDS: u64 = 600;

/// One configured provider.
#[derive(Clone, PartialEq, Eq)]
pub struct OidcProvider {
    /// Short name used in addresses (`/auth/oidc/<id>/start`).
    pub id: String,
    /// What the sign-in button says.
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcProvider")
            .field("id", &self.id)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .finish()
    }
}

/// Who the provider says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub provider: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(transparent)]
    Request(#[from] reqwest::Error),
    #[error(transparent)]
    Response(#[from] http::Error),
}

/// The providers, the address callbacks come back to, and cached discovery.
#[derive(Debug)]
pub struct Oidc {
    providers: Vec<OidcProvider>,
    public_url: String,
    http: reqwest::Client,
    discovered: Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>,
}

impl Oidc {
    pub fn new(providers: Vec<OidcProvider>, public_url: &str) -> Oidc {
        let http = reqwest::Client::builder()
            // Following redirects from a provider's endpoints would let it
            // send our requests anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Oidc {
            providers,
            public_url: public_url.trim_end_matches('/').to_owned(),
            http,
            discovered: Mutex::new(HashMap::new()),
        }
    }

    pub fn links(&self) -> Vec<ProviderLink> {
        self.providers
            .iter()
            .map(|p| ProviderLink {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect()
    }

    /// The origins a sign-in form may lead to: each issuer's, and each
    /// discovered authorization endpoint's (for the page's `form-action`).
    pub fn form_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self
            .providers
            .iter()
            .filter_map(|p| url::Url::parse(&p.issuer).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect();
        if let Ok(discovered) = self.discovered.lock() {
            origins.extend(discovered.values().map(|(_, metadata)| {
                metadata
                    .authorization_endpoint()
                    .url()
                    .origin()
                    .ascii_serialization()
            }));
        }
        origins.sort();
        origins.dedup();
        origins
    }

    fn provider(&self, id: &str) -> Result<&OidcProvider, AppError> {
        self.providers
            .iter()
            .find(|p| p.id == id)
            .ok_or(AppError::ProviderUnknown)
    }

    pub fn redirect_uri(&self, provider_id: &str) -> String {
        format!("{}/auth/oidc/{provider_id}/callback", self.public_url)
    }

    async fn send(
        http: reqwest::Client,
        request: openidconnect::HttpRequest,
    ) -> Result<openidconnect::HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let response = http
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await?;
        let mut answer = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        Ok(answer.body(response.bytes().await?.to_vec())?)
    }

    async fn metadata(&self, provider: &OidcProvider) -> Result<CoreProviderMetadata, AppError> {
        if let Some((at, metadata)) = self
            .discovered
            .lock()
            .map_err(|_| AppError::Internal)?
            .get(&provider.id)
            && at.elapsed().as_secs() < DISCOVERY_TTL_SECONDS
        {
            return Ok(metadata.clone());
        }
        let issuer =
            IssuerUrl::new(provider.issuer.clone()).map_err(|_| AppError::ProviderUnknown)?;
        let http = |request| Self::send(self.http.clone(), request);
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|err| {
                tracing::warn!(provider = %provider.id, error = %err, "provider discovery failed");
                AppError::ProviderFailed
            })?;
        self.discovered
            .lock()
            .map_err(|_| AppError::Internal)?
            .insert(provider.id.clone(), (Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    async fn client(&self, provider: &OidcProvider) -> Result<Client, AppError> {
        let metadata = self.metadata(provider).await?;
        let redirect =
            RedirectUrl::new(self.redirect_uri(&provider.id)).map_err(|_| AppError::Internal)?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            provider.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a sign-in: returns the provider's authorization address and the
    /// `state` for the browser-binding cookie.
    pub async fn begin(
        &self,
        db: &DatabaseConnection,
        provider_id: &str,
    ) -> Result<(String, String), AppError> {
        let provider = self.provider(provider_id)?;
        let client = self.client(provider).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let now = Utc::now();
        oidc_login::Entity::delete_many()
            .filter(oidc_login::Column::CreatedAt.lte(now - Duration::minutes(LOGIN_MINUTES)))
            .exec(db)
            .await?;
        oidc_login::ActiveModel {
            state_hash: Set(sha256_hex(state.secret())),
            provider: Set(provider.id.clone()),
            nonce: Set(nonce.secret().clone()),
            pkce_verifier: Set(verifier.secret().clone()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok((url.to_string(), state.secret().clone()))
    }

    /// Completes a sign-in from the callback's `state` and `code`. The stored
    /// login is used up whatever the outcome, so a callback cannot be replayed.
    /// Errors carry a reason for the audit log.
    pub async fn finish(
        &self,
        db: &DatabaseConnection,
        provider_id: &str,
        state: &str,
        code: &str,
        cookie_state: Option<&str>,
    ) -> Result<Identity, (AppError, &'static str)> {
        let failed = |reason| (AppError::ProviderFailed, reason);
        let provider = self
            .provider(provider_id)
            .map_err(|err| (err, "unknown_provider"))?;
        if cookie_state != Some(state) {
            return Err(failed("state_not_bound"));
        }
        let login = oidc_login::Entity::find()
            .filter(oidc_login::Column::StateHash.eq(sha256_hex(state)))
            .filter(oidc_login::Column::Provider.eq(&provider.id))
            .one(db)
            .await
            .map_err(|err| (err.into(), "database"))?
            .ok_or(failed("unknown_state"))?;
        oidc_login::Entity::delete_by_id(login.id)
            .exec(db)
            .await
            .map_err(|err| (err.into(), "database"))?;
        if Utc::now() - login.created_at > Duration::minutes(LOGIN_MINUTES) {
            return Err(failed("login_expired"));
        }
        let client = self
            .client(provider)
            .await
            .map_err(|err| (err, "discovery"))?;
        let http = |request| Self::send(self.http.clone(), request);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| failed("no_token_endpoint"))?
            .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier))
            .request_async(&http)
            .await
            .map_err(|err| {
                tracing::info!(provider = %provider.id, error = %err, "code exchange refused");
                failed("code_refused")
            })?;
        let id_token = tokens.id_token().ok_or(failed("no_id_token"))?;
        let verifier = client.id_token_verifier().set_allowed_algs([
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPssSha256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        ]);
        let claims = id_token
            .claims(&verifier, &Nonce::new(login.nonce))
            .map_err(|err| {
                tracing::info!(provider = %provider.id, error = %err, "ID token refused");
                failed("id_token_invalid")
            })?;
        let mut identity = Identity {
            provider: provider.id.clone(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
        };
        // In the code flow many providers keep email and name for the UserInfo
        // endpoint; its answer must be about the same subject.
        if identity.email.is_none()
            && let Ok(request) = client.user_info(
                tokens.access_token().clone(),
                Some(claims.subject().clone()),
            )
        {
            let info: openidconnect::core::CoreUserInfoClaims =
                request.request_async(&http).await.map_err(|err| {
                    tracing::info!(provider = %provider.id, error = %err, "UserInfo refused");
                    failed("userinfo_invalid")
                })?;
            identity.email = info.email().map(|e| e.as_str().to_owned());
            identity.email_verified = info.email_verified().unwrap_or(false);
            identity.name = identity.name.or_else(|| {
                info.name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_owned())
            });
        }
        Ok(identity)
    }
}

/// Where a provider sign-in leads.
#[derive(Debug)]
pub enum Resolution {
    /// Sign this account in.
    Account(Box<account::Model>),
    /// An account with this email exists: its password must be given once
    /// before the identity is linked.
    LinkNeeded,
}

/// Finds or creates the account of a provider identity.
pub async fn resolve_identity(
    db: &DatabaseConnection,
    identity: &Identity,
) -> Result<Resolution, AppError> {
    let linked = external_identity::Entity::find()
        .filter(external_identity::Column::Provider.eq(&identity.provider))
        .filter(external_identity::Column::Subject.eq(&identity.subject))
        .one(db)
        .await?;
    if let Some(link) = linked {
        let account = account::Entity::find_by_id(link.account_id)
            .one(db)
            .await?
            .filter(|a| a.disabled_at.is_none())
            .ok_or(AppError::ProviderFailed)?;
        return Ok(Resolution::Account(Box::new(account)));
    }
    let email = match (&identity.email, identity.email_verified) {
        (Some(email), true) => normalize_email(email).map_err(|_| AppError::ProviderNoEmail)?,
        _ => return Err(AppError::ProviderNoEmail),
    };
    if super::service::find_by_email(db, &email).await?.is_some() {
        return Ok(Resolution::LinkNeeded);
    }
    let name = identity
        .name
        .as_deref()
        .and_then(|n| normalize_name(n).ok())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("Hale").to_owned());
    let account = insert_account(db, email, name, None, Role::Patient).await?;
    link(db, account.id, &identity.provider, &identity.subject).await?;
    Ok(Resolution::Account(Box::new(account)))
}

/// Links a provider identity to an account.
pub async fn link(
    db: &DatabaseConnection,
    account_id: i64,
    provider: &str,
    subject: &str,
) -> Result<(), AppError> {
    external_identity::ActiveModel {
        account_id: Set(account_id),
        provider: Set(provider.to_owned()),
        subject: Set(subject.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    tracing::info!(account_id, provider, "provider identity linked");
    Ok(())
}

/// The providers an account can sign in with.
pub async fn linked_providers(
    db: &DatabaseConnection,
    account_id: i64,
) -> Result<Vec<String>, AppError> {
    Ok(external_identity::Entity::find()
        .filter(external_identity::Column::AccountId.eq(account_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.provider)
        .collect())
}
