//! Configuration, in layers: built-in defaults → `Leptos.toml` → the `LEPTOS_*`
//! variables that cargo-leptos sets → `HALE_*` environment variables.
//! Secrets (database passwords, storage keys) come only from the environment
//! or from files named by `*_FILE` variables, never from `Leptos.toml`.
//! A bad value stops start-up with a message naming the key and the expected form.

use hale_app::accounts::sessions::SessionSettings;
use hale_app::blobs::BlobBackend;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole configuration of a `hale` process.
#[derive(Debug, Clone)]
pub struct Config {
    pub site: SiteConfig,
    pub database_url: Secret,
    pub blobs: BlobBackend,
    pub sessions: SessionSettings,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// The largest health-data import (Apple Health export, CSV) accepted.
    pub import_limit_bytes: u64,
    pub log: LogConfig,
    /// OpenID Connect providers people can sign in with.
    pub oidc: Vec<hale_app::accounts::oidc::OidcProvider>,
    /// Email, SMS and Web Push delivery.
    pub notify: hale_app::notify::settings::NotifySettings,
    /// Images, photos and documents: master keys and limits.
    pub files: FilesConfig,
}

/// The master keys (from the environment or files only) and the limits of files.
#[derive(Debug, Clone)]
pub struct FilesConfig {
    /// The current master key (base64 of 32 bytes); none: the key file below.
    pub master_key: Option<Secret>,
    /// Earlier master keys (comma-separated), still accepted while rotating.
    pub previous_master_keys: Option<Secret>,
    /// Where the key is kept (made at first start) when none is configured.
    pub key_path: PathBuf,
    pub max_upload_bytes: u64,
    pub quota_bytes: u64,
    pub link_seconds: u32,
}

#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub addr: SocketAddr,
    /// Where cargo-leptos put the site (JS, WASM, CSS and `public/`).
    pub root: PathBuf,
    pub pkg_dir: String,
    pub output_name: String,
    /// The address people use; `https://` turns on HSTS and `Secure` cookies.
    pub public_url: Option<String>,
    /// Whether the site's JS/WASM/CSS names carry content hashes (`hash.txt`).
    pub hash_files: bool,
    pub dev: bool,
    pub reload_port: u32,
}

impl SiteConfig {
    /// The origin people reach the site at (for OpenID Connect callbacks).
    pub fn public_origin(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
    }

    pub fn served_over_tls(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    pub format: LogFormat,
    /// An `EnvFilter` directive, e.g. `info` or `hale_server=debug,info`.
    pub filter: String,
}

/// A value that must never be printed: `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A configuration problem, naming the key, where it came from and what is expected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("configuration key `{key}` (from {origin}): expected {expected}, found `{found}`")]
    Invalid {
        key: String,
        origin: String,
        expected: String,
        found: String,
    },
    #[error("configuration file {path}: {message}")]
    File { path: String, message: String },
    #[error("configuration key `{key}` (from {origin}): {message}")]
    Refused {
        key: String,
        origin: String,
        message: String,
    },
}

