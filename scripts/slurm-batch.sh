#!/bin/bash
# A Slurm array job that splits a suite over nodes: task K of N solves every
# N-th file (minimalloc batch reads SLURM_ARRAY_TASK_ID/_COUNT/_MIN itself)
# and writes its own report; merge them when all tasks are done.
#
#   sbatch --array=1-4 scripts/slurm-batch.sh SUITE_DIR [batch flags...]
#   minimalloc merge --out report.csv reports/shard-*.csv
#
#SBATCH --job-name=minimalloc
#SBATCH --cpus-per-task=2
#SBATCH --output=minimalloc-%A_%a.log
set -euo pipefail
suite=${1:?usage: sbatch --array=1-N scripts/slurm-batch.sh SUITE_DIR [batch flags...]}
shift
bin=${MINIMALLOC:-minimalloc}
mkdir -p reports
exec "$bin" batch "$suite" --threads "${SLURM_CPUS_PER_TASK:-1}" \
  --report "reports/shard-${SLURM_ARRAY_TASK_ID:-1}.csv" "$@"
