//! Hale's application: the pages, components, wire types and server functions
//! shared by the server (feature `ssr`) and the browser (feature `hydrate`).
//! Server-only code sits in `#[cfg(feature = "ssr")]` modules: the domain
//! services and persistence.
//!
//! Three layers, each importing only from the layers below it (see
//! ARCHITECTURE.md for the picture):
//!
//! 1. **Foundations**, which import no area: errors, i18n, who is asking
//!    (`identity`), the request context (`request`), the audit log
//!    (`audit`), time zones (`clock`), the database, blobs, the state, the
//!    CSP, the job queue (`jobs::queue`) and the design system (`layout`).
//! 2. **Areas**, one folder each: `accounts`, `access`, `health`, `meds`,
//!    `notify`, `files`. An area may import areas listed before it that it
//!    builds on (access → accounts; health → access, notify; meds → access,
//!    notify; files → access), never one that imports it back.
//! 3. **Composition**: the router (`root`), the page frame (`frame`), the
//!    pages of no single area (`pages`) and the job registry (`jobs::worker`).

#![recursion_limit = "256"]

// Foundations.
#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod blobs;
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
pub mod i18n;
pub mod identity;
pub mod layout;
#[cfg(feature = "ssr")]
pub mod outbound;
pub mod refusals;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod throttle;

// Areas.
pub mod access;
pub mod accounts;
pub mod files;
pub mod health;
pub mod meds;
pub mod notify;

// Composition (and the job queue with its registry of handlers).
mod frame;
pub mod jobs;
pub mod pages;
mod root;

#[cfg(feature = "hydrate")]
pub use root::hydrate;
pub use root::{App, PROTECTED_PATHS, is_protected, shell};
