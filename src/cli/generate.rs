//! `minimalloc generate`: writes benchmark instances (seeded) as CSV.

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};

use minimalloc::generate::{concat, perfect, random};
use minimalloc::io::{read_csv_file, write_csv_file};
use minimalloc::Problem;

/// What to generate.
#[derive(Subcommand, Debug)]
pub enum Generate {
    /// Instances one after another in time, ids prefixed with each file's name.
    Concat(ConcatArgs),
    /// Buffers with random lifespans and sizes.
    Random(RandomArgs),
    /// A rectangle cut into buffers: a perfect packing of height --capacity exists.
    Perfect(PerfectArgs),
}

/// `generate concat`.
#[derive(Args, Debug)]
pub struct ConcatArgs {
    /// Where to write the instance.
    #[arg(long)]
    pub out: PathBuf,
    /// The instances, in time order; a file may appear more than once.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// `generate random`.
#[derive(Args, Debug)]
pub struct RandomArgs {
    /// Where to write the instance.
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of buffers.
    #[arg(long, default_value_t = 100)]
    pub buffers: usize,
    /// Lifespans lie in [0, horizon).
    #[arg(long, default_value_t = 1000)]
    pub horizon: i64,
    /// Longest lifespan.
    #[arg(long, default_value_t = 100)]
    pub max_width: i64,
    /// Largest size.
    #[arg(long, default_value_t = 1024)]
    pub max_size: i64,
}

/// `generate perfect`.
#[derive(Args, Debug)]
pub struct PerfectArgs {
    /// Where to write the instance.
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Number of buffers.
    #[arg(long, default_value_t = 100)]
    pub buffers: usize,
    /// The height of the hidden perfect packing.
    #[arg(long, default_value_t = 1 << 20)]
    pub capacity: i64,
    /// The time span it covers.
    #[arg(long, default_value_t = 1000)]
    pub horizon: i64,
}

/// Runs a `generate` command.
pub fn run(cmd: &Generate) -> anyhow::Result<()> {
    let (out, problem): (&PathBuf, Problem) = match cmd {
        Generate::Concat(a) => {
            let mut parts = Vec::new();
            for path in &a.inputs {
                let p = read_csv_file(path).with_context(|| format!("reading {}", path.display()))?.problem;
                let name =
                    path.file_name().and_then(|n| n.to_str()).and_then(|n| n.split('.').next()).unwrap_or("part");
                parts.push((name.to_string(), p));
            }
            // Repeated files get distinct prefixes: A, A2, A3...
            let mut seen = std::collections::HashMap::new();
            let named: Vec<(String, Problem)> = parts
                .into_iter()
                .map(|(n, p)| {
                    let k = seen.entry(n.clone()).or_insert(0);
                    *k += 1;
                    (if *k == 1 { n } else { format!("{n}{k}") }, p)
                })
                .collect();
            let refs: Vec<(&str, &Problem)> = named.iter().map(|(n, p)| (n.as_str(), p)).collect();
            (&a.out, concat(&refs))
        }
        Generate::Random(a) => {
            if a.buffers == 0 || a.horizon < 1 || a.max_width < 1 || a.max_size < 1 {
                return Err(anyhow!("--buffers, --horizon, --max-width and --max-size must be positive"));
            }
            (&a.out, random(a.seed, a.buffers, a.horizon, a.max_width, a.max_size))
        }
        Generate::Perfect(a) => {
            if a.buffers == 0 || a.capacity < 1 || a.horizon < 1 {
                return Err(anyhow!("--buffers, --capacity and --horizon must be positive"));
            }
            (&a.out, perfect(a.seed, a.buffers, a.capacity, a.horizon))
        }
    };
    write_csv_file(out, &problem, None)?;
    eprintln!("wrote {} ({} buffers)", out.display(), problem.buffers.len());
    Ok(())
}
