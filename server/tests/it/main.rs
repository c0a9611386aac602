//! Integration tests: the real server on an ephemeral port, a temporary SQLite
//! file and blob folder, spoken to over real HTTP. One test binary keeps link
//! time down; each area adds a module.

mod abandoned;
mod accounts;
mod binary;
mod care_team;
mod dashboard_figures;
mod dicom_libjpeg_turbo;
mod dicom_variants;
mod fhir_observations;
mod files;
mod files_access;
mod files_azure;
mod harness;
mod health;
mod home;
mod identity;
mod imports;
mod jobs;
mod meds;
mod notify;
mod peers;
mod plumbing;
mod postgres;
mod probing;
mod reliability;
mod sweep;
