//! Heading anchors.
//!
//! (Stub: filled in by the Markdown work — GitHub's anchor rules.)

/// The anchor GitHub gives a Markdown heading with this text.
pub fn github_anchor(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}
