//! Pages that belong to no single domain area.

mod area;
mod home;
mod not_found;
pub mod summary;

pub use area::AreaPage;
pub use home::HomePage;
pub use not_found::NotFound;
