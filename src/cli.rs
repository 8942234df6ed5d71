//! The command line: clap types in, validated option structs out.
//!
//! Nothing below this module sees clap. `parse` turns the arguments into a
//! [`Command`] with plain values; `main` runs it and maps the outcome to an
//! exit code (0 success, 1 content errors, 2 usage or internal error).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::normalise_base_url;
use crate::report::ReportFormat;

const EXAMPLES: &str = "\
Examples:
  specsite build                         build the repository in the current directory into ./_site
  specsite build content-example         build the example repository
  specsite build ../nova-specs --out /tmp/site --base-url https://owner.github.io/nova-specs/
  specsite build --strict --format json  fail on warnings and print diagnostics as JSON (for CI)
  specsite check --format github --external   check links (external ones too) and templates, as CI annotations
  specsite list ../nova-specs --status implemented --format json   the implemented specs as JSON
  specsite init                          write a specsite.toml stating the detected conventions
  specsite serve                         preview the repository in the current directory at http://127.0.0.1:8000/
  specsite serve ../nova-specs --base-path /nova-specs/   preview as GitHub project Pages will serve it
  specsite rst-tree --stage parse spec.rst   print a file's reStructuredText tree as docutils pseudo-XML";

#[derive(Parser, Debug)]
#[command(
    name = "specsite",
    version,
    about = "Turn a repository of design proposals (specs, PEPs, RFCs, KEPs) into a fast, cross-linked static site",
    after_help = EXAMPLES,
    propagate_version = true
)]
struct Args {
    /// Print only diagnostics (no progress or summary).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: timings of each stage.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: CommandArgs,
}

#[derive(Subcommand, Debug)]
enum CommandArgs {
    /// Build the site into the output directory.
    #[command(after_help = EXAMPLES)]
    Build(BuildArgs),
    /// Check links, anchors, metadata and template conformance (for CI); exit code 1 on errors.
    Check(CheckArgs),
    /// List specs with their status, milestone and authors (table, JSON or CSV).
    List(ListArgs),
    /// Write a specsite.toml stating the conventions detected in the repository.
    Init(InitArgs),
    /// Build in memory, serve on localhost, and reload the browser on every change.
    #[command(after_help = EXAMPLES)]
    Serve(ServeArgs),
    /// Print a reStructuredText file's document tree as docutils pseudo-XML (for debugging and conformance checks).
    RstTree(RstTreeArgs),
}

#[derive(clap::Args, Debug)]
struct BuildArgs {
    /// The spec repository [default: the current directory].
    root: Option<PathBuf>,
    /// Output directory [default: `output_dir` from specsite.toml, else ROOT/_site].
    #[arg(long, short = 'o', visible_alias = "output", value_name = "DIR")]
    out: Option<PathBuf>,
    /// Absolute URL the site is published at, e.g. https://owner.github.io/repo/.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Do not reuse or keep highlighted code between builds (kept in $SPECSITE_CACHE_DIR, else $XDG_CACHE_HOME/specsite or ~/.cache/specsite).
    #[arg(long)]
    no_cache: bool,
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// The spec repository [default: the current directory].
    root: Option<PathBuf>,
    /// How to print the problems: text, json, github (workflow annotations) or sarif (2.1.0).
    #[arg(long, value_enum, default_value_t = CheckFormatArg::Text)]
    format: CheckFormatArg,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// Report per-file problems only for files changed since this git revision.
    #[arg(long, value_name = "REV")]
    changed_since: Option<String>,
    /// Absolute URL the site is published at (checks links as they would be published).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Also check external http(s) links (uses the network; answers cached in .specsite-cache/).
    #[arg(long)]
    external: bool,
    /// Do not reuse or keep highlighted code between builds (kept in $SPECSITE_CACHE_DIR, else $XDG_CACHE_HOME/specsite or ~/.cache/specsite).
    #[arg(long)]
    no_cache: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum CheckFormatArg {
    Text,
    /// One line per diagnostic: path:line:col: severity[code]: message.
    Short,
    Json,
    Github,
    Sarif,
}

#[derive(clap::Args, Debug)]
struct ListArgs {
    /// The spec repository [default: the current directory].
    root: Option<PathBuf>,
    /// Only specs with this status (a lifecycle key such as `implemented`, or a label).
    #[arg(long, value_name = "S")]
    status: Option<String>,
    /// Only specs with this milestone (e.g. `Kilo`, `2.1`; `none` for specs without one).
    #[arg(long, value_name = "M")]
    milestone: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormatArg::Table)]
    format: ListFormatArg,
}

