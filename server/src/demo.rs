//! `hale demo`: demo accounts for trying Hale out. Idempotent: running it
//! again changes nothing. Later areas add their demo data here.

use crate::StartError;
use hale_app::accounts::service::{self, NewAccount};
use hale_app::error::AppError;
use hale_app::state::AppState;

/// The demo patient's sign-in, printed by `hale demo` and shown in the README.
pub const DEMO_EMAIL: &str = "demo@hale.example";
pub const DEMO_PASSWORD: &str = "hale-demo-password";
const DEMO_NAME: &str = "Dana Demo";

pub async fn seed(state: &AppState) -> Result<String, StartError> {
    let existing = service::find_by_email(&state.db, DEMO_EMAIL)
        .await
        .map_err(app_error)?;
    if existing.is_none() {
        service::sign_up(
            &state.db,
            NewAccount {
                email: DEMO_EMAIL,
                display_name: DEMO_NAME,
                password: DEMO_PASSWORD,
            },
        )
        .await
        .map_err(app_error)?;
    }
    Ok(format!(
        "demo patient ready: sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}"
    ))
}

fn app_error(err: AppError) -> StartError {
    StartError::Database(sea_orm::DbErr::Custom(err.to_string()))
}
