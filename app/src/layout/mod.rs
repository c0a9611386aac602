//! The design system's building blocks, below every area: forms (submit
//! buttons, action errors, password fields), the error message and the icons. The page
//! frame that composes the areas' widgets is `frame` at the top of the crate.

mod error_message;
mod forms;
mod icons;

pub use error_message::ErrorMessage;
pub use forms::{ActionError, ConfirmSubmit, PasswordField, SubmitButton};
pub use icons::{Icon, IconSvg};