#[derive(clap::Args, Debug)]
struct InitArgs {
    /// The spec repository [default: the current directory].
    root: Option<PathBuf>,
    /// Print the configuration instead of writing specsite.toml.
    #[arg(long)]
    dry_run: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ListFormatArg {
    Table,
    Json,
    Csv,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// The spec repository [default: the current directory].
    root: Option<PathBuf>,
    /// Port to listen on [default: the first free port from 8000].
    #[arg(long, short)]
    port: Option<u16>,
    /// Address to listen on; anything but loopback exposes your drafts to the network.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Serve under this URL path, as GitHub project Pages do (e.g. /repo/).
    #[arg(long, value_name = "PATH", default_value = "/")]
    base_path: String,
    /// Poll for changes instead of using file-system events (network mounts, some containers).
    #[arg(long)]
    poll: bool,
}

#[derive(clap::Args, Debug)]
struct RstTreeArgs {
    /// How far to process the document.
    #[arg(long, value_enum, default_value_t = StageArg::Parse)]
    stage: StageArg,
    /// Accept Sphinx's roles and directives.
    #[arg(long)]
    sphinx: bool,
    /// The file to read, or `-` for standard input.
    #[arg(default_value = "-")]
    file: String,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum FormatArg {
    Text,
    /// One line per diagnostic: path:line:col: severity[code]: message.
    Short,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum StageArg {
    Parse,
    Full,
}

/// How much to print besides diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Validated options of `specsite build`.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub out: Option<PathBuf>,
    pub base_url: Option<String>,
    pub strict: bool,
    pub format: ReportFormat,
    pub verbosity: Verbosity,
    /// Keep highlighted code between builds (off with `--no-cache`).
    pub cache: bool,
}

/// Validated options of `specsite check`.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub root: PathBuf,
    pub format: ReportFormat,
    pub strict: bool,
    pub changed_since: Option<String>,
    pub base_url: Option<String>,
    /// Check external links too (`--external`).
    pub external: bool,
    pub verbosity: Verbosity,
    /// Keep highlighted code between builds (off with `--no-cache`).
    pub cache: bool,
}

/// Validated options of `specsite rst-tree`.
#[derive(Clone, Debug)]
pub struct RstTreeOptions {
    pub full: bool,
    pub sphinx: bool,
    /// `None` = standard input.
    pub file: Option<PathBuf>,
}

/// Validated options of `specsite list`.
#[derive(Clone, Debug)]
pub struct ListOptions {
    pub root: PathBuf,
    pub filter: crate::list::ListFilter,
    pub format: crate::list::ListFormat,
}

/// Validated options of `specsite init`.
#[derive(Clone, Debug)]
pub struct InitOptions {
    pub root: PathBuf,
    pub dry_run: bool,
}

/// Validated options of `specsite serve`.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// `None`: the first free port from 8000 on.
    pub port: Option<u16>,
    pub bind: std::net::IpAddr,
    /// Normalised: `/` or `/segment/…/`.
    pub base_path: String,
    pub open: bool,
    pub poll: bool,
    pub verbosity: Verbosity,
}

