//! Icons as inline SVG: drawn in the text colour, the same in every browser
//! and font (font glyphs such as ℞ or ⚙ render as boxes where a font lacks
//! them). Each is a 24-unit square of round 2-unit strokes.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Home,
    Today,
    Dashboard,
    Medications,
    Documents,
    CareTeam,
    History,
    Bell,
    Lock,
    Patients,
    Join,
    Admin,
    More,
    Account,
    Image,
    Earlier,
    Later,
}

impl Icon {
    /// The icon's shapes inside its `<svg>`.
    fn shapes(self) -> &'static str {
        match self {
            Icon::Home => {
                r#"<path d="M3 11.5 12 4l9 7.5"/><path d="M5.5 10v10h4.5v-6h4v6h4.5V10"/>"#
            }
            Icon::Today => r#"<circle cx="12" cy="12" r="9"/><path d="m8 12.5 3 3 5-6.5"/>"#,
            Icon::Dashboard => r#"<path d="M3 12.5h4l2.5-6 5 11 2.5-5H21"/>"#,
            Icon::Medications => {
                r#"<path d="M5 12.2 12.2 5a4.3 4.3 0 0 1 6.1 6.1L11.1 18.3A4.3 4.3 0 0 1 5 12.2z"/><path d="m8.6 8.6 6.1 6.1"/>"#
            }
            Icon::Documents => {
                r#"<path d="M6 3h8l4 4v14H6z"/><path d="M14 3v4h4"/><path d="M9 12h6M9 16h6"/>"#
            }
            Icon::CareTeam | Icon::Patients => {
                r#"<circle cx="9" cy="8" r="3.2"/><path d="M3 20a6 6 0 0 1 12 0"/><circle cx="17" cy="9" r="2.5"/><path d="M16.5 14a5 5 0 0 1 4.5 5"/>"#
            }
            Icon::History => r#"<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3.5 2"/>"#,
            Icon::Bell => {
                r#"<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 1.5h-15z"/><path d="M10 21h4"/>"#
            }
            Icon::Lock => {
                r#"<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/>"#
            }
            Icon::Join => r#"<circle cx="12" cy="12" r="9"/><path d="M12 8v8M8 12h8"/>"#,
            Icon::Admin => {
                r#"<path d="M4 7h9M17 7h3M4 12h3M11 12h9M4 17h11M19 17h1"/><circle cx="15" cy="7" r="2"/><circle cx="9" cy="12" r="2"/><circle cx="17" cy="17" r="2"/>"#
            }
            Icon::More => {
                r#"<circle cx="5" cy="12" r="1.2"/><circle cx="12" cy="12" r="1.2"/><circle cx="19" cy="12" r="1.2"/>"#
            }
            Icon::Account => r#"<circle cx="12" cy="8" r="4"/><path d="M4 21a8 7 0 0 1 16 0"/>"#,
            Icon::Image => {
                r#"<rect x="3" y="5" width="18" height="14" rx="2"/><circle cx="9" cy="10" r="1.6"/><path d="m21 16-5-5-8 8"/>"#
            }
            Icon::Earlier => r#"<path d="m15 5-7 7 7 7"/>"#,
            Icon::Later => r#"<path d="m9 5 7 7-7 7"/>"#,
        }
    }
}

/// An icon beside words that name it: hidden from assistive technology.
#[component]
pub fn IconSvg(icon: Icon) -> impl IntoView {
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            width="24"
            height="24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
            inner_html=icon.shapes()
        ></svg>
    }
}
