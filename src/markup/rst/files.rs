//! Checked file access for `include`, `literalinclude`, `raw :file:` and
//! `csv-table :file:` (DESIGN.md §5).
//!
//! Content is untrusted: a path is resolved against the including file's
//! directory (or the root for `/x`), canonicalised (symlinks resolved) and
//! read only if it still lies inside the canonical repository root. With no
//! root configured there is no file access at all. Error messages name the
//! path as written, never the bytes of a refused file.

use super::state::ParserState;

/// Largest file we read (a guard against accidental huge includes).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Read `path` (as written in the document) if it lies inside the root.
pub fn read(state: &ParserState, path: &str) -> Result<String, String> {
    let Some(root) = state.options.root.as_ref() else {
        return Err(format!(
            "File access is disabled (no repository root configured); cannot read \"{path}\"."
        ));
    };
    let root = std::fs::canonicalize(root)
        .map_err(|_| "The repository root cannot be resolved.".to_string())?;
    let relative = path.trim();
    let candidate = if let Some(stripped) = relative.strip_prefix('/') {
        root.join(stripped)
    } else {
        let base = state
            .options
            .current_file
            .as_deref()
            .and_then(|f| std::path::Path::new(f).parent().map(|p| p.to_path_buf()))
            .unwrap_or_default();
        root.join(base).join(relative)
    };
    let resolved = std::fs::canonicalize(&candidate)
        .map_err(|_| format!("Cannot find or read \"{path}\" inside the repository."))?;
    if !resolved.starts_with(&root) {
        return Err(format!(
            "\"{path}\" lies outside the repository root; only files inside it may be read."
        ));
    }
    let metadata = std::fs::metadata(&resolved).map_err(|_| format!("Cannot read \"{path}\"."))?;
    if !metadata.is_file() || metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "\"{path}\" is not a readable file of reasonable size."
        ));
    }
    let bytes = std::fs::read(&resolved).map_err(|_| format!("Cannot read \"{path}\"."))?;
    String::from_utf8(bytes).map_err(|_| format!("\"{path}\" is not valid UTF-8."))
}
