//! Highlighted code kept from one build to the next.
//!
//! Highlighting is most of the CPU a Markdown-heavy build spends (on
//! rust-rfcs, syntect's parser is over half of all instructions), yet code
//! blocks rarely change between two builds of a repository. So rendering
//! asks a [`CodeCache`] first: a map from the block's grammar and text to
//! the HTML [`highlight`](super::highlight) made of it, loaded from one
//! file per repository before rendering and written back after it when
//! anything changed. Only the entries a build used are kept, so a file
//! never grows beyond its repository's current code.
//!
//! The files live in the user's cache directory ([`default_dir`]), not in
//! the repository or the output: a build writes nothing but its site, and a
//! pull request cannot plant a cache. Cached HTML still reaches pages
//! without the sanitiser, so nothing in a file is trusted anyway (another
//! tool or user may share the directory): an entry is used only if it is
//! exactly the block's text,
//! escaped, with nothing added but well-formed `<span class="…">` tags
//! whose class values hold no quote, angle bracket or ampersand. A forged
//! or stale entry can at worst colour code wrongly; a damaged file or one
//! from another version is ignored whole.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::highlight;
use super::html::escape;

/// A repository's cache file unused this long is deleted by the next save
/// (of any repository), so caches of deleted checkouts do not pile up.
const FORGET_AFTER: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The directory for cache files: `$SPECSITE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/specsite`, else `$HOME/.cache/specsite`; `None` when
/// none of these is set (no caching).
pub fn default_dir() -> Option<PathBuf> {
    let from_env = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    if let Some(dir) = from_env("SPECSITE_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = from_env("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("specsite"));
    }
    from_env("HOME").map(|home| PathBuf::from(home).join(".cache").join("specsite"))
}

/// Where a cache is kept: the directory and the repository it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheLocation {
    pub dir: PathBuf,
    pub root: PathBuf,
}

impl CacheLocation {
    /// The repository's file: named by a hash of its root path.
    fn file(&self) -> PathBuf {
        let mut hasher = DefaultHasher::new();
        self.root.hash(&mut hasher);
        self.dir
            .join(format!("highlight-{:016x}.bin", hasher.finish()))
    }
}

/// First line of the file: the format and the version of specsite that
/// wrote it (its grammars and themes decide the HTML).
fn header() -> String {
    format!("specsite highlight cache 1 {}\n", env!("CARGO_PKG_VERSION"))
}

/// Highlighted HTML by content, shared by every rendering thread.
#[derive(Default)]
pub struct CodeCache {
    /// Entries read from the file: key → HTML (checked on use).
    stored: HashMap<u64, String>,
    /// What this build used or made, to write back.
    used: Mutex<Used>,
}

#[derive(Default)]
struct Used {
    keys: HashSet<u64>,
    fresh: HashMap<u64, String>,
}

impl CodeCache {
    /// The cache stored at `location`, or an empty one when there is none
    /// or it cannot be read (a cache is never worth an error).
    pub fn load(location: &CacheLocation) -> CodeCache {
        let bytes = std::fs::read(location.file()).unwrap_or_default();
        CodeCache {
            stored: parse_entries(&bytes).unwrap_or_default(),
            used: Mutex::default(),
        }
    }

    /// `code` highlighted as `lang`, from the cache when it holds a valid
    /// entry; `None` as for [`highlight::highlight`].
    pub fn highlight(&self, code: &str, lang: &str) -> Option<String> {
        let syntax = highlight::find_syntax(lang)?;
        let key = entry_key(&syntax.name, code);
        if let Some(html) = self.stored.get(&key) {
            if is_highlighting_of(html, code) {
                self.record(key, None);
                return Some(html.clone());
            }
        }
        let html = highlight::highlight_as(code, syntax)?;
        self.record(key, Some(html.clone()));
        Some(html)
    }

    fn record(&self, key: u64, fresh: Option<String>) {
        let Ok(mut used) = self.used.lock() else {
            return;
        };
        used.keys.insert(key);
        if let Some(html) = fresh {
            used.fresh.insert(key, html);
        }
    }

