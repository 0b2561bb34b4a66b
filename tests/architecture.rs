//! The layering rule, enforced: arrows point one way (see ARCHITECTURE.md).
//!
//! Every `use` and every path in `src/` is read with `syn`, resolved to the module it names (`crate::`,
//! `super::`, `self::`, nested `mod`s and brace groups included) and checked against the table below. A
//! forbidden import fails this test with the file, the line and the rule it breaks.
//!
//! Why a test and not workspace crates: the layers already compile as one crate with one set of public
//! paths the tests and benches use; splitting into crates would move every file again and slow the 2-core
//! builds for no stronger guarantee than this check gives for `use` — and this test also covers what crate
//! boundaries cannot: which *external* crates a layer may touch (no tokio, no AWS SDK, no file or network I/O
//! in the reducer or the pure model).

use std::path::{Path, PathBuf};
use syn::spanned::Spanned;
use syn::visit::Visit;

/// A layer: the first module under `crate` (`aws::sdk` is its own layer: the only AWS SDK user).
fn layer_of(module: &[String]) -> String {
    match module {
        [first, second, ..] if first == "aws" && second == "sdk" => "aws::sdk".into(),
        [first, ..] => first.clone(),
        [] => "crate".into(),
    }
}

/// Layers each layer must not import.
const FORBIDDEN_LAYERS: &[(&str, &[&str])] = &[
    // Pure logic both sides share: depends on AWS domain types only.
    (
        "model",
        &[
            "app", "protocol", "workers", "runtime", "ui", "sim", "keymap", "theme", "config",
            "cli", "aws::sdk",
        ],
    ),
    // What travels: plain data over model and AWS types.
    (
        "protocol",
        &[
            "app", "workers", "runtime", "ui", "sim", "keymap", "theme", "config", "cli",
            "aws::sdk",
        ],
    ),
    // The reducer never knows who runs its effects.
    ("app", &["workers", "runtime", "ui", "sim", "aws::sdk"]),
    // The workers never know who asked.
    (
        "workers",
        &["app", "runtime", "ui", "sim", "keymap", "theme", "cli"],
    ),
    // Views read the state; they never reach the workers or an AWS client.
    ("ui", &["workers", "runtime", "sim", "aws::sdk"]),
    // AWS behind traits knows nothing of the app.
    (
        "aws",
        &[
            "app", "protocol", "model", "workers", "runtime", "ui", "sim", "keymap", "theme",
            "config", "cli",
        ],
    ),
    (
        "aws::sdk",
        &[
            "app", "protocol", "model", "workers", "runtime", "ui", "sim", "keymap", "theme",
            "config", "cli",
        ],
    ),
    // The simulated fleet is another implementation of the AWS traits.
    (
        "sim",
        &[
            "app", "protocol", "model", "workers", "runtime", "ui", "keymap", "theme", "config",
            "cli", "aws::sdk",
        ],
    ),
];

/// External crates (and std modules) a layer must not use: the reducer, the model and the views do no I/O
/// and read no clock; only `aws::sdk` talks to the AWS SDK.
const FORBIDDEN_EXTERNAL: &[(&str, &[&str])] = &[
    (
        "model",
        &[
            "tokio",
            "futures",
            "ratatui",
            "crossterm",
            "aws_config",
            "std::fs",
            "std::net",
            "std::process",
            "std::thread",
            "std::io",
        ],
    ),
    (
        "protocol",
        &[
            "tokio",
            "futures",
            "ratatui",
            "aws_config",
            "std::fs",
            "std::net",
            "std::process",
            "std::thread",
        ],
    ),
    (
        "app",
        &[
            "tokio",
            "futures",
            "aws_config",
            "std::fs",
            "std::net",
            "std::process",
            "std::thread",
        ],
    ),
    (
        "ui",
        &[
            "tokio",
            "futures",
            "aws_config",
            "std::fs",
            "std::net",
            "std::process",
            "std::thread",
        ],
    ),
];

