//! Hale's application: the pages, components, wire types and server functions
//! shared by the server (feature `ssr`) and the browser (feature `hydrate`).
//!
//! One folder per domain area (`accounts/`, ...). Server-only code sits in
//! `#[cfg(feature = "ssr")]` modules: the domain services and persistence.

#![recursion_limit = "256"]

pub mod access;
pub mod accounts;
pub mod error;
pub mod files;
pub mod health;
pub mod i18n;
pub mod jobs;
pub mod layout;
pub mod meds;
pub mod notify;
pub mod pages;
mod root;

#[cfg(feature = "ssr")]
pub mod blobs;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;

pub use root::{App, PROTECTED_PATHS, is_protected, shell};
