//! The design system's building blocks: the page frame with navigation, the
//! language switcher and the error message.

mod error_message;
mod forms;
mod frame;
mod language;

pub use error_message::ErrorMessage;
pub use forms::{ActionError, PasswordField, SubmitButton};
pub use frame::{AppFrame, Area};
pub use language::LanguageSwitcher;