/// Calls that read the clock: the reducer and the views get the time as `Msg::Tick` / `state.now`.
const CLOCK_READS: &[&str] = &["SystemTime::now", "Instant::now"];
const NO_CLOCK: &[&str] = &["model", "protocol", "app", "ui"];

#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    path: String,
    rule: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}` — {}",
            self.file, self.line, self.path, self.rule
        )
    }
}

struct Checker<'a> {
    file: &'a str,
    /// The module the code being visited is in (grows inside inline `mod`s).
    module: Vec<String>,
    layer: String,
    found: Vec<Violation>,
}

impl Checker<'_> {
    /// Checks one path (segments as written) used at `line`.
    fn check(&mut self, segments: &[String], line: usize) {
        let Some(first) = segments.first() else {
            return;
        };
        let written = segments.join("::");
        // Resolve crate-relative paths to the module they name.
        let target: Option<Vec<String>> = match first.as_str() {
            "crate" => Some(segments.get(1..).unwrap_or_default().to_vec()),
            "super" | "self" => {
                let mut module = self.module.clone();
                let mut rest = segments;
                while let Some(head) = rest.first() {
                    match head.as_str() {
                        "super" => {
                            module.pop();
                        }
                        "self" => {}
                        _ => break,
                    }
                    rest = rest.get(1..).unwrap_or_default();
                }
                module.extend(rest.iter().cloned());
                Some(module)
            }
            _ => None,
        };
        match target {
            Some(target) => {
                let to = layer_of(&target);
                let forbidden = FORBIDDEN_LAYERS
                    .iter()
                    .find(|(from, _)| *from == self.layer)
                    .is_some_and(|(_, list)| list.contains(&to.as_str()));
                if forbidden {
                    self.found.push(Violation {
                        file: self.file.to_owned(),
                        line,
                        path: written,
                        rule: format!("`{}` must not import `{to}`", self.layer),
                    });
                }
            }
            None => {
                let external = first.as_str();
                if external.starts_with("aws_sdk_") && self.layer != "aws::sdk" {
                    self.found.push(Violation {
                        file: self.file.to_owned(),
                        line,
                        path: written.clone(),
                        rule: "only `aws::sdk` uses the AWS SDK".into(),
                    });
                }
                let banned = FORBIDDEN_EXTERNAL
                    .iter()
                    .find(|(from, _)| *from == self.layer)
                    .map_or(&[][..], |(_, list)| *list);
                if let Some(hit) = banned
                    .iter()
                    .find(|b| written == **b || written.starts_with(&format!("{b}::")))
                {
                    self.found.push(Violation {
                        file: self.file.to_owned(),
                        line,
                        path: written.clone(),
                        rule: format!("`{}` must not use `{hit}` (no I/O here)", self.layer),
                    });
                }
                if NO_CLOCK.contains(&self.layer.as_str())
                    && CLOCK_READS.iter().any(|c| written.ends_with(c))
                {
                    self.found.push(Violation {
                        file: self.file.to_owned(),
                        line,
                        path: written,
                        rule: format!("`{}` must not read the clock", self.layer),
                    });
                }
            }
        }
    }
}

/// Every full path of a use tree: `a::{b, c::d}` -> `a::b`, `a::c::d`.
fn flatten(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            if n.ident != "self" {
                full.push(n.ident.to_string());
            }
            out.push(full);
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push(full);
        }
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for item in &g.items {
                flatten(item, prefix, out);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Checker<'_> {
    fn visit_item_mod(&mut self, node: &'ast syn::ItemMod) {
        self.module.push(node.ident.to_string());
        syn::visit::visit_item_mod(self, node);
        self.module.pop();
    }

    fn visit_item_use(&mut self, node: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        flatten(&node.tree, &mut Vec::new(), &mut paths);
        let line = node.span().start().line;
        for path in paths {
            self.check(&path, line);
        }
    }

    fn visit_path(&mut self, node: &'ast syn::Path) {
        let segments: Vec<String> = node.segments.iter().map(|s| s.ident.to_string()).collect();
        self.check(&segments, node.span().start().line);
        syn::visit::visit_path(self, node);
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        // Paths inside macro bodies (format!, vec!, matches!...) are tokens to syn: parse what parses.
        if let Ok(expr) = node.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) {
            for e in expr {
                self.visit_expr(&e);
            }
        }
        syn::visit::visit_macro(self, node);
    }
}

/// The module path of a file under src/: `src/app/update/keys.rs` -> `app::update::keys`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if stem != "mod" && stem != "lib" && stem != "main" {
            parts.push(stem.to_owned());
        }
    }
    parts
}

fn check_source(file: &str, module: Vec<String>, source: &str) -> Vec<Violation> {
    let syntax = syn::parse_file(source).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut checker = Checker {
        file,
        layer: layer_of(&module),
        module,
        found: Vec::new(),
    };
    checker.visit_file(&syntax);
    checker.found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_layer_imports_only_what_it_may() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut violations = Vec::new();
    for path in &files {
        let relative = path.strip_prefix(&src).expect("under src/");
        // The binary is the composition root: it wires every layer together.
        if relative == Path::new("main.rs") {
            continue;
        }
        let source = std::fs::read_to_string(path).expect("read source");
        violations.extend(check_source(
            &relative.display().to_string(),
            module_of(relative),
            &source,
        ));
    }
    let report: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        report.is_empty(),
        "{} forbidden imports:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// The checker itself can fail: each kind of forbidden path, written each way, is caught.
#[test]
fn the_checker_catches_forbidden_imports_however_they_are_written() {
    let module = |m: &str| m.split("::").map(str::to_owned).collect::<Vec<_>>();
    let caught = |file: &str, m: &str, source: &str| {
        check_source(file, module(m), source)
            .into_iter()
            .map(|v| v.rule)
            .collect::<Vec<_>>()
    };
    // A plain use, a brace group, super::, and a path in an expression inside a macro.
    assert_eq!(
        caught("app/x.rs", "app::x", "use crate::workers::poll::Poller;"),
        ["`app` must not import `workers`"]
    );
    assert_eq!(
        caught(
            "app/x.rs",
            "app::x",
            "use crate::{model::Tone, runtime::run};"
        ),
        ["`app` must not import `runtime`"]
    );
    assert_eq!(
        caught(
            "workers/x.rs",
            "workers::x",
            "use super::super::app::State;"
        ),
        ["`workers` must not import `app`"]
    );
    assert_eq!(
        caught(
            "app/x.rs",
            "app::x",
            "fn f() { let _ = format!(\"{}\", crate::workers::clock::now_ms()); }"
        ),
        ["`app` must not import `workers`"]
    );
    assert_eq!(
        caught(
            "app/x.rs",
            "app::x",
            "mod tests { use super::super::super::runtime::run; }"
        ),
        ["`app` must not import `runtime`"]
    );
    assert_eq!(
        caught("ui/x.rs", "ui::x", "use aws_sdk_ecs::Client;"),
        ["only `aws::sdk` uses the AWS SDK"]
    );
    assert_eq!(
        caught("model/x.rs", "model::x", "use tokio::sync::mpsc;"),
        ["`model` must not use `tokio` (no I/O here)"]
    );
    assert_eq!(
        caught(
            "app/x.rs",
            "app::x",
            "fn f() { let _ = std::time::SystemTime::now(); }"
        ),
        ["`app` must not read the clock"]
    );
    // What is allowed stays allowed.
    assert!(
        caught(
            "app/x.rs",
            "app::x",
            "use crate::protocol::Msg; use crate::model::Tone;"
        )
        .is_empty()
    );
    assert!(
        caught(
            "aws/sdk/ecs.rs",
            "aws::sdk::ecs",
            "use aws_sdk_ecs::Client;"
        )
        .is_empty()
    );
}