/// `repo`, `/repo` and `/repo/` all mean `/repo/`; only plain URL path
/// segments are accepted.
fn normalise_base_path(path: &str) -> Result<String, String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for segment in &segments {
        let plain = segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !plain || *segment == "." || *segment == ".." {
            return Err(format!(
                "has the segment {segment:?}; use letters, digits and -._~ only"
            ));
        }
    }
    if segments.is_empty() {
        Ok("/".to_string())
    } else {
        Ok(format!("/{}/", segments.join("/")))
    }
}

/// A command ready to run.
#[derive(Clone, Debug)]
pub enum Command {
    Build(BuildOptions),
    Check(CheckOptions),
    List(ListOptions),
    Init(InitOptions),
    Serve(ServeOptions),
    RstTree(RstTreeOptions),
}

/// A usage problem found after clap's own checks.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Parse the process arguments. Clap's own errors (and `--help`,
/// `--version`) exit from inside, with code 2 for errors.
pub fn parse() -> Result<Command, UsageError> {
    from_args(Args::parse())
}

/// Parse an explicit argument list (for tests).
pub fn parse_from<I, T>(args: I) -> Result<Command, UsageError>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args = Args::try_parse_from(args).map_err(|error| UsageError(error.to_string()))?;
    from_args(args)
}

