//! The `specsite` binary: parse the command line, run the library, map the
//! outcome to an exit code (0 success, 1 content errors, 2 usage or
//! internal error).

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

use specsite::build::{build_site, SiteBuild};
use specsite::cli::{
    self, BuildOptions, CheckOptions, Command, InitOptions, ListOptions, RstTreeOptions,
    ServeOptions, Verbosity,
};
use specsite::config::{Overrides, CONFIG_FILE};
use specsite::diag::Tally;
use specsite::report::{self, ReportFormat, SourceTexts};

/// mimalloc instead of glibc's malloc: a build allocates and frees millions
/// of small strings (highlighting spans, search terms, page HTML) across
/// threads, where glibc's allocator spent ~18 % of all CPU in a profile of a
/// rust-rfcs build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONTENT_ERRORS: u8 = 1;
const USAGE_OR_INTERNAL: u8 = 2;

fn main() -> ExitCode {
    let command = match cli::parse() {
        Ok(command) => command,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(USAGE_OR_INTERNAL);
        }
    };
    match command {
        Command::Build(options) => run_build(&options),
        Command::Check(options) => run_check(&options),
        Command::List(options) => run_list(&options),
        Command::Init(options) => run_init(&options),
        Command::Serve(options) => run_serve(&options),
        Command::RstTree(options) => run_rst_tree(&options),
    }
}

/// The cache directory for highlighted code, when caching is on.
fn cache_dir(enabled: bool) -> Option<std::path::PathBuf> {
    enabled
        .then(specsite::render::code_cache::default_dir)
        .flatten()
}

fn current_dir() -> Option<std::path::PathBuf> {
    match std::env::current_dir() {
        Ok(cwd) => Some(cwd),
        Err(error) => {
            eprintln!("error: cannot determine the current directory: {error}");
            None
        }
    }
}

fn run_list(options: &ListOptions) -> ExitCode {
    let Some(cwd) = current_dir() else {
        return ExitCode::from(USAGE_OR_INTERNAL);
    };
    let read = match specsite::build::read_specs(&options.root, &Overrides::default(), &cwd) {
        Ok(read) => read,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(USAGE_OR_INTERNAL);
        }
    };
    let scheme = &read.config.metadata.status;
    let selected = match specsite::list::select(
        &read.specs,
        &options.filter,
        scheme,
        &read.config.metadata.releases,
    ) {
        Ok(selected) => selected,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(USAGE_OR_INTERNAL);
        }
    };
    let text = specsite::list::render(&selected, options.format, scheme);
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(USAGE_OR_INTERNAL);
    }
    ExitCode::SUCCESS
}

fn run_init(options: &InitOptions) -> ExitCode {
    let root = match specsite::build::resolve_root(&options.root) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(USAGE_OR_INTERNAL);
        }
    };
    let path = root.join(CONFIG_FILE);
    if !options.dry_run && path.exists() {
        eprintln!(
            "error: {} already exists; use --dry-run to see what init would write",
            path.display()
        );
        return ExitCode::from(USAGE_OR_INTERNAL);
    }
    let config = specsite::config::Config::defaults(&root);
    let spec_count = specsite::load::load(&config)
        .files
        .iter()
        .filter(|f| f.role == specsite::source::FileRole::Spec)
        .count();
    let detections = specsite::detect::detect(&config);
    let text = specsite::detect::init_config(&config, &detections, spec_count);
    if options.dry_run {
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    if let Err(error) = std::fs::write(&path, text) {
        eprintln!("error: cannot write {}: {error}", path.display());
        return ExitCode::from(USAGE_OR_INTERNAL);
    }
    let names: Vec<&str> = detections.iter().map(|d| d.preset.name()).collect();
    eprintln!(
        "wrote {} (detected: {})",
        path.display(),
        if names.is_empty() {
            "nothing".to_string()
        } else {
            names.join(", ")
        }
    );
    ExitCode::SUCCESS
}

fn run_serve(options: &ServeOptions) -> ExitCode {
    let Some(cwd) = current_dir() else {
        return ExitCode::from(USAGE_OR_INTERNAL);
    };
    let config = specsite::serve::ServeConfig {
        root: options.root.clone(),
        port: options.port,
        bind: options.bind,
        base_path: options.base_path.clone(),
        open: options.open,
        poll: options.poll,
        quiet: options.verbosity == Verbosity::Quiet,
        verbose: options.verbosity == Verbosity::Verbose,
    };
    match specsite::serve::serve(&config, &cwd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(USAGE_OR_INTERNAL)
        }
    }
}

