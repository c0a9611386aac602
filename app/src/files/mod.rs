//! Medical images, photos and documents: the wire types both sides share.
//! The server side keeps each file sealed in the blob store (`sealed`,
//! `crypt`), decides its type from its bytes (`sniff`), cleans photos
//! (`photos`), reads DICOM (`dicom`, `study_zip`) and hands out short-lived
//! signed links (`links`). Uploads arrive in parts (`upload`, rows in
//! `uploads`) and become files through one intake (`intake`).

pub mod api;
pub mod components;
pub mod file_page;
pub mod uploader;
pub mod viewer;

#[cfg(feature = "ssr")]
pub mod crypt;
#[cfg(feature = "ssr")]
pub mod dicom;
#[cfg(feature = "ssr")]
mod dicom_file;
#[cfg(feature = "ssr")]
pub mod intake;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
mod jpeg12;
#[cfg(feature = "ssr")]
pub mod links;
#[cfg(feature = "ssr")]
pub mod photos;
#[cfg(feature = "ssr")]
pub mod pixels;
#[cfg(feature = "ssr")]
pub mod sealed;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod sniff;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod study_zip;
#[cfg(feature = "ssr")]
pub mod upload;
#[cfg(feature = "ssr")]
pub mod uploads;

pub use api::*;
pub use components::{DocumentsPage, PatientDocumentsPage};
pub use file_page::FilePage;
pub use viewer::StudyPage;

use serde::{Deserialize, Serialize};

/// Where uploads begin (`POST`, JSON [`UploadStart`]); parts go to
/// `PUT {UPLOADS_PATH}/{token}/parts/{index}`, then `POST …/{token}/finish`.
pub const UPLOADS_PATH: &str = "/files/uploads";

/// The categories a file can be filed under.
pub const CATEGORIES: [&str; 7] = [
    "lab_report",
    "discharge_summary",
    "imaging_report",
    "insurance_card",
    "imaging",
    "photo",
    "other",
];

/// What the browser says before sending a file's parts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UploadStart {
    /// The file's name on the device (a default title only; never decides the type).
    pub name: String,
    pub size: u64,
    /// The patient the file is for (a caregiver with a write grant); none: oneself.
    #[serde(default)]
    pub patient_id: Option<i64>,
}

/// The server's answer to a begin, and to "where was I?" when resuming.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UploadState {
    pub token: String,
    pub part_bytes: u64,
    /// Parts already stored: send from this one on.
    pub next_part: u64,
    pub parts: u64,
}

/// One entry of a ZIP that was not kept, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Skipped {
    pub name: String,
    pub reason: crate::refusals::FileProblem,
}

/// What a finished upload became.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UploadResult {
    /// The files it made (one for a photo, PDF or DICOM file; one per instance for a ZIP).
    pub file_ids: Vec<i64>,
    /// Files that were already stored (the same bytes): not stored again.
    pub duplicates: Vec<i64>,
    pub skipped: Vec<Skipped>,
    /// Where to look at it.
    pub open: Option<String>,
}

/// What a DICOM instance says about itself (kept as JSON with the file).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct DicomInfo {
    pub transfer_syntax: String,
    pub transfer_syntax_name: String,
    /// Why its frames cannot be shown here; none when they can.
    #[serde(default, deserialize_with = "crate::refusals::stored_file_problem")]
    pub unsupported: Option<crate::refusals::FileProblem>,
    pub modality: String,
    pub patient_name: String,
    pub patient_id: String,
    pub birth_date: String,
    pub sex: String,
    pub study_date: String,
    pub study_description: String,
    pub series_description: String,
    pub series_number: Option<i32>,
    pub body_part: String,
    pub institution: String,
    pub manufacturer: String,
    pub rows: u32,
    pub columns: u32,
    pub frames: u32,
    /// Row spacing, column spacing (mm).
    pub pixel_spacing: Option<(f64, f64)>,
    /// Window centre and width.
    pub window: Option<(f64, f64)>,
    pub photometric: String,
    pub bits_stored: u16,
}

/// A photo or document, as lists and pages show it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileView {
    pub id: i64,
    /// photo | dicom | document
    pub kind: String,
    pub media_type: String,
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub date: Option<String>,
    pub size: u64,
    pub created_ms: i64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// A signed link to the thumbnail, once the job made it.
    pub thumb: Option<String>,
}

/// A study: its series and their instances.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StudyView {
    pub study_uid: String,
    pub description: String,
    pub date: String,
    pub modalities: Vec<String>,
    pub patient_name: String,
    pub instances: u32,
    pub size: u64,
    pub thumb: Option<String>,
}

/// A page of the patient's files.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct FileList {
    pub files: Vec<FileView>,
    pub studies: Vec<StudyView>,
    pub used_bytes: u64,
    pub quota_bytes: u64,
    pub can_write: bool,
}

/// One file with its signed links.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileDetail {
    pub file: FileView,
    pub view_link: String,
    pub download_link: String,
    pub dicom: Option<DicomInfo>,
    pub study_uid: Option<String>,
    pub can_write: bool,
}

/// One DICOM instance in the viewer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InstanceView {
    pub file_id: i64,
    pub number: Option<i32>,
    /// Signed link to its frames: add `&n=<frame>&wc=<centre>&ww=<width>`.
    pub frame_link: String,
    pub info: DicomInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeriesView {
    pub series_uid: String,
    pub number: Option<i32>,
    pub description: String,
    pub modality: String,
    pub instances: Vec<InstanceView>,
}

/// A study for the viewer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StudyDetail {
    pub study: StudyView,
    pub series: Vec<SeriesView>,
    /// Seconds the links stay good.
    pub links_expire_s: u32,
    pub can_write: bool,
}

/// Title, category, date and tags, as the form sends them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileMeta {
    pub title: String,
    pub category: String,
    pub date: String,
    pub tags: String,
}

/// Tags as typed ("lab, 2026  kidney") → tidy lower-case tags, no repeats.
pub fn parse_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split([',', ' ', '\n', '\t']) {
        let tag = tag.trim().trim_start_matches('#').to_lowercase();
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}
