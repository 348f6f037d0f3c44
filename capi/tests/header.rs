//! The committed C header is what cbindgen makes of the crate now: a change
//! to the API that was not regenerated fails here, in `cargo test`, so the
//! header cannot drift (and CI needs no cbindgen binary).
//! `MINIMALLOC_BLESS=1 cargo test -p minimalloc-capi --test header`
//! rewrites it.

use std::path::Path;

#[test]
fn the_header_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read the crate");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("UTF-8 header");
    let path = dir.join("include/minimalloc.h");
    if std::env::var_os("MINIMALLOC_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        // The first line that differs, so that a CI log shows what drifted.
        let line = committed.lines().zip(generated.lines()).position(|(a, b)| a != b);
        let line = line.unwrap_or(committed.lines().count().min(generated.lines().count()));
        panic!(
            "include/minimalloc.h is stale from line {}: the crate now gives {:?}, the file has {:?}; run \
             `MINIMALLOC_BLESS=1 cargo test -p minimalloc-capi --test header` and commit it",
            line + 1,
            generated.lines().nth(line).unwrap_or("<end>"),
            committed.lines().nth(line).unwrap_or("<end>"),
        );
    }
}

/// The header and the README name every switch of the library's table, by
/// its constant and by its name: a switch added to the table and not here
/// fails (trust2/08).
#[test]
fn the_header_and_the_readme_name_every_switch() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(dir.join("include/minimalloc.h")).expect("the header");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("the README");
    let cpp = std::fs::read_to_string(dir.join("include/minimalloc.hpp")).expect("the C++ header");
    for s in minimalloc::Switch::ALL {
        let constant = format!("MM_SWITCH_{}", s.name().to_uppercase());
        assert!(header.contains(&constant), "minimalloc.h lacks {constant}");
        assert!(readme.contains(&format!("`{constant}` | `{}`", s.name())), "README.md lacks {constant}");
        assert!(
            cpp.contains(&format!("{{\"{}\", &SolverParams::{}}}", s.name(), s.name())),
            "minimalloc.hpp lacks {}",
            s.name()
        );
    }
    assert!(header.contains(&format!("MM_SWITCH_COUNT = {}", minimalloc::Switch::ALL.len())));
}
