//! The demo's images and documents for Dana: a CT study (synthetic), a photo
//! and a lab report PDF, stored through the same upload path the browser uses.

use crate::demo::synthetic_dicom::{self, Encoding};
use hale_app::error::AppError;
use hale_app::files::{FileMeta, UploadResult, UploadStart, service, upload};
use hale_app::identity::Actor;
use hale_app::state::AppState;

/// Stores `bytes` as one upload of `actor`'s (in parts, as the browser sends them).
pub async fn store(
    state: &AppState,
    actor: &Actor,
    name: &str,
    bytes: &[u8],
) -> Result<UploadResult, AppError> {
    let start = UploadStart {
        name: name.into(),
        size: bytes.len() as u64,
        patient_id: None,
    };
    let begun = upload::begin(state, actor, start).await?;
    for (index, part) in bytes.chunks(begun.part_bytes as usize).enumerate() {
        let chunk: Result<bytes::Bytes, std::io::Error> = Ok(bytes::Bytes::copy_from_slice(part));
        upload::put_part(
            state,
            actor,
            &begun.token,
            index as u64,
            futures::stream::iter([chunk]),
        )
        .await?;
    }
    upload::finish(state, actor, &begun.token).await
}

/// A one-page PDF that says `lines`.
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 12 Tf 72 740 Td 16 TL\n");
    for line in lines {
        let escaped = line
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        text.push_str(&format!("({escaped}) Tj T*\n"));
    }
    text.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A photo of a rash, drawn (a PNG).
fn photo() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(640, 480, |x, y| {
        let (dx, dy) = (x as f64 - 320.0, y as f64 - 240.0);
        let d = (dx * dx + dy * dy).sqrt();
        if d < 90.0 + 10.0 * ((x / 17) % 3) as f64 {
            image::Rgb([196, 80, 72])
        } else {
            image::Rgb([226, 184, 160])
        }
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encoding to memory");
    out
}

/// Dana's files; nothing when she has some already.
pub async fn seed(state: &AppState, actor: &Actor) -> Result<bool, AppError> {
    if !service::list(state, actor, None, "")
        .await?
        .studies
        .is_empty()
    {
        return Ok(false);
    }
    let study = "2.25.1000000000000000000001";
    for (i, bytes) in
        synthetic_dicom::series(study, &format!("{study}.1"), 24, Encoding::ExplicitLittle)
            .iter()
            .enumerate()
    {
        store(state, actor, &format!("CT{:04}.dcm", i + 1), bytes).await?;
    }
    let report = store(
        state,
        actor,
        "lab-report.pdf",
        &pdf(&[
            "Hale Demo Laboratory",
            "Patient: Dana Demo",
            "HbA1c: 6.4 %",
            "eGFR: 88 mL/min/1.73m2",
        ]),
    )
    .await?;
    if let Some(id) = report.file_ids.first() {
        let meta = FileMeta {
            title: "Blood test results".into(),
            category: "lab_report".into(),
            date: "2026-03-10".into(),
            tags: "diabetes, kidney".into(),
        };
        service::save_meta(state, actor, *id, meta).await?;
    }
    store(state, actor, "rash.png", &photo()).await?;
    Ok(true)
}
