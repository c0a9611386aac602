//! The OpenID Connect providers in the configuration: `[oidc.<id>]` tables in
//! the file (name, issuer, client_id) and `HALE_OIDC_PROVIDERS=<id>,<id>` with
//! `HALE_OIDC_<ID>_NAME|ISSUER|CLIENT_ID` in the environment. The client
//! secret comes only from `HALE_OIDC_<ID>_CLIENT_SECRET` or `..._FILE`.

use crate::config::ConfigError;
use hale_app::accounts::oidc::OidcProvider;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileOidc {
    name: Option<String>,
    issuer: Option<String>,
    client_id: Option<String>,
}

fn env_name(id: &str, field: &str) -> String {
    format!(
        "HALE_OIDC_{}_{field}",
        id.to_ascii_uppercase().replace('-', "_")
    )
}

fn invalid(key: String, origin: &str, expected: &str, found: &str) -> ConfigError {
    ConfigError::Invalid {
        key,
        origin: origin.to_owned(),
        expected: expected.to_owned(),
        found: found.to_owned(),
    }
}

/// Plain HTTP is accepted only for a provider on this machine (tests, development).
fn issuer_ok(issuer: &str) -> bool {
    issuer.starts_with("https://")
        || ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| issuer.starts_with(p))
}

pub fn providers(
    file: &BTreeMap<String, FileOidc>,
    file_path: &str,
    env: &HashMap<String, String>,
) -> Result<Vec<OidcProvider>, ConfigError> {
    let mut ids: Vec<String> = file.keys().cloned().collect();
    if let Some(list) = env.get("HALE_OIDC_PROVIDERS") {
        ids.extend(
            list.split(',')
                .map(|id| id.trim().to_owned())
                .filter(|id| !id.is_empty()),
        );
    }
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let key = |field: &str| format!("oidc.{id}.{field}");
        let valid_id = (1..=32).contains(&id.len())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_id {
            return Err(invalid(
                format!("oidc.{id}"),
                "HALE_OIDC_PROVIDERS",
                "a provider id of 1 to 32 lower-case letters, digits or dashes",
                &id,
            ));
        }
        let from_file = file.get(&id);
        // (value, where it came from): the environment wins over the file.
        let pick = |field: &str, file_value: Option<&String>| {
            let var = env_name(&id, field);
            env.get(&var)
                .map(|v| (v.clone(), var))
                .or_else(|| file_value.map(|v| (v.clone(), file_path.to_owned())))
        };
        let (issuer, issuer_origin) = pick("ISSUER", from_file.and_then(|f| f.issuer.as_ref()))
            .ok_or_else(|| {
                invalid(
                    key("issuer"),
                    &env_name(&id, "ISSUER"),
                    "the issuer URL",
                    "",
                )
            })?;
        let issuer = issuer.trim().trim_end_matches('/').to_owned();
        if !issuer_ok(&issuer) {
            return Err(invalid(
                key("issuer"),
                &issuer_origin,
                "an https:// issuer URL (http:// only on this machine)",
                &issuer,
            ));
        }
        let (client_id, _) = pick("CLIENT_ID", from_file.and_then(|f| f.client_id.as_ref()))
            .ok_or_else(|| {
                invalid(
                    key("client_id"),
                    &env_name(&id, "CLIENT_ID"),
                    "the client id",
                    "",
                )
            })?;
        let name = pick("NAME", from_file.and_then(|f| f.name.as_ref()))
            .map(|(n, _)| n)
            .unwrap_or_else(|| id.clone());
        let secret_var = env_name(&id, "CLIENT_SECRET");
        let file_var = format!("{secret_var}_FILE");
        let client_secret = match env.get(&file_var) {
            Some(path) => Some(super::keys::read_secret_file(
                &key("client_secret"),
                &file_var,
                path,
            )?),
            None => env.get(&secret_var).cloned(),
        };
        out.push(OidcProvider {
            id,
            name,
            issuer,
            client_id,
            client_secret,
        });
    }
    Ok(out)
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
    fn providers_come_from_the_environment_with_their_secret() {
        let found = providers(
            &BTreeMap::new(),
            "Leptos.toml",
            &env(&[
                ("HALE_OIDC_PROVIDERS", "clinic-id"),
                ("HALE_OIDC_CLINIC_ID_ISSUER", "https://id.clinic.example/"),
                ("HALE_OIDC_CLINIC_ID_CLIENT_ID", "hale"),
                ("HALE_OIDC_CLINIC_ID_CLIENT_SECRET", "s3cret"),
                ("HALE_OIDC_CLINIC_ID_NAME", "Clinic ID"),
            ]),
        )
        .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].issuer, "https://id.clinic.example");
        assert_eq!(found[0].name, "Clinic ID");
        assert_eq!(found[0].client_secret.as_deref(), Some("s3cret"));
        assert!(!format!("{found:?}").contains("s3cret"));
    }

    #[test]
    fn plain_http_is_refused_for_a_remote_issuer() {
        let err = providers(
            &BTreeMap::new(),
            "Leptos.toml",
            &env(&[
                ("HALE_OIDC_PROVIDERS", "x"),
                ("HALE_OIDC_X_ISSUER", "http://id.example"),
                ("HALE_OIDC_X_CLIENT_ID", "hale"),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("oidc.x.issuer"), "{err}");
    }

    #[test]
    fn a_provider_without_a_client_id_is_named() {
        let err = providers(
            &BTreeMap::new(),
            "Leptos.toml",
            &env(&[
                ("HALE_OIDC_PROVIDERS", "x"),
                ("HALE_OIDC_X_ISSUER", "https://id.example"),
            ]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("oidc.x.client_id"), "{err}");
    }
}
