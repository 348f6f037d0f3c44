//! What the command-line tests share: the seed example, the binary, files
//! written into a test's folder, and the shared data beside the repository
//! (third-party data is never copied into it; without it a test says what
//! it skipped).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The upstream README's example, and its output at capacity 12.
pub const SEED: &str = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";
pub const SEED_OUT: &str = "id,lower,upper,size,offset\nb1,0,3,4,8\nb2,3,9,4,8\nb3,0,9,4,4\nb4,9,21,4,4\nb5,0,21,4,0\n";

/// The `minimalloc` binary of this build.
pub fn bin() -> Command {
    Command::cargo_bin("minimalloc").unwrap()
}

/// Writes `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The repository's root (this crate is `cli/` in it).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A file under `../shared` (beside the repository), if it is there.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is not here (../shared is absent)", p.display());
        None
    }
}
