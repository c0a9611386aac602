//! `TestApp`: starts the real Hale server in this process on 127.0.0.1:0 with
//! its own SQLite file and blob folder, and a client that keeps cookies.

use hale_server::config::Config;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::{Client, Response, StatusCode};
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
        let listener = Self::listener().await;
        Self::start_on(listener, settings).await
    }

    /// A listener on a free loopback port (bind first, configure, then start:
    /// an OpenID Connect provider needs Hale's callback address up front).
    pub async fn listener() -> tokio::net::TcpListener {
        tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind")
    }

    /// Starts on a listener that is already bound.
    pub async fn start_on(listener: tokio::net::TcpListener, settings: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(listener, dir, settings).await
    }

    /// Starts with its database, blobs and keys in `dir` (a small disk, say).
    pub async fn start_in(
        listener: tokio::net::TcpListener,
        dir: TempDir,
        settings: &[(&str, &str)],
    ) -> TestApp {
        let addr = listener.local_addr().expect("local addr");
        let public_url = format!("http://{addr}");
        let mut all = vec![("HALE_PUBLIC_URL", public_url.as_str())];
        all.extend_from_slice(settings);
        let config = Config::for_tests(dir.path(), &all);
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

    /// The HTML of a page as `client` gets it; the page must answer 200.
    pub async fn page(&self, client: &Browser, path: &str) -> String {
        let response = client.get(self.url(path)).send().await.expect(path);
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
        response.text().await.expect(path)
    }

    /// `client`'s own dashboard (`health/dashboard`); it must answer 200.
    pub async fn dashboard(&self, client: &Browser) -> serde_json::Value {
        let response = self.call(client, "health/dashboard", &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "health/dashboard");
        response.json().await.expect("the dashboard")
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

    /// A connection to the test database.
    pub async fn db(&self) -> sea_orm::DatabaseConnection {
        hale_app::db::connect(self.config.database_url.expose())
            .await
            .expect("db")
    }

    /// Runs a statement on the test database (to age a session, say).
    pub async fn execute(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        self.db()
            .await
            .execute_unprepared(sql)
            .await
            .expect("statement");
    }

    /// The first row of a query.
    async fn first_row(&self, sql: &str) -> sea_orm::QueryResult {
        use sea_orm::{ConnectionTrait, Statement};
        let db = self.db().await;
        db.query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query")
        .expect("a row")
    }

    /// The first column of the first row of a query, as an integer.
    pub async fn scalar(&self, sql: &str) -> i64 {
        self.first_row(sql)
            .await
            .try_get_by_index::<i64>(0)
            .expect("an integer")
    }

    /// The first column of the first row of a query, as text.
    pub async fn text(&self, sql: &str) -> String {
        self.first_row(sql)
            .await
            .try_get_by_index::<String>(0)
            .expect("text")
    }

    /// Signs up a person, then makes them a staff member through an invitation
    /// (as `hale invite-staff` does) and signs them in: returns their client.
    pub async fn staff_client(
        &self,
        tag: &str,
        role: hale_app::identity::Role,
    ) -> (Browser, Person) {
        let person = Person::new(tag);
        let code = hale_app::accounts::staff::invite(&self.db().await, None, &person.email, role)
            .await
            .expect("invitation");
        let client = self.client();
        let response = self
            .call(
                &client,
                "accounts/join_staff",
                &[
                    ("code", &code),
                    ("name", &person.name),
                    ("password", &person.password),
                ],
            )
            .await;
        assert!(
            accepted(response.status()),
            "join failed: {}",
            response.status()
        );
        (client, person)
    }

    /// Turns on two-step verification for the signed-in client; returns the secret.
    pub async fn enrol_mfa(&self, client: &Browser, password: &str) -> String {
        self.enrol_mfa_with_codes(client, password).await.0
    }

    /// Turns on two-step verification; returns the secret, the recovery codes
    /// and the code that confirmed the enrolment (used up by it).
    pub async fn enrol_mfa_with_codes(
        &self,
        client: &Browser,
        password: &str,
    ) -> (String, Vec<String>, String) {
        let response = self
            .call(client, "security/mfa_begin", &[("password", password)])
            .await;
        assert_eq!(response.status(), StatusCode::OK, "mfa_begin");
        let body: serde_json::Value = response.json().await.expect("json");
        let secret = body["secret"].as_str().expect("secret").to_owned();
        let code = totp_now(&secret);
        let response = self
            .call(client, "security/mfa_confirm", &[("code", &code)])
            .await;
        assert_eq!(response.status(), StatusCode::OK, "mfa_confirm");
        let codes: Vec<String> = response.json().await.expect("recovery codes");
        (secret, codes, code)
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

    /// Calls a server function that takes JSON.
    pub async fn call_json(
        &self,
        client: &Browser,
        endpoint: &str,
        body: serde_json::Value,
    ) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .header("accept", "application/json")
            .json(&body)
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

    /// The id of the account with this email.
    pub async fn account_id(&self, email: &str) -> i64 {
        self.scalar(&format!("SELECT id FROM accounts WHERE email = '{email}'"))
            .await
    }

    /// The patient invites `email` (empty: anyone with the code) with these
    /// permissions (`vitals:r records:rw`); returns the code.
    pub async fn invite(&self, patient: &Browser, email: &str, permissions: &str) -> String {
        let response = self
            .call(
                patient,
                "care_team/invite",
                &[
                    ("email", email),
                    ("permissions", permissions),
                    ("until", ""),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "invite");
        response.json().await.expect("code")
    }

    /// `member` joins with a code.
    pub async fn join(&self, member: &Browser, code: &str) {
        let response = self.call(member, "care_team/join", &[("code", code)]).await;
        assert!(accepted(response.status()), "join: {}", response.status());
    }

    /// A staff member with a second factor on `patient`'s care team with
    /// these permissions.
    pub async fn care_team_member(
        &self,
        patient: &Browser,
        tag: &str,
        role: hale_app::identity::Role,
        permissions: &str,
    ) -> (Browser, Person) {
        let (member, person) = self.staff_client(tag, role).await;
        self.enrol_mfa(&member, &person.password).await;
        let code = self.invite(patient, &person.email, permissions).await;
        self.join(&member, &code).await;
        (member, person)
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

/// A server function that redirects answers 2xx to a client that asks for
/// JSON and 3xx to a plain form post: either is success.
pub fn accepted(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

/// The current TOTP code of a secret.
pub fn totp_now(secret: &str) -> String {
    hale_app::accounts::mfa::current_code(secret, chrono::Utc::now().timestamp()).expect("code")
}

impl TestApp {
    /// Stops the server (its pools close); the database and blobs stay in
    /// `dir`, to be read as after a restart.
    pub async fn stop(&mut self) {
        self.server.abort();
        let _ = (&mut self.server).await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A client with a cookie jar, like a browser.
#[derive(Clone)]
pub struct Browser {
    pub http: Client,
    jar: Arc<Jar>,
    pub origin: reqwest::Url,
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

impl TestApp {
    /// Waits (up to 60 s) until a query's integer answer satisfies `done`.
    pub async fn wait_until(&self, sql: &str, done: impl Fn(i64) -> bool) -> i64 {
        for _ in 0..1200 {
            let value = self.scalar(sql).await;
            if done(value) {
                return value;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for: {sql}");
    }

    /// Waits until no job is queued or running and no rollup is pending.
    pub async fn settle_jobs(&self) {
        self.wait_until(
            "SELECT (SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')) \
             + (SELECT COUNT(*) FROM rollup_marks)",
            |n| n == 0,
        )
        .await;
    }

    /// A personal access token of the signed-in client with these scopes.
    pub async fn token(&self, client: &Browser, scopes: &str) -> String {
        let response = self
            .call(
                client,
                "security/create_token",
                &[("name", "Test device"), ("scopes", scopes)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "create_token");
        response.json().await.expect("token")
    }
}

/// A second `hale serve` process on the same database and blob folder (its
/// own worker), with extra `HALE_*` settings; stopped with SIGTERM on drop.
pub struct SecondProcess {
    child: std::process::Child,
    pub port: u16,
}

impl SecondProcess {
    pub fn start(app: &TestApp, settings: &[(&str, &str)]) -> SecondProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hale"));
        command
            .current_dir(app.dir.path())
            .env_clear()
            .env("HALE_LOG", "warn")
            .env("HALE_DATABASE_URL", app.config.database_url.expose())
            .env("HALE_BLOBS_ROOT", app.dir.path().join("blobs"))
            .env("HALE_FILES_KEY_PATH", app.dir.path().join("master.key"))
            .env("HALE_SITE_ROOT", app.dir.path().join("site"))
            .env("HALE_SITE_ADDR", format!("127.0.0.1:{port}"));
        for (key, value) in settings {
            command.env(key, value);
        }
        SecondProcess {
            child: command.spawn().expect("hale serve"),
            port,
        }
    }

    /// Waits (up to 60 s) until it answers `/readyz` with 200.
    pub async fn wait_ready(&self) {
        for _ in 0..600 {
            if reqwest::get(format!("http://127.0.0.1:{}/readyz", self.port))
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the second process did not become ready");
    }

    /// Kills it at once (SIGKILL), as a crash or an out-of-memory kill would.
    pub fn kill_hard(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SecondProcess {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The card for `kind` in a dashboard answer.
pub fn card(dashboard: &serde_json::Value, kind: &str) -> serde_json::Value {
    dashboard["cards"]
        .as_array()
        .expect("the dashboard's cards")
        .iter()
        .find(|c| c["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} card in {dashboard}"))
}
