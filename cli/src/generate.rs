//! `minimalloc generate`: writes benchmark instances (seeded) as CSV.

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use clap::{Args, Subcommand};

use minimalloc::generate::{concat, mirror, perfect, random, remove_pieces, shuffle, side_by_side};
use minimalloc::io::{read_csv_file, write_csv_file};
use minimalloc::Problem;

/// What to generate.
#[derive(Subcommand, Debug)]
pub enum Generate {
    /// Instances one after another in time, ids prefixed with each file's name.
    Concat(ConcatArgs),
    /// Buffers with random lifespans and sizes.
    Random(RandomArgs),
    /// A rectangle cut into buffers: a perfect packing of height --capacity
    /// exists (with --remove, some pieces removed: holes).
    Perfect(PerfectArgs),
    /// Instances side by side over one time range, at the sum of their
    /// capacities (from NAME.CAPACITY.csv, or --capacities).
    Stack(StackArgs),
    /// An instance with its rows shuffled (ids renamed with --rename, time
    /// mirrored with --mirror): the same packings, its layout hidden.
    Shuffle(ShuffleArgs),
}

/// `generate stack`.
#[derive(Args, Debug)]
pub struct StackArgs {
    /// Where to write the instance.
    #[arg(long)]
    pub out: PathBuf,
    /// The capacity of each input, comma-separated (default: each file's
    /// NAME.CAPACITY.csv).
    #[arg(long, value_delimiter = ',')]
    pub capacities: Vec<i64>,
    /// Shuffle the rows and rename the ids (seeded by --seed).
    #[arg(long)]
    pub shuffle: bool,
    /// Random seed of the shuffle.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The instances, bottom first; a file may appear more than once.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// `generate shuffle`.
#[derive(Args, Debug)]
pub struct ShuffleArgs {
    /// Where to write the instance.
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Rename the ids (b0, b1... in the new order).
    #[arg(long)]
    pub rename: bool,
    /// Run time backwards as well.
    #[arg(long)]
    pub mirror: bool,
    /// The instance.
    pub input: PathBuf,
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
    /// Percent of the pieces to remove (holes; still feasible at --capacity).
    #[arg(long, default_value_t = 0)]
    pub remove: u32,
}

/// The capacity in a file named NAME.CAPACITY.csv.
fn capacity_in_name(path: &std::path::Path) -> Option<i64> {
    path.file_stem()?.to_str()?.rsplit_once('.')?.1.parse().ok()
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
            if a.remove > 100 {
                return Err(anyhow!("--remove is a percentage, 0 to 100, got {}", a.remove));
            }
            let whole = perfect(a.seed, a.buffers, a.capacity, a.horizon);
            (&a.out, if a.remove > 0 { remove_pieces(&whole, a.seed, a.remove) } else { whole })
        }
        Generate::Stack(a) => {
            if !a.capacities.is_empty() && a.capacities.len() != a.inputs.len() {
                return Err(anyhow!(
                    "--capacities gives {} capacities for {} inputs",
                    a.capacities.len(),
                    a.inputs.len()
                ));
            }
            let mut parts = Vec::new();
            for (i, path) in a.inputs.iter().enumerate() {
                let mut p = read_csv_file(path).with_context(|| format!("reading {}", path.display()))?.problem;
                p.capacity = match a.capacities.get(i) {
                    Some(&c) => c,
                    None => capacity_in_name(path)
                        .ok_or_else(|| anyhow!("{} is not NAME.CAPACITY.csv: give --capacities", path.display()))?,
                };
                parts.push((format!("{}{}", (b'a' + (i % 26) as u8) as char, i / 26), p));
            }
            let refs: Vec<(&str, &Problem)> = parts.iter().map(|(n, p)| (n.as_str(), p)).collect();
            let stacked = side_by_side(&refs);
            eprintln!("capacity {}", stacked.capacity);
            (&a.out, if a.shuffle { shuffle(&stacked, a.seed, true) } else { stacked })
        }
        Generate::Shuffle(a) => {
            let p = read_csv_file(&a.input).with_context(|| format!("reading {}", a.input.display()))?.problem;
            let p = if a.mirror { mirror(&p) } else { p };
            (&a.out, shuffle(&p, a.seed, a.rename))
        }
    };
    write_csv_file(out, &problem, None)?;
    eprintln!("wrote {} ({} buffers)", out.display(), problem.buffers.len());
    Ok(())
}
