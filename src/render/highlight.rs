//! (Stub: filled in by the HTML work.)

/// CSS for highlighted code.
pub fn stylesheet() -> String {
    String::new()
}
