//! (Stub: filled in by the HTML work.)
