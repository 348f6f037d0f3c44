//! Build script: records the git commit this build was made from, so that
//! `minimalloc --version`, `--stats-json` and a batch's report can always be
//! traced to the build that made them.
//!
//! The commit comes from, in order: the `MINIMALLOC_COMMIT` environment
//! variable (a packager building outside git says what it built); `git`,
//! when this crate is the top of a git checkout (not a crate unpacked inside
//! some other repository, as `cargo package` verifies it); the
//! `.cargo_vcs_info.json` that `cargo package` writes into a crate (a build
//! from crates.io knows the commit it was published from); else `unknown`.
//! A checkout whose compiled files differ from its commit gets `-dirty`.
//! The result is `MINIMALLOC_GIT_COMMIT` for `env!`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=MINIMALLOC_COMMIT");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit =
        from_env().or_else(|| from_git(&dir)).or_else(|| from_vcs_info(&dir)).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=MINIMALLOC_GIT_COMMIT={commit}");
}

/// `MINIMALLOC_COMMIT`, when set to something.
fn from_env() -> Option<String> {
    let v = std::env::var("MINIMALLOC_COMMIT").ok()?;
    let v = v.trim();
    // Only what fits on one line of `--version` and in a CSV cell unquoted.
    (!v.is_empty()).then(|| v.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.+".contains(*c)).collect())
}

/// `git`'s output for `args` in `dir`, trimmed; `None` when git is missing
/// or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").current_dir(dir).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The commit of the checkout `dir` is the top of, with `-dirty` when the
/// files compiled into the crate differ from it; the build script runs
/// again when HEAD moves (a commit, a checkout) or the index changes.
fn from_git(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    // A crate unpacked inside another repository (cargo package's
    // verification under target/package) is not that repository's commit.
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    let sha = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    // In a worktree HEAD and the index live in its own git directory, the
    // branches in the common one.
    let git_dir = PathBuf::from(git(dir, &["rev-parse", "--absolute-git-dir"])?);
    let common = git(dir, &["rev-parse", "--git-common-dir"]).map(|c| dir.join(c)).unwrap_or_else(|| git_dir.clone());
    let mut watched = vec![git_dir.join("HEAD"), git_dir.join("index"), common.join("packed-refs")];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(common.join(branch));
    }
    // Only files that exist: cargo reruns a script at every build when a
    // path it watches is missing.
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    // What is compiled; editing these reruns the script (cargo watches
    // folders recursively), so that -dirty comes and goes with the edits.
    let compiled = ["src", "build.rs", "Cargo.toml", "Cargo.lock", "configs/default.toml"];
    for path in compiled {
        println!("cargo:rerun-if-changed={path}");
    }
    let mut status = vec!["status", "--porcelain", "--untracked-files=no", "--"];
    status.extend(compiled);
    let dirty = git(dir, &status).is_none_or(|s| !s.is_empty());
    Some(if dirty { format!("{sha}-dirty") } else { sha })
}

/// The commit `cargo package` recorded in `.cargo_vcs_info.json`
/// (`"sha1": "..."`), shortened as git shortens it.
fn from_vcs_info(dir: &Path) -> Option<String> {
    let path = dir.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    let rest = &text[text.find("\"sha1\"")? + 6..];
    let sha: String = rest.chars().skip_while(|c| !c.is_ascii_hexdigit()).take_while(char::is_ascii_hexdigit).collect();
    let short = sha.get(..12)?.to_string();
    let dirty = text.contains("\"dirty\": true") || text.contains("\"dirty\":true");
    Some(if dirty { format!("{short}-dirty") } else { short })
}
