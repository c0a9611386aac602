//! Hydrates the server-rendered page in the browser.

// The app's view types nest deeply; hydrating them needs a deeper limit.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    hale_app::hydrate();
}
