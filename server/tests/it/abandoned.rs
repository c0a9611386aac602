//! A page whose asker has gone stops its work: the reads it had started do
//! not go on to completion (and to their audit events) after the client left.

use crate::harness::TestApp;
use sea_orm::sqlx::Executor as _;
use std::time::Duration;

const VITALS_READS: &str =
    "SELECT COUNT(*) FROM audit_events WHERE category = 'vitals' AND action = 'read'";

/// Holds SQLite's write lock from another connection, as a long write
/// would, so the page's access check (which writes its audit event) waits.
struct WriteLock(sea_orm::sqlx::pool::PoolConnection<sea_orm::sqlx::Sqlite>);

impl WriteLock {
    async fn take(app: &TestApp) -> WriteLock {
        let db = app.db().await;
        let mut conn = db
            .get_sqlite_connection_pool()
            .acquire()
            .await
            .expect("a connection");
        conn.execute("BEGIN IMMEDIATE")
            .await
            .expect("the write lock");
        WriteLock(conn)
    }

    async fn release(mut self) {
        self.0.execute("ROLLBACK").await.expect("released");
    }
}

#[tokio::test]
async fn a_page_render_whose_client_left_stops_before_reading() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("abandon").await;
    let before = app.scalar(VITALS_READS).await;

    // A client that waits: the dashboard is read once the lock is gone.
    let lock = WriteLock::take(&app).await;
    let waiting = tokio::spawn({
        let request = client.get(app.url("/dashboard"));
        async move { request.send().await?.text().await }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    lock.release().await;
    let page = waiting.await.unwrap().expect("the page");
    assert!(page.contains("</html>"), "the whole page arrived");
    let waited = app.scalar(VITALS_READS).await;
    assert!(waited > before, "a render that was waited for reads");

    // A client that leaves while the page waits for the lock.
    let lock = WriteLock::take(&app).await;
    let request = client.get(app.url("/dashboard"));
    let left = tokio::time::timeout(Duration::from_millis(300), async move {
        request.send().await?.text().await
    })
    .await;
    assert!(left.is_err(), "the client gave up before the page came");
    tokio::time::sleep(Duration::from_millis(300)).await;
    lock.release().await;
    // Time enough for an unstopped render to read and write its event.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        app.scalar(VITALS_READS).await,
        waited,
        "the render of a page nobody waits for went on to read health data"
    );
}