    /// Write back what this build used, unless that is exactly what the
    /// file already holds. Returns whether the file was written.
    pub fn save(&self, location: &CacheLocation) -> std::io::Result<bool> {
        let Ok(used) = self.used.lock() else {
            return Ok(false);
        };
        let unchanged = used.fresh.is_empty() && used.keys.len() == self.stored.len();
        if unchanged {
            return Ok(false);
        }
        let mut keys: Vec<u64> = used.keys.iter().copied().collect();
        keys.sort_unstable();
        let file = encode_entries(keys.into_iter().filter_map(|key| {
            let html = used.fresh.get(&key).or_else(|| self.stored.get(&key))?;
            Some((key, html.as_str()))
        }));
        let path = location.file();
        std::fs::create_dir_all(&location.dir)?;
        // Write beside and rename, so a killed build never leaves half a file.
        let partial = path.with_extension(format!("bin.{}.partial", std::process::id()));
        std::fs::write(&partial, &file)?;
        std::fs::rename(&partial, &path)?;
        forget_stale_files(&location.dir);
        Ok(true)
    }
}

/// Delete this module's cache files (and leftovers of killed saves) that
/// nothing has written for [`FORGET_AFTER`]; only names it writes.
fn forget_stale_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with("highlight-")
            && (name.ends_with(".bin") || name.ends_with(".partial"));
        let stale = entry
            .metadata()
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > FORGET_AFTER);
        if ours && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn entry_key(grammar: &str, code: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    grammar.hash(&mut hasher);
    code.hash(&mut hasher);
    hasher.finish()
}

/// A cache file holding `entries`: the header, then per entry its key,
/// its length and its HTML (an entry over 4 GiB is left out).
fn encode_entries<'a>(entries: impl Iterator<Item = (u64, &'a str)>) -> Vec<u8> {
    let mut file = header().into_bytes();
    for (key, html) in entries {
        let Ok(len) = u32::try_from(html.len()) else {
            continue;
        };
        file.extend_from_slice(&key.to_le_bytes());
        file.extend_from_slice(&len.to_le_bytes());
        file.extend_from_slice(html.as_bytes());
    }
    file
}

/// The entries of a cache file, or `None` if it is not one this version
/// wrote or is cut short.
fn parse_entries(bytes: &[u8]) -> Option<HashMap<u64, String>> {
    let mut rest = bytes.strip_prefix(header().as_bytes())?;
    let mut entries = HashMap::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_first_chunk::<8>()?;
        let (len, after) = after.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
        let html = after.get(..len)?;
        let html = std::str::from_utf8(html).ok()?;
        entries.insert(u64::from_le_bytes(*key), html.to_string());
        rest = after.get(len..)?;
    }
    Some(entries)
}

