//! Dana's medications for `hale demo`: twice-daily metformin with two months
//! of doses logged (a few skipped, a few missed), a morning tablet running
//! low, a prednisone taper, a weekly vitamin and an as-needed painkiller.
//! Written through the medication service (checked and audited); only when
//! Dana has no medications yet.

use hale_app::error::AppError;
use hale_app::identity::Actor;
use hale_app::meds::{
    DoseInput, MedicationInput, Schedule, ScheduleKind, TaperStep, doses, service,
};
use sea_orm::DatabaseConnection;

fn medication(
    name: &str,
    strength: &str,
    start: chrono::NaiveDate,
    schedule: Schedule,
) -> MedicationInput {
    MedicationInput {
        name: name.into(),
        strength: strength.into(),
        form: "tablet".into(),
        start_date: start.format("%Y-%m-%d").to_string(),
        schedule,
        ..MedicationInput::default()
    }
}

fn at(times: &[&str], dose: f64) -> Schedule {
    Schedule {
        times: times.iter().map(|t| (*t).to_owned()).collect(),
        dose,
        ..Schedule::default()
    }
}

/// Adds the demo medications; answers whether it wrote anything.
pub async fn seed(db: &DatabaseConnection, dana: &Actor) -> Result<bool, AppError> {
    let patient = dana.account_id;
    if !service::list(db, dana, patient, "")
        .await?
        .medications
        .is_empty()
    {
        return Ok(false);
    }
    hale_app::notify::prefs::set_time_zone(db, patient, "Europe/London").await?;
    let today = chrono::Utc::now().date_naive();
    let days = |n: i64| today - chrono::Duration::days(n);
    let mut metformin = medication(
        "Metformin",
        "500 mg",
        days(90),
        at(&["08:00", "20:00"], 1.0),
    );
    metformin.instructions = "With breakfast and dinner.".into();
    metformin.prescriber = "Dr Lee".into();
    metformin.rxnorm = "861004".into();
    metformin.supply = Some(60.0);
    metformin.low_supply = Some(14.0);
    let metformin = service::save(db, dana, patient, None, metformin).await?;
    let mut lisinopril = medication("Lisinopril", "10 mg", days(200), at(&["08:00"], 1.0));
    lisinopril.supply = Some(12.0);
    lisinopril.low_supply = Some(10.0);
    service::save(db, dana, patient, None, lisinopril).await?;
    let taper = Schedule {
        taper: [(5, 3.0), (10, 2.0), (15, 1.0)]
            .iter()
            .map(|(after, dose)| TaperStep {
                from: days(7 - after).format("%Y-%m-%d").to_string(),
                dose: *dose,
            })
            .collect(),
        ..at(&["09:00"], 4.0)
    };
    let mut prednisone = medication("Prednisone", "10 mg", days(7), taper);
    prednisone.end_date = days(-13).format("%Y-%m-%d").to_string();
    service::save(db, dana, patient, None, prednisone).await?;
    let weekly = Schedule {
        weekdays: vec![1],
        ..at(&["10:00"], 1.0)
    };
    let mut vitamin = medication("Vitamin D3", "25 µg", days(120), weekly);
    vitamin.form = "capsule".into();
    service::save(db, dana, patient, None, vitamin).await?;
    let prn = Schedule {
        kind: ScheduleKind::AsNeeded,
        dose: 1.0,
        max_per_day: 4,
        ..Schedule::default()
    };
    service::save(
        db,
        dana,
        patient,
        None,
        medication("Ibuprofen", "200 mg", days(30), prn),
    )
    .await?;

    // Two months of metformin: mostly taken, every 9th skipped, every 13th missed.
    let now = chrono::Utc::now().naive_utc();
    for back in (1..60i64).rev() {
        for (n, time) in ["08:00", "20:00"].iter().enumerate() {
            let slot = format!("{}T{time}", days(back).format("%Y-%m-%d"));
            let k = back * 2 + n as i64;
            if k % 13 == 0
                || chrono::NaiveDateTime::parse_from_str(&slot, "%Y-%m-%dT%H:%M")
                    .is_ok_and(|t| t > now)
            {
                continue;
            }
            let skipped = k % 9 == 0;
            let dose = DoseInput {
                medication_id: metformin,
                slot,
                status: if skipped { "skipped" } else { "taken" }.into(),
                reason: if skipped {
                    "Felt unwell".into()
                } else {
                    String::new()
                },
                ..DoseInput::default()
            };
            doses::log_dose(db, dana, patient, dose).await?;
        }
    }
    Ok(true)
}
