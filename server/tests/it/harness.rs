//! `TestApp`: starts the real Hale server in this process on 127.0.0.1:0 with
//! its own SQLite file and blob folder, and a client that keeps cookies.

use hale_server::config::Config;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::{Client, Response, StatusCode};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tempfile::TempDir;

pub struct TestApp {
    pub addr: SocketAddr,
    pub dir: TempDir,
    pub config: Config,
    server: tokio::task::JoinHandle<()>,
}

/// An account to sign up with.
pub struct Person {
    pub name: String,
    pub email: String,
    pub password: String,
}

impl Person {
    pub fn new(tag: &str) -> Self {
        Person {
            name: format!("Test {tag}"),
            email: format!("{tag}@hale.example"),
            password: "a long enough password".into(),
        }
    }
}

impl TestApp {
    pub async fn start() -> TestApp {
        Self::start_with(&[]).await
    }

    /// Starts with extra `HALE_*` settings.
    pub async fn start_with(settings: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let site_root = dir.path().join("site");
        std::fs::create_dir_all(site_root.join("pkg")).expect("site dir");
        std::fs::write(
            site_root.join("sw.js"),
            "const CACHE = \"hale-__HALE_CACHE_VERSION__\";",
        )
        .expect("sw.js");
        let mut env: HashMap<String, String> = [
            (
                "HALE_DATABASE_URL".to_owned(),
                format!("sqlite://{}/hale.db?mode=rwc", dir.path().display()),
            ),
            (
                "HALE_BLOBS_ROOT".to_owned(),
                dir.path().join("blobs").display().to_string(),
            ),
            ("HALE_SITE_ROOT".to_owned(), site_root.display().to_string()),
            ("HALE_LOG".to_owned(), "warn".to_owned()),
        ]
        .into_iter()
        .collect();
        for (key, value) in settings {
            env.insert((*key).to_owned(), (*value).to_owned());
        }
        let config = Config::from_sources(None, &env).expect("test configuration");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let server_config = config.clone();
        let server = tokio::spawn(async move {
            hale_server::serve(server_config, listener)
                .await
                .expect("server runs");
        });
        let app = TestApp {
            addr,
            dir,
            config,
            server,
        };
        app.wait_until_ready().await;
        app
    }

    async fn wait_until_ready(&self) {
        let client = Client::new();
        for _ in 0..200 {
            if let Ok(response) = client.get(self.url("/readyz")).send().await
                && response.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the test server did not become ready");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A browser-like client with its own cookie jar that does not follow redirects.
    pub fn client(&self) -> Browser {
        let jar = Arc::new(Jar::default());
        let http = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Browser {
            http,
            jar,
            origin: self.url("/").parse().expect("url"),
        }
    }

    /// Runs a statement on the test database (to age a session, say).
    pub async fn execute(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        let db = hale_app::db::connect(self.config.database_url.expose())
            .await
            .expect("db");
        db.execute_unprepared(sql).await.expect("statement");
    }

    /// Calls a server function the way an HTML form does.
    pub async fn call(&self, client: &Browser, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_up(&self, client: &Browser, person: &Person) -> Response {
        self.call(
            client,
            "accounts/sign_up",
            &[
                ("name", &person.name),
                ("email", &person.email),
                ("password", &person.password),
            ],
        )
        .await
    }

    pub async fn sign_in(&self, client: &Browser, email: &str, password: &str) -> Response {
        self.call(
            client,
            "accounts/sign_in",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// A new client signed in as a freshly signed-up person.
    pub async fn signed_in_client(&self, tag: &str) -> (Browser, Person) {
        let client = self.client();
        let person = Person::new(tag);
        let response = self.sign_up(&client, &person).await;
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "sign-up failed: {}",
            response.status()
        );
        (client, person)
    }

    /// Counts the rows of a table in the test database.
    pub async fn count(&self, table: &str) -> i64 {
        use sea_orm::{ConnectionTrait, Statement};
        let db = hale_app::db::connect(self.config.database_url.expose())
            .await
            .expect("db");
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A client with a cookie jar, like a browser.
pub struct Browser {
    pub http: Client,
    jar: Arc<Jar>,
    origin: reqwest::Url,
}

impl Browser {
    /// The session token this browser holds, if any.
    pub fn session_token(&self) -> Option<String> {
        let header = self.jar.cookies(&self.origin)?;
        header
            .to_str()
            .ok()?
            .split(';')
            .find_map(|pair| pair.trim().strip_prefix("hale_session=").map(str::to_owned))
    }
}

impl std::ops::Deref for Browser {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.http
    }
}
