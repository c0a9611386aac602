//! The one table of configuration keys, and the raw layers it drives: each
//! key's dotted name in `Leptos.toml`, its environment variable, and whether
//! it is a secret. The file is walked against the table (an unknown key or a
//! secret in the file is refused, naming it), then the environment is laid
//! over it; `from_layers` turns the raw values into typed settings.

use super::ConfigError;
use std::collections::{BTreeMap, HashMap};

/// One setting.
pub struct Key {
    /// The dotted key: `[site] addr` in the file is `site.addr`.
    pub dotted: &'static str,
    pub env: &'static str,
    /// Read only from the environment or the file named by `<env>_FILE`,
    /// never printed.
    pub secret: bool,
    /// May be set in `Leptos.toml`.
    pub in_file: bool,
}

const fn plain(dotted: &'static str, env: &'static str) -> Key {
    Key {
        dotted,
        env,
        secret: false,
        in_file: true,
    }
}

const fn secret(dotted: &'static str, env: &'static str) -> Key {
    Key {
        dotted,
        env,
        secret: true,
        in_file: false,
    }
}

/// Every setting of `hale`. `Leptos.toml` documents each one.
pub const KEYS: &[Key] = &[
    plain("site.addr", "HALE_SITE_ADDR"),
    plain("site.root", "HALE_SITE_ROOT"),
    plain("site.pkg_dir", "HALE_SITE_PKG_DIR"),
    plain("site.output_name", "HALE_SITE_OUTPUT_NAME"),
    plain("site.public_url", "HALE_PUBLIC_URL"),
    // A database URL may sit in the file as long as it holds no password.
    Key {
        in_file: true,
        ..secret("database.url", "HALE_DATABASE_URL")
    },
    plain(
        "database.read_connections",
        "HALE_DATABASE_READ_CONNECTIONS",
    ),
    plain("blobs.backend", "HALE_BLOBS_BACKEND"),
    plain("blobs.root", "HALE_BLOBS_ROOT"),
    plain("blobs.bucket", "HALE_BLOBS_BUCKET"),
    plain("blobs.region", "HALE_BLOBS_REGION"),
    plain("blobs.endpoint", "HALE_BLOBS_ENDPOINT"),
    plain("blobs.container", "HALE_BLOBS_CONTAINER"),
    secret("blobs.access_key_id", "HALE_BLOBS_ACCESS_KEY_ID"),
    secret("blobs.secret_access_key", "HALE_BLOBS_SECRET_ACCESS_KEY"),
    secret("blobs.account_name", "HALE_BLOBS_ACCOUNT_NAME"),
    secret("blobs.account_key", "HALE_BLOBS_ACCOUNT_KEY"),
    plain("sessions.idle_minutes", "HALE_SESSIONS_IDLE_MINUTES"),
    plain("sessions.absolute_hours", "HALE_SESSIONS_ABSOLUTE_HOURS"),
    plain("limits.body_bytes", "HALE_LIMITS_BODY_BYTES"),
    plain("limits.import_bytes", "HALE_LIMITS_IMPORT_BYTES"),
    plain(
        "limits.header_read_seconds",
        "HALE_LIMITS_HEADER_READ_SECONDS",
    ),
    plain("log.format", "HALE_LOG_FORMAT"),
    plain("log.filter", "HALE_LOG"),
    secret("notify.smtp_url", "HALE_NOTIFY_SMTP_URL"),
    plain("notify.email_from", "HALE_NOTIFY_EMAIL_FROM"),
    plain("notify.sms_url", "HALE_NOTIFY_SMS_URL"),
    secret("notify.sms_token", "HALE_NOTIFY_SMS_TOKEN"),
    plain("notify.push_subject", "HALE_NOTIFY_PUSH_SUBJECT"),
    plain("notify.allow_http_push", "HALE_NOTIFY_ALLOW_HTTP_PUSH"),
    secret("files.master_key", "HALE_MASTER_KEY"),
    secret("files.previous_master_keys", "HALE_MASTER_KEY_PREVIOUS"),
    plain("files.max_upload_bytes", "HALE_FILES_MAX_UPLOAD_BYTES"),
    plain("files.quota_bytes", "HALE_FILES_QUOTA_BYTES"),
    plain("files.link_seconds", "HALE_FILES_LINK_SECONDS"),
    plain("files.key_path", "HALE_FILES_KEY_PATH"),
];

/// What cargo-leptos tells the server it builds and runs (never in the file).
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

/// One raw value and where it came from.
#[derive(Debug, Clone)]
pub struct Raw {
    pub value: String,
    pub source: String,
}