/// Whether `html` is `code` escaped as HTML text, with only balanced
/// `<span class="…">`/`</span>` tags added, class values free of `"`, `<`,
/// `>` and `&`: the most a cached entry may be.
pub fn is_highlighting_of(html: &str, code: &str) -> bool {
    let mut expected = String::with_capacity(code.len() + code.len() / 8);
    escape::text(&mut expected, code);
    let mut expected = expected.as_str();
    let mut rest = html;
    let mut depth: usize = 0;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<span class=\"") {
            let Some(end) = after.find("\">") else {
                return false;
            };
            let value = &after[..end];
            if value.contains(['"', '<', '>', '&']) {
                return false;
            }
            depth += 1;
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("</span>") {
            let Some(shallower) = depth.checked_sub(1) else {
                return false;
            };
            depth = shallower;
            rest = after;
        } else {
            let text_len = rest.find('<').unwrap_or(rest.len());
            let (text, after) = rest.split_at(text_len);
            let Some(remaining) = expected.strip_prefix(text) else {
                return false;
            };
            expected = remaining;
            rest = after;
            if text.is_empty() {
                // A `<` that starts no allowed tag.
                return false;
            }
        }
    }
    depth == 0 && expected.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "fn main() { let s = \"<b>&\"; }\n";

    #[test]
    fn real_highlighting_passes_the_check() {
        let html = highlight::highlight(CODE, "rust").unwrap_or_default();
        assert!(html.contains("<span class=\""), "{html}");
        assert!(is_highlighting_of(&html, CODE), "{html}");
    }

    #[test]
    fn anything_beyond_spans_and_the_escaped_code_fails_the_check() {
        let html = highlight::highlight(CODE, "rust").unwrap_or_default();
        let forged = [
            html.replacen("main", "mian", 1),
            html.replacen("main", "main<script>alert(1)</script>", 1),
            html.replacen("<span class=\"", "<span onmouseover=\"x\" class=\"", 1),
            html.replacen("<span class=\"", "<span class=\"a\" onclick=\"x", 1),
            html.replacen("<span class=\"", "<span class=\"&quot;", 1),
            html.replacen("</span>", "", 1),
            format!("{html}</span>"),
            format!("{html}<img src=x>"),
            html.replacen("&lt;b&gt;", "<b>", 1),
            html[..html.len() - 1].to_string(),
        ];
        for forged in forged {
            assert!(!is_highlighting_of(&forged, CODE), "accepted: {forged}");
        }
    }

    fn location(dir: &Path) -> CacheLocation {
        CacheLocation {
            dir: dir.join("cache"),
            root: PathBuf::from("/some/repository"),
        }
    }

    #[test]
    fn a_build_reuses_what_the_last_one_saved() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let place = location(dir.path());
        let first = CodeCache::load(&place);
        let html = first.highlight(CODE, "rust");
        assert!(html.is_some());
        assert_eq!(first.save(&place).ok(), Some(true));

        let second = CodeCache::load(&place);
        assert_eq!(second.stored.len(), 1);
        assert_eq!(
            second.highlight(CODE, "rs"),
            html,
            "same grammar, same entry"
        );
        assert_eq!(second.save(&place).ok(), Some(false), "nothing changed");

        let other = CacheLocation {
            root: PathBuf::from("/another/repository"),
            ..place.clone()
        };
        assert!(
            CodeCache::load(&other).stored.is_empty(),
            "one file per repository"
        );

        // A build that no longer has the block drops it from the file.
        let third = CodeCache::load(&place);
        assert_eq!(third.save(&place).ok(), Some(true));
        assert!(CodeCache::load(&place).stored.is_empty());
    }

    #[test]
    fn a_forged_entry_is_highlighted_afresh_and_replaced() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let place = location(dir.path());
        let cache = CodeCache::load(&place);
        let genuine = cache.highlight(CODE, "rust").unwrap_or_default();
        assert_eq!(cache.save(&place).ok(), Some(true));
        let path = place.file();
        let bytes = std::fs::read(&path).unwrap_or_default();
        // Keep the length field right, so only the content check can catch it.
        let mut entries = parse_entries(&bytes).unwrap_or_default();
        for html in entries.values_mut() {
            *html = html.replacen("main", "main<script>x()</script>", 1);
        }
        assert!(entries.values().all(|html| html.contains("<script>")));
        let file = encode_entries(entries.iter().map(|(key, html)| (*key, html.as_str())));
        std::fs::write(&path, file).unwrap_or_else(|e| panic!("{e}"));

        let cache = CodeCache::load(&place);
        assert_eq!(cache.stored.len(), 1, "the file parses");
        assert_eq!(cache.highlight(CODE, "rust"), Some(genuine));
        assert_eq!(
            cache.save(&place).ok(),
            Some(true),
            "the forgery is replaced"
        );
    }

    #[test]
    fn damaged_or_foreign_files_are_ignored() {
        assert!(parse_entries(b"").is_none());
        assert!(parse_entries(b"specsite highlight cache 0 0.0.0\n").is_none());
        let mut truncated = header().into_bytes();
        truncated.extend_from_slice(&7u64.to_le_bytes());
        truncated.extend_from_slice(&100u32.to_le_bytes());
        truncated.extend_from_slice(b"short");
        assert!(parse_entries(&truncated).is_none());
        assert_eq!(parse_entries(header().as_bytes()).map(|e| e.len()), Some(0));
    }
}
