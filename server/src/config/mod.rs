//! Configuration, in layers: built-in defaults → `Leptos.toml` → the `LEPTOS_*`
//! variables that cargo-leptos sets → `HALE_*` environment variables.
//! Secrets (database passwords, storage keys) come only from the environment
//! or from files named by `*_FILE` variables, never from `Leptos.toml`.
//! A bad value stops start-up with a message naming the key and the expected form.

mod blobs;
mod files;
mod keys;
mod notify;
pub mod oidc;

pub use files::FilesConfig;

use hale_app::accounts::sessions::SessionSettings;
use hale_app::blobs::BlobBackend;
use keys::Layers;
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole configuration of a `hale` process.
#[derive(Debug, Clone)]
pub struct Config {
    pub site: SiteConfig,
    pub database_url: Secret,
    /// SQLite's read-only connections beside the writer (`None`: one per
    /// core, at least two; 0: reads go through the writer).
    pub read_connections: Option<u32>,
    pub blobs: BlobBackend,
    pub sessions: SessionSettings,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// The largest health-data import (Apple Health export, CSV) accepted.
    pub import_limit_bytes: u64,
    /// How long a connection may take to send a request's headers, also
    /// while idle between requests.
    pub header_read_timeout: std::time::Duration,
    pub log: LogConfig,
    /// OpenID Connect providers people can sign in with.
    pub oidc: Vec<hale_app::accounts::oidc::OidcProvider>,
    /// Email, SMS and Web Push delivery.
    pub notify: hale_app::notify::settings::NotifySettings,
    /// Images, photos and documents: master keys and limits.
    pub files: FilesConfig,
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
        let mut file_oidc = keys::FileOidc::new();
        if let Some((path, text)) = file {
            file_oidc = keys::layer_file(&mut layers, path, text)?;
        }
        keys::layer_env(&mut layers, env)?;
        let mut config = Config::from_layers(&layers)?;
        let file_path = file.map(|(path, _)| path).unwrap_or(DEFAULT_CONFIG_FILE);
        config.oidc = oidc::providers(&file_oidc, file_path, env)?;
        Ok(config)
    }

    /// A throw-away configuration for tests and benchmarks: a SQLite file, a
    /// blob folder, a master key file and an empty site (with its service
    /// worker template) in `dir`, warnings only in the log, then `settings`
    /// (`HALE_*` variables) over it.
    pub fn for_tests(dir: &Path, settings: &[(&str, &str)]) -> Config {
        let site = dir.join("site");
        std::fs::create_dir_all(site.join("pkg")).expect("the test site folder");
        std::fs::write(
            site.join("sw.js"),
            "const CACHE = \"hale-__HALE_CACHE_VERSION__\";",
        )
        .expect("the test service worker");
        let mut env: HashMap<String, String> = [
            (
                "HALE_DATABASE_URL",
                format!("sqlite://{}/hale.db?mode=rwc", dir.display()),
            ),
            ("HALE_BLOBS_ROOT", dir.join("blobs").display().to_string()),
            ("HALE_SITE_ROOT", site.display().to_string()),
            (
                "HALE_FILES_KEY_PATH",
                dir.join("master.key").display().to_string(),
            ),
            ("HALE_LOG", "warn".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for (key, value) in settings {
            env.insert((*key).to_owned(), (*value).to_owned());
        }
        Config::from_sources(None, &env).expect("the test configuration")
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
            return Err(ConfigError::Invalid {
                key: "database.url".into(),
                origin: layers.origin("database.url"),
                expected: "a sqlite: or postgres:// URL".into(),
                found: redact_url(database_url.expose()),
            });
        }

        let read_connections = layers.parsed(
            "database.read_connections",
            None,
            "a number of connections from 0 to 64",
            |v| v.parse::<u32>().ok().filter(|n| *n <= 64).map(Some),
        )?;
        let blobs = blobs::backend(layers)?;

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

        let body_limit_bytes = layers.bytes(
            "limits.body_bytes",
            2 * 1024 * 1024,
            1024..=1 << 30,
            "a number of bytes from 1024 to 1073741824",
        )?;
        let import_limit_bytes = layers.bytes(
            "limits.import_bytes",
            1u64 << 30,
            1024..=16 << 30,
            "a number of bytes from 1024 to 17179869184",
        )?;

        let header_read_timeout = std::time::Duration::from_secs(layers.parsed(
            "limits.header_read_seconds",
            20,
            "a number of seconds from 1 to 600",
            |v| v.parse::<u64>().ok().filter(|s| (1..=600).contains(s)),
        )?);

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

        let notify = notify::settings(layers, &site)?;
        let files = files::config(layers)?;

        Ok(Config {
            files,
            notify,
            site,
            database_url,
            read_connections,
            blobs,
            sessions,
            body_limit_bytes,
            import_limit_bytes,
            header_read_timeout,
            log,
            oidc: Vec::new(),
        })
    }
}

pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Whether `user:password@` appears in a URL.
pub(crate) fn url_has_password(url: &str) -> bool {
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
        let file = include_str!("../../../Leptos.toml");
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