/// All raw values by dotted key; later layers replace earlier ones.
#[derive(Debug, Default)]
pub struct Layers(HashMap<&'static str, Raw>);

impl Layers {
    fn set(&mut self, key: &'static str, value: String, source: impl Into<String>) {
        self.0.insert(
            key,
            Raw {
                value,
                source: source.into(),
            },
        );
    }

    pub fn get(&self, key: &str) -> Option<&Raw> {
        self.0.get(key)
    }

    /// Where a key's value came from (empty when it was not set).
    pub fn origin(&self, key: &str) -> String {
        self.get(key).map(|r| r.source.clone()).unwrap_or_default()
    }

    pub fn string(&self, key: &str, default: &str) -> String {
        self.get(key)
            .map(|raw| raw.value.clone())
            .unwrap_or_else(|| default.to_owned())
    }

    /// A value that was set and is not blank, trimmed.
    pub fn optional(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(|raw| raw.value.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The parsed value of a key, its default when unset, or an error that
    /// names the key, its origin and the expected form.
    pub fn parsed<T>(
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

    /// A number of bytes in `range` (underscores allowed: `2_097_152`).
    pub fn bytes<T: std::str::FromStr + PartialOrd>(
        &self,
        key: &str,
        default: T,
        range: std::ops::RangeInclusive<T>,
        expected: &str,
    ) -> Result<T, ConfigError> {
        self.parsed(key, default, expected, |v| {
            v.replace('_', "")
                .parse::<T>()
                .ok()
                .filter(|b| range.contains(b))
        })
    }
}

/// The `[oidc.<id>]` tables of the file, handed to `config::oidc`.
pub type FileOidc = BTreeMap<String, super::oidc::FileOidc>;

/// Adds the file's values to the layers; returns its `[oidc.*]` tables.
pub fn layer_file(layers: &mut Layers, path: &str, text: &str) -> Result<FileOidc, ConfigError> {
    let file_error = |message: String| ConfigError::File {
        path: path.to_owned(),
        message,
    };
    let table: toml::Table = toml::from_str(text)
        .map_err(|err| file_error(err.to_string().trim().replace('\n', " ")))?;
    let mut oidc = FileOidc::new();
    for (section, value) in table {
        if section == "oidc" {
            oidc = value
                .try_into()
                .map_err(|err: toml::de::Error| file_error(format!("[oidc]: {}", err.message())))?;
            continue;
        }
        let toml::Value::Table(entries) = value else {
            return Err(file_error(format!("unknown key `{section}`")));
        };
        for (name, value) in entries {
            let dotted = format!("{section}.{name}");
            let key = KEYS
                .iter()
                .find(|k| k.dotted == dotted)
                .ok_or_else(|| file_error(format!("unknown key `{dotted}`")))?;
            if !key.in_file {
                return Err(ConfigError::Refused {
                    key: dotted,
                    origin: path.to_owned(),
                    message: format!(
                        "it is a secret and never goes in this file: set {} or {}_FILE instead",
                        key.env, key.env
                    ),
                });
            }
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => "(a table or list)".to_owned(),
            };
            if key.secret && super::url_has_password(&text) {
                return Err(ConfigError::Refused {
                    key: dotted,
                    origin: path.to_owned(),
                    message: format!(
                        "it holds a password; secrets never go in this file: set {} or {}_FILE \
                         instead",
                        key.env, key.env
                    ),
                });
            }
            layers.set(key.dotted, text, path);
        }
    }
    Ok(oidc)
}

/// Lays the environment over the layers: cargo-leptos's variables, then
/// every key's `HALE_*` variable (a secret's `<VAR>_FILE` first, then the
/// variable itself).
pub fn layer_env(layers: &mut Layers, env: &HashMap<String, String>) -> Result<(), ConfigError> {
    for (key, var) in LEPTOS_ENV_KEYS {
        if let Some(value) = env.get(*var) {
            layers.set(key, value.clone(), *var);
        }
    }
    for key in KEYS {
        let file_var = format!("{}_FILE", key.env);
        if key.secret
            && let Some(path) = env.get(&file_var)
        {
            layers.set(
                key.dotted,
                read_secret_file(key.dotted, &file_var, path)?,
                file_var,
            );
        }
        if let Some(value) = env.get(key.env) {
            layers.set(key.dotted, value.clone(), key.env);
        }
    }
    Ok(())
}

/// The trimmed contents of the file a `*_FILE` variable names.
pub fn read_secret_file(key: &str, var: &str, path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map(|text| text.trim().to_owned())
        .map_err(|err| ConfigError::Refused {
            key: key.to_owned(),
            origin: var.to_owned(),
            message: format!("cannot read the file it names: {err}"),
        })
}
