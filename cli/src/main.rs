//! The `minimalloc` command-line tool; see `minimalloc --help`. The command
//! line itself is this crate's library ([`minimalloc_cli`]), so that the
//! Python extension runs the same one for `python -m minimalloc`.

fn main() {
    std::process::exit(minimalloc_cli::run());
}
