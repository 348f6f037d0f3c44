//! The `minimalloc` command-line tool; see `minimalloc --help`. The command
//! line itself lives in the library ([`minimalloc::cli`], feature `cli`), so
//! that the Python extension runs the same one.

fn main() {
    std::process::exit(minimalloc::cli::run());
}