fn print_diagnostics(build: &SiteBuild, format: ReportFormat) {
    let mut texts = SourceTexts::default();
    for file in &build.sources.files {
        texts.add(&file.rel_path, &file.text);
    }
    for (path, text) in &build.sources.undecodable {
        texts.add(path, text);
    }
    if let Some(text) = &build.config_text {
        texts.add(CONFIG_FILE, text);
    }
    match format {
        ReportFormat::Text => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let text = report::render_text(&build.diagnostics, &texts, color);
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        ReportFormat::Short => {
            let text = report::render_short(&build.diagnostics, &texts);
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        other => println!(
            "{}",
            report::render(other, &build.diagnostics, &texts, false).trim_end()
        ),
    }
}

fn run_build(options: &BuildOptions) -> ExitCode {
    let started = Instant::now();
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(error) => {
            eprintln!("error: cannot determine the current directory: {error}");
            return ExitCode::from(USAGE_OR_INTERNAL);
        }
    };
    let overrides = Overrides {
        output_dir: options.out.clone(),
        base_url: options.base_url.clone(),
        cache_dir: cache_dir(options.cache),
    };
    let build = match build_site(&options.root, &overrides, &cwd) {
        Ok(build) => build,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(USAGE_OR_INTERNAL);
        }
    };
    print_diagnostics(&build, options.format);
    let tally = Tally::of(&build.diagnostics);
    let failed = build.has_errors(options.strict);
    let out = &build.config.output_dir;
    if failed {
        if options.format == ReportFormat::Text && options.verbosity != Verbosity::Quiet {
            eprintln!(
                "build failed: {}{}; the previous site in {} is unchanged",
                report::summary(tally),
                if options.strict {
                    " (--strict: warnings count as errors)"
                } else {
                    ""
                },
                out.display()
            );
        }
        return ExitCode::from(CONTENT_ERRORS);
    }
    let write_started = Instant::now();
    if let Err(error) = specsite::output::write_atomically(&build.tree, &build.config.root, out) {
        eprintln!("error: {error}");
        return ExitCode::from(USAGE_OR_INTERNAL);
    }
    if options.verbosity == Verbosity::Verbose {
        for (stage, duration) in &build.timings.stages {
            eprintln!("  {stage:<14} {:>8.1} ms", duration.as_secs_f64() * 1000.0);
        }
        eprintln!(
            "  {:<14} {:>8.1} ms",
            "write",
            write_started.elapsed().as_secs_f64() * 1000.0
        );
    }
    if options.format == ReportFormat::Text && options.verbosity != Verbosity::Quiet {
        eprintln!(
            "built {} specs ({} files) into {} in {:.2} s; {}",
            build.specs.len(),
            build.tree.len(),
            out.display(),
            started.elapsed().as_secs_f64(),
            report::summary(tally)
        );
    }
    // The process ends here: freeing every tree and page one by one took
    // ~2 % of a build, and the OS reclaims the memory at exit anyway.
    std::mem::forget(build);
    ExitCode::SUCCESS
}

fn run_check(options: &CheckOptions) -> ExitCode {
    let Some(cwd) = current_dir() else {
        return ExitCode::from(USAGE_OR_INTERNAL);
    };
    let overrides = Overrides {
        output_dir: None,
        base_url: options.base_url.clone(),
        cache_dir: cache_dir(options.cache),
    };
    let build = match build_site(&options.root, &overrides, &cwd) {
        Ok(build) => build,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(USAGE_OR_INTERNAL);
        }
    };
    let checked = specsite::check::run(&build);
    let mut diagnostics = checked.diagnostics;
    let external = options.external.then(|| {
        let (mut found, summary) = specsite::check::run_external(&build);
        diagnostics.append(&mut found);
        report::sort(&mut diagnostics);
        summary
    });
    if let Some(revision) = &options.changed_since {
        match specsite::check::changed_since(&build.config.root, revision) {
            Ok(changed) => diagnostics = specsite::check::only_changed(diagnostics, &changed),
            Err(message) => {
                eprintln!("error: --changed-since {revision}: {message}");
                return ExitCode::from(USAGE_OR_INTERNAL);
            }
        }
    }
    let mut texts = SourceTexts::default();
    for file in &build.sources.files {
        texts.add(&file.rel_path, &file.text);
    }
    for (path, text) in &build.sources.undecodable {
        texts.add(path, text);
    }
    if let Some(text) = &build.config_text {
        texts.add(CONFIG_FILE, text);
    }
    let tally = Tally::of(&diagnostics);
    let failed = tally.errors > 0 || (options.strict && tally.warnings > 0);
    if options.format == ReportFormat::Text {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let text = report::render_text(&diagnostics, &texts, color);
        let _ = std::io::stderr().write_all(text.as_bytes());
        if options.verbosity != Verbosity::Quiet {
            for (template, count) in &checked.templates {
                eprintln!("checked {count} specs against {template}");
            }
            if let Some(summary) = external {
                eprintln!(
                    "checked {} external links ({} answers from the cache): {} broken",
                    summary.urls, summary.from_cache, summary.broken
                );
            }
            eprintln!(
                "checked {} specs ({} pages): {}",
                build.specs.len(),
                build.tree.len(),
                report::summary(tally)
            );
        }
    } else if options.format == ReportFormat::Json {
        // The same document as the site's api/lint.json, one schema for both.
        println!(
            "{}",
            specsite::check::lint_api::lint_json(&diagnostics, &texts)
        );
    } else {
        println!(
            "{}",
            report::render(options.format, &diagnostics, &texts, false).trim_end()
        );
    }
    if failed {
        ExitCode::from(CONTENT_ERRORS)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_rst_tree(options: &RstTreeOptions) -> ExitCode {
    let mut input = String::new();
    let read = match &options.file {
        Some(path) => std::fs::read_to_string(path).map(|text| input = text),
        None => std::io::stdin().read_to_string(&mut input).map(|_| ()),
    };
    if let Err(error) = read {
        eprintln!("error: cannot read the input: {error}");
        return ExitCode::from(USAGE_OR_INTERNAL);
    }
    let stage = if options.full {
        specsite::markup::rst::Stage::Full
    } else {
        specsite::markup::rst::Stage::Parse
    };
    let tree = specsite::markup::rst::rst_tree(&input, stage, options.sphinx);
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(tree.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(USAGE_OR_INTERNAL);
    }
    ExitCode::SUCCESS
}
