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

/// Read `path` (as written in the document) if it lies inside the root,
/// relative to the document being parsed.
pub fn read(state: &ParserState, path: &str) -> Result<String, String> {
    read_from(state, path, None).map(|(text, _)| text)
}

/// The words every refusal (as opposed to a missing file) starts its
/// reason with, so callers can rank a refusal as an error.
const REFUSED: &str = "Refused:";

/// Whether `message` (from [`read`]) refuses a path rather than missing it.
pub fn is_refusal(message: &str) -> bool {
    message.starts_with(REFUSED)
}

/// The canonical path of the document being parsed, if it is a file of
/// the repository.
pub fn current_file(state: &ParserState) -> Option<std::path::PathBuf> {
    let root = state.options.root.as_ref()?;
    let file = state.options.current_file.as_deref()?;
    std::fs::canonicalize(root.join(file)).ok()
}

/// Read `path` relative to `including` (the canonical path of an included
/// file whose directive this is; `None`: the document itself), returning
/// the text and the file's canonical path.
pub fn read_from(
    state: &ParserState,
    path: &str,
    including: Option<&std::path::Path>,
) -> Result<(String, std::path::PathBuf), String> {
    let Some(root) = state.options.root.as_ref() else {
        return Err(format!(
            "{REFUSED} file access is disabled (no repository root configured); cannot read \"{path}\"."
        ));
    };
    let root = std::fs::canonicalize(root)
        .map_err(|_| "The repository root cannot be resolved.".to_string())?;
    let relative = path.trim();
    let candidate = if let Some(stripped) = relative.strip_prefix('/') {
        root.join(stripped)
    } else {
        let base = match including {
            Some(file) => file
                .parent()
                .map(|p| p.to_path_buf())
                .unwrap_or_else(|| root.clone()),
            None => root.join(
                state
                    .options
                    .current_file
                    .as_deref()
                    .and_then(|f| std::path::Path::new(f).parent().map(|p| p.to_path_buf()))
                    .unwrap_or_default(),
            ),
        };
        base.join(relative)
    };
    let resolved = std::fs::canonicalize(&candidate)
        .map_err(|_| format!("Cannot find \"{path}\" inside the repository."))?;
    if !resolved.starts_with(&root) {
        return Err(format!(
            "{REFUSED} \"{path}\" lies outside the repository root; only files inside it may be read."
        ));
    }
    let metadata = std::fs::metadata(&resolved).map_err(|_| format!("Cannot read \"{path}\"."))?;
    if metadata.is_dir() {
        return Err(format!("{REFUSED} \"{path}\" is a directory, not a file."));
    }
    if !metadata.is_file() {
        return Err(format!(
            "{REFUSED} \"{path}\" is not a regular file (a pipe, device or socket), so it is never opened."
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{REFUSED} \"{path}\" is {} bytes, more than the {MAX_FILE_BYTES}-byte limit for included files.",
            metadata.len()
        ));
    }
    let bytes = std::fs::read(&resolved).map_err(|_| format!("Cannot read \"{path}\"."))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("\"{path}\" is not valid UTF-8."))?;
    Ok((text, resolved))
}
