//! Work for a page stops when its asker has gone.
//!
//! A page render spawns its data loads (resources) as tasks of their own, so
//! dropping the response when a client leaves does not stop them: under
//! load, renders nobody waits for went on reading (and holding database
//! connections) for many seconds. Each page request gets a `Lease` in its
//! extensions that ends when the response body is dropped — sent in full or
//! abandoned — or when the handler is dropped before answering. The
//! executor installed by `install` races every task spawned inside a render
//! against its request's lease; a task spawned outside a request (the job
//! worker, the server itself) runs as before.

use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::watch;

/// A request's claim on the work done for it; ends when the request does.
#[derive(Clone)]
pub struct Lease(watch::Receiver<()>);

impl Lease {
    /// Resolves once the request is over (its answer dropped).
    async fn ended(mut self) {
        // `changed` fails exactly when the sender — the request — is gone.
        while self.0.changed().await.is_ok() {}
    }
}

/// Gives the request its lease; the lease ends with the response body.
pub async fn track(mut request: Request, next: Next) -> Response {
    let (holder, lease) = watch::channel(());
    request.extensions_mut().insert(Lease(lease));
    // If this future is dropped before answering, `holder` drops with it.
    let response = next.run(request).await;
    response.map(|body| {
        Body::new(Held {
            body,
            _holder: holder,
        })
    })
}

/// A response body that holds its request's lease open until it is dropped;
/// frames, size and end pass through unchanged.
struct Held {
    body: Body,
    _holder: watch::Sender<()>,
}

impl http_body::Body for Held {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The lease of the request whose render is running on this thread, if any.
fn current_lease() -> Option<Lease> {
    leptos::prelude::use_context::<http::request::Parts>()?
        .extensions
        .get::<Lease>()
        .cloned()
}

/// Tokio, with tasks spawned inside a render bound to their request.
struct StopsWithItsRequest;

impl CustomExecutor for StopsWithItsRequest {
    fn spawn(&self, task: PinnedFuture<()>) {
        match current_lease() {
            Some(lease) => {
                tokio::spawn(async move {
                    futures::future::select(task, Box::pin(lease.ended())).await;
                });
            }
            None => {
                tokio::spawn(task);
            }
        }
    }

    fn spawn_local(&self, task: PinnedLocalFuture<()>) {
        tokio::task::spawn_local(task);
    }

    fn poll_local(&self) {}
}

/// Installs the executor; before anything of Leptos runs (it would install
/// plain Tokio otherwise). Later calls change nothing.
pub fn install() {
    let _ = Executor::init_custom_executor(StopsWithItsRequest);
}
