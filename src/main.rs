//! The `minimalloc` command-line tool; see `minimalloc --help`.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
