//! Where outputs land: the identity of a file by any spelling of its path
//! (hard and symbolic links included), whether it exists yet or not, so
//! that no path is made to hold two things: two outputs of one run, or an
//! output and an input, are refused before anything is solved or written.

use std::path::{Path, PathBuf};

/// Symbolic links followed before giving up, as the kernel does (`ELOOP`).
const MAX_LINKS: usize = 40;

/// The file that writing `path` should replace: `path` itself, or, when it
/// is a symbolic link, what the link points to (followed link by link, so a
/// link to a file not yet created resolves too).
pub(crate) fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(std::io::Error::other(format!("more than {MAX_LINKS} levels of symbolic links")))
}

/// What makes two paths one file: device and inode on Unix, where hard
/// links and links of any kind are caught; elsewhere the canonical path.
#[cfg(unix)]
pub type FileKey = (u64, u64);
/// What makes two paths one file: the canonical path.
#[cfg(not(unix))]
pub type FileKey = PathBuf;

/// The identity of the file at `path` (links followed), if it exists.
pub fn file_key(path: &Path) -> Option<FileKey> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok()
    }
}

/// Whether writing `output` would overwrite the file `input`: the same file
/// by any spelling of its path, a hard link or a symbolic link. False when
/// either does not exist, since then nothing can be lost.
pub fn same_file(input: &Path, output: &Path) -> bool {
    match (file_key(input), file_key(output)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The file that writing a path would replace, told apart from every other
/// (see [`write_target`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A file (or directory) that exists.
    Existing(FileKey),
    /// One not yet created: its folder's canonical path and its name.
    New(PathBuf),
}

/// What writing `path` would replace, as [`crate::io::write_file_atomic`]
/// writes it: symbolic links followed, the file they end at. `None` for a
/// device, pipe or socket (`/dev/null`, a terminal): writing there replaces
/// nothing, and several outputs may share one. Also `None` when the path
/// cannot be resolved (its folder does not exist): writing will say why.
pub fn write_target(path: &Path) -> Option<Target> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() || meta.is_dir() => file_key(path).map(Target::Existing),
        Ok(_) => None,
        Err(_) => {
            let end = resolve_links(path).ok()?;
            let dir = match end.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            Some(Target::New(std::fs::canonicalize(dir).ok()?.join(end.file_name()?)))
        }
    }
}

/// What a file that is not a regular file is, in words: "a folder", "a
/// named pipe", "a socket", "a device".
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else if meta.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

/// The path standard output writes to, where the platform names one.
pub fn standard_output() -> Option<&'static Path> {
    cfg!(unix).then(|| Path::new("/dev/stdout"))
}

/// The first clash among what a run will write: two of `outputs` (labelled
/// paths, such as `("--svg", path)`) that land in one file, or one that is
/// one of `inputs`. The message names both and the file; `None` when every
/// output lands apart.
pub fn first_clash(outputs: &[(&str, &Path)], inputs: &[(&str, &Path)]) -> Option<String> {
    use std::collections::HashMap;
    let inputs: HashMap<FileKey, (&str, &Path)> =
        inputs.iter().filter_map(|&(label, path)| Some((file_key(path)?, (label, path)))).collect();
    let mut seen: HashMap<Target, (&str, &Path)> = HashMap::new();
    for &(label, path) in outputs {
        let Some(target) = write_target(path) else { continue };
        if let Some((what, input)) = match &target {
            Target::Existing(key) => inputs.get(key),
            Target::New(_) => None,
        } {
            return Some(format!(
                "{label} {} is the {what} {}: refusing to overwrite an input",
                path.display(),
                input.display()
            ));
        }
        if let Some((other, earlier)) = seen.get(&target) {
            return Some(format!(
                "{label} {} and {other} {} are the same file: each output needs a file of its own",
                path.display(),
                earlier.display()
            ));
        }
        seen.insert(target, (label, path));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_file_sees_other_spellings_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        std::fs::write(&a, "x").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert!(same_file(&a, &a));
        assert!(same_file(&a, &sub.join("..").join("a.csv")));
        assert!(!same_file(&a, &dir.path().join("b.csv")), "a file not yet written is no input");
        std::fs::write(dir.path().join("c.csv"), "x").unwrap();
        assert!(!same_file(&a, &dir.path().join("c.csv")), "same content, other file");
        std::fs::hard_link(&a, dir.path().join("hard.csv")).unwrap();
        assert!(same_file(&a, &dir.path().join("hard.csv")));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("a.csv", dir.path().join("sym.csv")).unwrap();
            assert!(same_file(&a, &dir.path().join("sym.csv")));
            assert!(same_file(&dir.path().join("sym.csv"), &a));
        }
    }

    #[cfg(unix)]
    #[test]
    fn clashes_are_found_by_any_spelling_existing_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "x").unwrap();
        let out = dir.path().join("out.csv");
        let other = dir.path().join("sub").join("..").join("out.csv");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let clash = first_clash(&[("--output", &out), ("--svg", &other)], &[]).unwrap();
        assert!(clash.contains("--svg") && clash.contains("--output") && clash.contains("same file"), "{clash}");
        let clash = first_clash(&[("--output", &out), ("--stats-json", &input)], &[("input", &input)]).unwrap();
        assert!(clash.contains("--stats-json") && clash.contains("refusing to overwrite an input"), "{clash}");
        assert_eq!(
            first_clash(&[("--output", &out), ("--svg", &dir.path().join("p.svg"))], &[("input", &input)]),
            None
        );
        assert_eq!(first_clash(&[("a", Path::new("/dev/null")), ("b", Path::new("/dev/null"))], &[]), None);
        #[cfg(unix)]
        {
            // A link to a file not yet written lands where the file will be.
            std::os::unix::fs::symlink("out.csv", dir.path().join("link.csv")).unwrap();
            assert!(first_clash(&[("--output", &out), ("--svg", &dir.path().join("link.csv"))], &[]).is_some());
        }
    }
}
