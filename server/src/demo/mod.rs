//! `hale demo`: demo accounts for trying Hale out. Idempotent: running it
//! again changes nothing. Each area adds its demo data as a module here:
//! Dana's year of health data (`health`), her medications (`meds`), her
//! images and documents (`files`, with the CT phantom of `synthetic_dicom`).
//!
//! A patient (Dana), a clinician (Dr Lee) on Dana's care team with read access
//! to vitals and records, and an administrator. Staff must turn on two-step
//! verification on the security page before they see patient data.

pub mod files;
pub mod health;
mod meds;
pub mod synthetic_dicom;

use crate::StartError;
use hale_app::access::{Permission, Permissions, grants};
use hale_app::accounts::entity::account;
use hale_app::accounts::service::{self, NewAccount};
use hale_app::accounts::staff;
use hale_app::error::AppError;
use hale_app::identity::{Actor, Category, ClientMeta, Role};
use hale_app::state::AppState;

/// The demo accounts' sign-in, printed by `hale demo` and shown in the README.
pub const DEMO_EMAIL: &str = "demo@hale.example";
pub const DEMO_PASSWORD: &str = "hale-demo-password";
pub const DEMO_CLINICIAN_EMAIL: &str = "clinician@hale.example";
pub const DEMO_ADMIN_EMAIL: &str = "admin@hale.example";
const DEMO_NAME: &str = "Dana Demo";

fn actor(account: &account::Model, role: Role) -> Actor {
    Actor {
        account_id: account.id,
        role,
        mfa: false,
        scopes: None,
        client: ClientMeta::default(),
    }
}

/// An account, created once.
async fn ensure(
    state: &AppState,
    email: &str,
    name: &str,
    role: Role,
) -> Result<(account::Model, bool), StartError> {
    if let Some(found) = service::find_by_email(&state.db, email)
        .await
        .map_err(app_error)?
    {
        return Ok((found, false));
    }
    let created = if role == Role::Patient {
        service::sign_up(
            &state.db,
            NewAccount {
                email,
                display_name: name,
                password: DEMO_PASSWORD,
            },
        )
        .await
    } else {
        let code = staff::invite(&state.db, None, email, role)
            .await
            .map_err(app_error)?;
        staff::join(&state.db, &code, name, DEMO_PASSWORD).await
    };
    Ok((created.map_err(app_error)?, true))
}

pub async fn seed(state: &AppState) -> Result<String, StartError> {
    let (patient, _) = ensure(state, DEMO_EMAIL, DEMO_NAME, Role::Patient).await?;
    let (clinician, new_clinician) =
        ensure(state, DEMO_CLINICIAN_EMAIL, "Dr Lee", Role::Clinician).await?;
    ensure(state, DEMO_ADMIN_EMAIL, "Alex Admin", Role::Administrator).await?;
    if new_clinician {
        let read = |category| Permission {
            category,
            read: true,
            write: false,
        };
        let permissions = Permissions(vec![
            read(Category::Vitals),
            read(Category::Medications),
            read(Category::Records),
            read(Category::Documents),
        ]);
        let code = grants::invite(
            &state.db,
            &actor(&patient, Role::Patient),
            Some(DEMO_CLINICIAN_EMAIL),
            &permissions,
            None,
        )
        .await
        .map_err(app_error)?;
        grants::redeem(&state.db, &actor(&clinician, Role::Clinician), &code)
            .await
            .map_err(app_error)?;
    }
    let seeded = crate::demo::health::seed(&state.db, patient.id)
        .await
        .map_err(app_error)?;
    if seeded {
        tracing::info!("demo health data written (a year of readings)");
    }
    if crate::demo::meds::seed(&state.db, &actor(&patient, Role::Patient))
        .await
        .map_err(app_error)?
    {
        tracing::info!("demo medications written");
    }
    if crate::demo::files::seed(state, &actor(&patient, Role::Patient))
        .await
        .map_err(app_error)?
    {
        tracing::info!("demo images and documents written");
    }
    Ok(format!(
        "demo accounts ready (password {DEMO_PASSWORD} for each):\n  \
         patient        {DEMO_EMAIL}\n  \
         clinician      {DEMO_CLINICIAN_EMAIL} (on Dana's care team; turn on two-step verification first)\n  \
         administrator  {DEMO_ADMIN_EMAIL}"
    ))
}

fn app_error(err: AppError) -> StartError {
    StartError::Database(sea_orm::DbErr::Custom(err.to_string()))
}