fn from_args(args: Args) -> Result<Command, UsageError> {
    let verbosity = if args.quiet {
        Verbosity::Quiet
    } else if args.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    match args.command {
        CommandArgs::Build(build) => {
            let base_url = match build.base_url {
                Some(url) => match normalise_base_url(&url) {
                    Ok(_) => Some(url),
                    Err(message) => {
                        return Err(UsageError(format!("--base-url {url:?} {message}")))
                    }
                },
                None => None,
            };
            Ok(Command::Build(BuildOptions {
                root: build.root.unwrap_or_else(|| PathBuf::from(".")),
                out: build.out,
                base_url,
                strict: build.strict,
                format: match build.format {
                    FormatArg::Text => ReportFormat::Text,
                    FormatArg::Short => ReportFormat::Short,
                    FormatArg::Json => ReportFormat::Json,
                },
                verbosity,
                cache: !build.no_cache,
            }))
        }
        CommandArgs::Check(check) => {
            if let Some(url) = &check.base_url {
                if let Err(message) = normalise_base_url(url) {
                    return Err(UsageError(format!("--base-url {url:?} {message}")));
                }
            }
            Ok(Command::Check(CheckOptions {
                root: check.root.unwrap_or_else(|| PathBuf::from(".")),
                format: match check.format {
                    CheckFormatArg::Text => ReportFormat::Text,
                    CheckFormatArg::Short => ReportFormat::Short,
                    CheckFormatArg::Json => ReportFormat::Json,
                    CheckFormatArg::Github => ReportFormat::Github,
                    CheckFormatArg::Sarif => ReportFormat::Sarif,
                },
                strict: check.strict,
                changed_since: check.changed_since,
                base_url: check.base_url,
                external: check.external,
                verbosity,
                cache: !check.no_cache,
            }))
        }
        CommandArgs::List(list) => Ok(Command::List(ListOptions {
            root: list.root.unwrap_or_else(|| PathBuf::from(".")),
            filter: crate::list::ListFilter {
                status: list.status,
                milestone: list.milestone,
            },
            format: match list.format {
                ListFormatArg::Table => crate::list::ListFormat::Table,
                ListFormatArg::Json => crate::list::ListFormat::Json,
                ListFormatArg::Csv => crate::list::ListFormat::Csv,
            },
        })),
        CommandArgs::Init(init) => Ok(Command::Init(InitOptions {
            root: init.root.unwrap_or_else(|| PathBuf::from(".")),
            dry_run: init.dry_run,
        })),
        CommandArgs::Serve(serve) => Ok(Command::Serve(ServeOptions {
            root: serve.root.unwrap_or_else(|| PathBuf::from(".")),
            port: serve.port,
            bind: serve.bind,
            base_path: normalise_base_path(&serve.base_path).map_err(|message| {
                UsageError(format!("--base-path {:?} {message}", serve.base_path))
            })?,
            open: serve.open,
            poll: serve.poll,
            verbosity,
        })),
        CommandArgs::RstTree(tree) => Ok(Command::RstTree(RstTreeOptions {
            full: matches!(tree.stage, StageArg::Full),
            sphinx: tree.sphinx,
            file: (tree.file != "-").then(|| PathBuf::from(tree.file)),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_defaults_and_flags() {
        let Ok(Command::Build(options)) = parse_from(["specsite", "build"]) else {
            panic!("build expected");
        };
        assert_eq!(options.root, PathBuf::from("."));
        assert!(!options.strict);
        assert_eq!(options.format, ReportFormat::Text);
        let Ok(Command::Build(options)) = parse_from([
            "specsite",
            "-q",
            "build",
            "repo",
            "--out",
            "o",
            "--strict",
            "--format",
            "json",
            "--base-url",
            "https://x.github.io/r/",
        ]) else {
            panic!("build expected");
        };
        assert_eq!(options.root, PathBuf::from("repo"));
        assert_eq!(options.out, Some(PathBuf::from("o")));
        assert!(options.strict);
        assert_eq!(options.format, ReportFormat::Json);
        assert_eq!(options.verbosity, Verbosity::Quiet);
    }

    #[test]
    fn list_and_init_options() {
        let Ok(Command::List(options)) = parse_from([
            "specsite",
            "list",
            "repo",
            "--status",
            "implemented",
            "--milestone",
            "Kilo",
            "--format",
            "json",
        ]) else {
            panic!("list expected");
        };
        assert_eq!(options.root, PathBuf::from("repo"));
        assert_eq!(options.filter.status.as_deref(), Some("implemented"));
        assert_eq!(options.filter.milestone.as_deref(), Some("Kilo"));
        assert_eq!(options.format, crate::list::ListFormat::Json);
        assert!(matches!(
            parse_from(["specsite", "init", "--dry-run"]),
            Ok(Command::Init(InitOptions { dry_run: true, .. }))
        ));
        assert!(parse_from(["specsite", "list", "--format", "xml"]).is_err());
    }

    #[test]
    fn serve_defaults_and_base_paths() {
        let Ok(Command::Serve(options)) = parse_from(["specsite", "serve"]) else {
            panic!("serve expected");
        };
        assert_eq!(options.port, None);
        assert!(options.bind.is_loopback());
        assert_eq!(options.base_path, "/");
        for (given, normal) in [("repo", "/repo/"), ("/repo", "/repo/"), ("/a/b/", "/a/b/")] {
            let Ok(Command::Serve(options)) =
                parse_from(["specsite", "serve", "--base-path", given, "--port", "9000"])
            else {
                panic!("serve expected");
            };
            assert_eq!(options.base_path, normal);
            assert_eq!(options.port, Some(9000));
        }
        for bad in ["/../x/", "/a b/", "/<x>/"] {
            assert!(
                parse_from(["specsite", "serve", "--base-path", bad]).is_err(),
                "{bad}"
            );
        }
        assert!(parse_from(["specsite", "serve", "--bind", "not-an-ip"]).is_err());
    }

    #[test]
    fn check_options() {
        let Ok(Command::Check(options)) = parse_from([
            "specsite",
            "check",
            "repo",
            "--format",
            "sarif",
            "--strict",
            "--changed-since",
            "origin/main",
        ]) else {
            panic!("check expected");
        };
        assert_eq!(options.format, ReportFormat::Sarif);
        assert!(options.strict);
        assert_eq!(options.changed_since.as_deref(), Some("origin/main"));
        assert!(parse_from(["specsite", "check", "--format", "xml"]).is_err());
    }

    #[test]
    fn bad_usage_is_an_error() {
        assert!(parse_from(["specsite", "build", "--format", "xml"]).is_err());
        assert!(parse_from(["specsite", "build", "--base-url", "not-a-url"]).is_err());
        assert!(parse_from(["specsite", "frobnicate"]).is_err());
    }
}
