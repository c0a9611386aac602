//! Middleware, outermost first: request id and tracing, security headers,
//! cache policy, one JSON error shape, compression, body limit, same-origin
//! check; and, in front of pages and server functions, the session; around
//! pages, the lease that stops a render whose client has gone.

pub mod abandon;
pub mod cache;
pub mod errors;
pub mod origin;
pub mod security;
pub mod session;
pub mod trace;