// ---- the file ------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    site: FileSite,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    blobs: FileBlobs,
    #[serde(default)]
    sessions: FileSessions,
    #[serde(default)]
    limits: FileLimits,
    #[serde(default)]
    log: FileLog,
    #[serde(default)]
    notify: FileNotify,
    #[serde(default)]
    files: FileFiles,
    #[serde(default)]
    oidc: std::collections::BTreeMap<String, crate::config_oidc::FileOidc>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSite {
    addr: Option<String>,
    root: Option<String>,
    pkg_dir: Option<String>,
    output_name: Option<String>,
    public_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBlobs {
    backend: Option<String>,
    root: Option<String>,
    bucket: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    container: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSessions {
    idle_minutes: Option<toml::Value>,
    absolute_hours: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    body_bytes: Option<toml::Value>,
    import_bytes: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileNotify {
    email_from: Option<String>,
    sms_url: Option<String>,
    push_subject: Option<String>,
    allow_http_push: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFiles {
    max_upload_bytes: Option<toml::Value>,
    quota_bytes: Option<toml::Value>,
    link_seconds: Option<toml::Value>,
    key_path: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLog {
    format: Option<String>,
    filter: Option<String>,
}

// ---- layering ------------------------------------------------------------

/// One raw value and where it came from.
#[derive(Debug, Clone)]
struct Raw {
    value: String,
    source: String,
}

/// All raw values by dotted key; later layers replace earlier ones.
#[derive(Debug, Default)]
struct Layers(HashMap<&'static str, Raw>);

impl Layers {
    fn set(&mut self, key: &'static str, value: Option<String>, source: impl Into<String>) {
        if let Some(value) = value {
            self.0.insert(
                key,
                Raw {
                    value,
                    source: source.into(),
                },
            );
        }
    }

    fn get(&self, key: &str) -> Option<&Raw> {
        self.0.get(key)
    }

    fn string(&self, key: &str, default: &str) -> String {
        self.get(key)
            .map(|raw| raw.value.clone())
            .unwrap_or_else(|| default.to_owned())
    }

    fn parsed<T>(
        &self,
        key: &str,
        default: T,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => parse(raw.value.trim()).ok_or_else(|| ConfigError::Invalid {
                key: key.to_owned(),
                origin: raw.source.clone(),
                expected: expected.to_owned(),
                found: raw.value.clone(),
            }),
        }
    }
}

/// (dotted key, environment variable) for every plain setting.
const ENV_KEYS: &[(&str, &str)] = &[
    ("site.addr", "HALE_SITE_ADDR"),
    ("site.root", "HALE_SITE_ROOT"),
    ("site.pkg_dir", "HALE_SITE_PKG_DIR"),
    ("site.output_name", "HALE_SITE_OUTPUT_NAME"),
    ("site.public_url", "HALE_PUBLIC_URL"),
    ("blobs.backend", "HALE_BLOBS_BACKEND"),
    ("blobs.root", "HALE_BLOBS_ROOT"),
    ("blobs.bucket", "HALE_BLOBS_BUCKET"),
    ("blobs.region", "HALE_BLOBS_REGION"),
    ("blobs.endpoint", "HALE_BLOBS_ENDPOINT"),
    ("blobs.container", "HALE_BLOBS_CONTAINER"),
    ("sessions.idle_minutes", "HALE_SESSIONS_IDLE_MINUTES"),
    ("sessions.absolute_hours", "HALE_SESSIONS_ABSOLUTE_HOURS"),
    ("limits.body_bytes", "HALE_LIMITS_BODY_BYTES"),
    ("limits.import_bytes", "HALE_LIMITS_IMPORT_BYTES"),
    ("log.format", "HALE_LOG_FORMAT"),
    ("log.filter", "HALE_LOG"),
    ("notify.email_from", "HALE_NOTIFY_EMAIL_FROM"),
    ("notify.sms_url", "HALE_NOTIFY_SMS_URL"),
    ("notify.push_subject", "HALE_NOTIFY_PUSH_SUBJECT"),
    ("notify.allow_http_push", "HALE_NOTIFY_ALLOW_HTTP_PUSH"),
    ("files.max_upload_bytes", "HALE_FILES_MAX_UPLOAD_BYTES"),
    ("files.quota_bytes", "HALE_FILES_QUOTA_BYTES"),
    ("files.link_seconds", "HALE_FILES_LINK_SECONDS"),
    ("files.key_path", "HALE_FILES_KEY_PATH"),
];

/// (dotted key, environment variable) for secrets; `<VAR>_FILE` names a file instead.
const SECRET_ENV_KEYS: &[(&str, &str)] = &[
    ("database.url", "HALE_DATABASE_URL"),
    ("blobs.access_key_id", "HALE_BLOBS_ACCESS_KEY_ID"),
    ("blobs.secret_access_key", "HALE_BLOBS_SECRET_ACCESS_KEY"),
    ("blobs.account_name", "HALE_BLOBS_ACCOUNT_NAME"),
    ("blobs.account_key", "HALE_BLOBS_ACCOUNT_KEY"),
    ("notify.smtp_url", "HALE_NOTIFY_SMTP_URL"),
    ("notify.sms_token", "HALE_NOTIFY_SMS_TOKEN"),
    ("files.master_key", "HALE_MASTER_KEY"),
    ("files.previous_master_keys", "HALE_MASTER_KEY_PREVIOUS"),
];

/// What cargo-leptos tells the server it builds and runs.
const LEPTOS_ENV_KEYS: &[(&str, &str)] = &[
    ("site.addr", "LEPTOS_SITE_ADDR"),
    ("site.root", "LEPTOS_SITE_ROOT"),
    ("site.pkg_dir", "LEPTOS_SITE_PKG_DIR"),
    ("site.output_name", "LEPTOS_OUTPUT_NAME"),
    ("site.hash_files", "LEPTOS_HASH_FILES"),
    ("site.env", "LEPTOS_ENV"),
    ("site.reload_port", "LEPTOS_RELOAD_PORT"),
    ("site.watch", "LEPTOS_WATCH"),
];

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hale.db?mode=rwc";
pub const DEFAULT_BLOB_ROOT: &str = "data/blobs";
/// Where the master key is made and kept when none is configured (zero configuration).
pub const DEFAULT_KEY_PATH: &str = "data/master.key";
pub const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";

impl Config {
    /// Loads the configuration from `Leptos.toml` (or the file in `HALE_CONFIG`)
    /// and the process environment.
    pub fn load() -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let path = env
            .get("HALE_CONFIG")
            .cloned()
            .unwrap_or_else(|| DEFAULT_CONFIG_FILE.to_owned());
        let explicit = env.contains_key("HALE_CONFIG");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => None,
            Err(err) => {
                return Err(ConfigError::File {
                    path,
                    message: err.to_string(),
                });
            }
        };
        Config::from_sources(text.as_deref().map(|t| (path.as_str(), t)), &env)
    }

    /// Builds the configuration from a file's text (with its path, for messages)
    /// and a set of environment variables.
    pub fn from_sources(
        file: Option<(&str, &str)>,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let mut layers = Layers::default();
        let mut file_oidc = std::collections::BTreeMap::new();
        if let Some((path, text)) = file {
            file_oidc = layer_file(&mut layers, path, text)?;
        }
        for (key, var) in LEPTOS_ENV_KEYS.iter().chain(ENV_KEYS) {
            layers.set(key, env.get(*var).cloned(), *var);
        }
        for (key, var) in SECRET_ENV_KEYS {
            let file_var = format!("{var}_FILE");
            if let Some(file) = env.get(&file_var) {
                let value = std::fs::read_to_string(file).map_err(|err| ConfigError::Refused {
                    key: (*key).to_owned(),
                    origin: file_var.clone(),
                    message: format!("cannot read the file it names: {err}"),
                })?;
                layers.set(key, Some(value.trim().to_owned()), file_var);
            }
            layers.set(key, env.get(*var).cloned(), *var);
        }
        let mut config = Config::from_layers(&layers)?;
        let file_path = file.map(|(path, _)| path).unwrap_or(DEFAULT_CONFIG_FILE);
        config.oidc = crate::config_oidc::providers(&file_oidc, file_path, env)?;
        Ok(config)
    }

    fn from_layers(layers: &Layers) -> Result<Config, ConfigError> {
        let addr = layers.parsed(
            "site.addr",
            SocketAddr::from(([127, 0, 0, 1], 3000)),
            "an address and port such as 127.0.0.1:3000",
            |v| v.parse().ok(),
        )?;
        let public_url =
            layers.parsed("site.public_url", None, "an http:// or https:// URL", |v| {
                (v.starts_with("http://") || v.starts_with("https://"))
                    .then(|| Some(v.trim_end_matches('/').to_owned()))
            })?;
        let hash_files = layers.parsed(
            "site.hash_files",
            hash_file_exists(),
            "true or false",
            parse_bool,
        )?;
        let dev = layers.parsed("site.env", false, "DEV or PROD", |v| {
            match v.to_ascii_uppercase().as_str() {
                "DEV" | "DEVELOPMENT" => Some(true),
                "PROD" | "PRODUCTION" => Some(false),
                _ => None,
            }
        })?;
        // `cargo leptos watch` reloads the page over a websocket: a development server.
        let watch = layers.parsed("site.watch", false, "true or false", parse_bool)?;
        let dev = dev || watch;
        let reload_port = layers.parsed("site.reload_port", 3001, "a port number", |v| {
            v.parse().ok()
        })?;
        let site = SiteConfig {
            addr,
            root: PathBuf::from(layers.string("site.root", "target/site")),
            pkg_dir: layers.string("site.pkg_dir", "pkg"),
            output_name: layers.string("site.output_name", "hale"),
            public_url,
            hash_files,
            dev,
            reload_port,
        };

        let database_url = Secret(layers.string("database.url", DEFAULT_DATABASE_URL));
        let url_ok = ["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|scheme| database_url.expose().starts_with(scheme));
        if !url_ok {
            let raw = layers.get("database.url");
            return Err(ConfigError::Invalid {
                key: "database.url".into(),
                origin: raw.map(|r| r.source.clone()).unwrap_or_default(),
                expected: "a sqlite: or postgres:// URL".into(),
                found: redact_url(database_url.expose()),
            });
        }

        let blobs = blob_backend(layers)?;

        let idle_minutes = layers.parsed(
            "sessions.idle_minutes",
            30,
            "a whole number of minutes from 1 to 1440",
            |v| v.parse::<i64>().ok().filter(|m| (1..=1440).contains(m)),
        )?;
        let absolute_hours = layers.parsed(
            "sessions.absolute_hours",
            12,
            "a whole number of hours from 1 to 720",
            |v| v.parse::<i64>().ok().filter(|h| (1..=720).contains(h)),
        )?;
        let sessions = SessionSettings {
            idle: chrono::Duration::minutes(idle_minutes),
            absolute: chrono::Duration::hours(absolute_hours),
            secure_cookie: site.served_over_tls(),
        };

        let body_limit_bytes = layers.parsed(
            "limits.body_bytes",
            2 * 1024 * 1024,
            "a number of bytes from 1024 to 1073741824",
            |v| {
                v.replace('_', "")
                    .parse::<usize>()
                    .ok()
                    .filter(|b| (1024..=1 << 30).contains(b))
            },
        )?;

        let import_limit_bytes = layers.parsed(
            "limits.import_bytes",
            1u64 << 30,
            "a number of bytes from 1024 to 17179869184",
            |v| {
                v.replace('_', "")
                    .parse::<u64>()
                    .ok()
                    .filter(|b| (1024..=16 << 30).contains(b))
            },
        )?;

        let log = LogConfig {
            format: layers.parsed("log.format", LogFormat::Human, "human or json", |v| match v
                .to_ascii_lowercase()
                .as_str()
            {
                "human" => Some(LogFormat::Human),
                "json" => Some(LogFormat::Json),
                _ => None,
            })?,
            filter: layers.string("log.filter", "info"),
        };

        let notify = notify_settings(layers, &site)?;
        let files = files_config(layers)?;

        Ok(Config {
            files,
            notify,
            site,
            database_url,
            blobs,
            sessions,
            body_limit_bytes,
            import_limit_bytes,
            log,
            oidc: Vec::new(),
        })
    }
}

/// Adds the file's values to the layers; returns its `[oidc.*]` tables.
fn layer_file(
    layers: &mut Layers,
    path: &str,
    text: &str,
) -> Result<std::collections::BTreeMap<String, crate::config_oidc::FileOidc>, ConfigError> {
    let file: FileConfig = toml::from_str(text).map_err(|err| ConfigError::File {
        path: path.to_owned(),
        message: err.to_string().trim().replace('\n', " "),
    })?;
    if let Some(url) = &file.database.url
        && url_has_password(url)
    {
        return Err(ConfigError::Refused {
            key: "database.url".into(),
            origin: path.to_owned(),
            message: "it holds a password; secrets never go in this file: set HALE_DATABASE_URL \
                      or HALE_DATABASE_URL_FILE instead"
                .into(),
        });
    }
    let source = path.to_owned();
    let value_text = |v: Option<toml::Value>| {
        v.map(|v| match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => "(a table or list)".to_owned(),
        })
    };
    layers.set("site.addr", file.site.addr, &source);
    layers.set("site.root", file.site.root, &source);
    layers.set("site.pkg_dir", file.site.pkg_dir, &source);
    layers.set("site.output_name", file.site.output_name, &source);
    layers.set("site.public_url", file.site.public_url, &source);
    layers.set("database.url", file.database.url, &source);
    layers.set("blobs.backend", file.blobs.backend, &source);
    layers.set("blobs.root", file.blobs.root, &source);
    layers.set("blobs.bucket", file.blobs.bucket, &source);
    layers.set("blobs.region", file.blobs.region, &source);
    layers.set("blobs.endpoint", file.blobs.endpoint, &source);
    layers.set("blobs.container", file.blobs.container, &source);
    layers.set(
        "sessions.idle_minutes",
        value_text(file.sessions.idle_minutes),
        &source,
    );
    layers.set(
        "sessions.absolute_hours",
        value_text(file.sessions.absolute_hours),
        &source,
    );
    layers.set(
        "limits.body_bytes",
        value_text(file.limits.body_bytes),
        &source,
    );
    layers.set(
        "limits.import_bytes",
        value_text(file.limits.import_bytes),
        &source,
    );
    layers.set("notify.email_from", file.notify.email_from, &source);
    layers.set("notify.sms_url", file.notify.sms_url, &source);
    layers.set("notify.push_subject", file.notify.push_subject, &source);
    layers.set(
        "notify.allow_http_push",
        value_text(file.notify.allow_http_push),
        &source,
    );
    layers.set(
        "files.max_upload_bytes",
        value_text(file.files.max_upload_bytes),
        &source,
    );
    layers.set(
        "files.quota_bytes",
        value_text(file.files.quota_bytes),
        &source,
    );
    layers.set(
        "files.link_seconds",
        value_text(file.files.link_seconds),
        &source,
    );
    layers.set("files.key_path", file.files.key_path, &source);
    layers.set("log.format", file.log.format, &source);
    layers.set("log.filter", file.log.filter, &source);
    Ok(file.oidc)
}

fn files_config(layers: &Layers) -> Result<FilesConfig, ConfigError> {
    let bytes = |key: &str, default: u64| {
        layers.parsed(
            key,
            default,
            "a number of bytes from 1048576 to 1099511627776",
            |v| {
                v.replace('_', "")
                    .parse::<u64>()
                    .ok()
                    .filter(|b| (1 << 20..=1 << 40).contains(b))
            },
        )
    };
    let secret = |key: &str| {
        layers
            .get(key)
            .map(|raw| raw.value.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(Secret)
    };
    let master_key = secret("files.master_key");
    if let Some(key) = &master_key
        && hale_app::files::crypt::MasterKeys::parse(key.expose()).is_none()
    {
        return Err(ConfigError::Invalid {
            key: "files.master_key".into(),
            origin: layers
                .get("files.master_key")
                .map(|r| r.source.clone())
                .unwrap_or_default(),
            expected: "base64 of 32 random bytes (e.g. `openssl rand -base64 32`)".into(),
            found: "(not shown)".into(),
        });
    }
    Ok(FilesConfig {
        master_key,
        previous_master_keys: secret("files.previous_master_keys"),
        key_path: PathBuf::from(layers.string("files.key_path", DEFAULT_KEY_PATH)),
        max_upload_bytes: bytes("files.max_upload_bytes", 4 << 30)?,
        quota_bytes: bytes("files.quota_bytes", 20 << 30)?,
        link_seconds: layers.parsed("files.link_seconds", 300, "seconds from 30 to 3600", |v| {
            v.parse::<u32>().ok().filter(|s| (30..=3600).contains(s))
        })?,
    })
}

fn notify_settings(
    layers: &Layers,
    site: &SiteConfig,
) -> Result<hale_app::notify::settings::NotifySettings, ConfigError> {
    let optional = |key: &str| {
        layers
            .get(key)
            .map(|raw| raw.value.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let smtp_url = layers.parsed("notify.smtp_url", None, "an smtp:// or smtps:// URL", |v| {
        (v.starts_with("smtp://") || v.starts_with("smtps://")).then(|| Some(v.to_owned()))
    })?;
    let sms_url = layers.parsed("notify.sms_url", None, "an http:// or https:// URL", |v| {
        (v.starts_with("http://") || v.starts_with("https://")).then(|| Some(v.to_owned()))
    })?;
    let host = site
        .public_url
        .as_deref()
        .and_then(|u| u.split("//").nth(1))
        .map(|h| h.split([':', '/']).next().unwrap_or(h).to_owned())
        .filter(|h| h.contains('.'))
        .unwrap_or_else(|| "hale.invalid".into());
    Ok(hale_app::notify::settings::NotifySettings {
        smtp_url,
        email_from: optional("notify.email_from")
            .unwrap_or_else(|| format!("Hale <no-reply@{host}>")),
        sms_url,
        sms_token: optional("notify.sms_token"),
        push_subject: optional("notify.push_subject")
            .unwrap_or_else(|| format!("mailto:admin@{host}")),
        allow_http_push: layers.parsed(
            "notify.allow_http_push",
            false,
            "true or false",
            parse_bool,
        )?,
        public_origin: site.public_origin(),
    })
}

fn blob_backend(layers: &Layers) -> Result<BlobBackend, ConfigError> {
    let backend = layers.parsed("blobs.backend", "fs".to_owned(), "fs, s3 or azblob", |v| {
        ["fs", "s3", "azblob"].contains(&v).then(|| v.to_owned())
    })?;
    let optional = |key: &str| layers.get(key).map(|raw| raw.value.clone());
    let required = |key: &str, expected: &str| {
        optional(key).ok_or_else(|| ConfigError::Invalid {
            key: key.to_owned(),
            origin: "blobs.backend".into(),
            expected: expected.to_owned(),
            found: String::new(),
        })
    };
    Ok(match backend.as_str() {
        "s3" => BlobBackend::S3 {
            bucket: required("blobs.bucket", "a bucket name (HALE_BLOBS_BUCKET)")?,
            region: optional("blobs.region").unwrap_or_else(|| "us-east-1".into()),
            endpoint: optional("blobs.endpoint"),
            access_key_id: optional("blobs.access_key_id"),
            secret_access_key: optional("blobs.secret_access_key"),
        },
        "azblob" => BlobBackend::Azblob {
            container: required("blobs.container", "a container name (HALE_BLOBS_CONTAINER)")?,
            endpoint: required(
                "blobs.endpoint",
                "the blob endpoint URL (HALE_BLOBS_ENDPOINT)",
            )?,
            account_name: optional("blobs.account_name"),
            account_key: optional("blobs.account_key"),
        },
        _ => BlobBackend::Fs {
            root: layers.string("blobs.root", DEFAULT_BLOB_ROOT),
        },
    })
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Whether `user:password@` appears in a URL.
fn url_has_password(url: &str) -> bool {
    url.split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or_default())
        .and_then(|authority| authority.rsplit_once('@'))
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

/// A URL with any password replaced, for error messages.
fn redact_url(url: &str) -> String {
    if url_has_password(url) {
        "(a URL with credentials, not shown)".to_owned()
    } else {
        url.to_owned()
    }
}

/// cargo-leptos writes `hash.txt` beside the server binary when it hashes file names.
fn hash_file_exists() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .is_some_and(|dir| dir.join("hash.txt").exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn zero_configuration_gives_sqlite_a_blob_folder_and_localhost() {
        let config = Config::from_sources(None, &env(&[])).unwrap();
        assert_eq!(config.site.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(
            config.blobs,
            BlobBackend::Fs {
                root: DEFAULT_BLOB_ROOT.into()
            }
        );
        assert!(!config.sessions.secure_cookie);
        assert_eq!(config.log.format, LogFormat::Human);
    }

    #[test]
    fn the_shipped_leptos_toml_is_valid_and_sets_the_limits() {
        let file = include_str!("../../Leptos.toml");
        let config = Config::from_sources(Some(("Leptos.toml", file)), &env(&[])).unwrap();
        assert_eq!(config.body_limit_bytes, 2 * 1024 * 1024);
        assert_eq!(config.import_limit_bytes, 1 << 30);
        let config = Config::from_sources(
            Some(("Leptos.toml", file)),
            &env(&[("HALE_LIMITS_IMPORT_BYTES", "5_000_000")]),
        )
        .unwrap();
        assert_eq!(config.import_limit_bytes, 5_000_000);
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let file = "[site]\naddr = \"127.0.0.1:4000\"\n[sessions]\nidle_minutes = 10\n";
        let config = Config::from_sources(
            Some(("Leptos.toml", file)),
            &env(&[("HALE_SITE_ADDR", "127.0.0.1:5000")]),
        )
        .unwrap();
        assert_eq!(config.site.addr.to_string(), "127.0.0.1:5000");
        assert_eq!(config.sessions.idle, chrono::Duration::minutes(10));
    }

    #[test]
    fn a_typo_in_the_file_names_the_unknown_key() {
        let file = "[sessions]\nidel_minutes = 10\n";
        let err = Config::from_sources(Some(("Leptos.toml", file)), &env(&[])).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("Leptos.toml"), "{message}");
        assert!(message.contains("idel_minutes"), "{message}");
    }

    #[test]
    fn a_bad_value_names_the_key_its_source_and_the_expected_form() {
        let err = Config::from_sources(None, &env(&[("HALE_SESSIONS_IDLE_MINUTES", "soon")]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration key `sessions.idle_minutes` (from HALE_SESSIONS_IDLE_MINUTES): \
             expected a whole number of minutes from 1 to 1440, found `soon`"
        );
        let err = Config::from_sources(None, &env(&[("HALE_SITE_ADDR", "localhost")])).unwrap_err();
        assert!(err.to_string().contains("site.addr"));
    }

    #[test]
    fn a_password_in_the_file_is_refused() {
        let file = "[database]\nurl = \"postgres://hale:s3cret@db/hale\"\n";
        let err = Config::from_sources(Some(("Leptos.toml", file)), &env(&[])).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("database.url"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
        // ... while the same URL from the environment is accepted and never printed.
        let config = Config::from_sources(
            None,
            &env(&[("HALE_DATABASE_URL", "postgres://hale:s3cret@db/hale")]),
        )
        .unwrap();
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn cargo_leptos_watch_makes_a_development_server() {
        let config = Config::from_sources(None, &env(&[("LEPTOS_WATCH", "true")])).unwrap();
        assert!(config.site.dev);
        let config = Config::from_sources(None, &env(&[])).unwrap();
        assert!(!config.site.dev);
    }

    #[test]
    fn an_https_public_url_makes_cookies_secure() {
        let config =
            Config::from_sources(None, &env(&[("HALE_PUBLIC_URL", "https://hale.example")]))
                .unwrap();
        assert!(config.site.served_over_tls());
        assert!(config.sessions.secure_cookie);
    }

    #[test]
    fn cloud_blob_backends_need_their_container() {
        let err =
            Config::from_sources(None, &env(&[("HALE_BLOBS_BACKEND", "azblob")])).unwrap_err();
        assert!(err.to_string().contains("blobs.container"));
        let err = Config::from_sources(None, &env(&[("HALE_BLOBS_BACKEND", "ftp")])).unwrap_err();
        assert!(err.to_string().contains("fs, s3 or azblob"));
    }
}
