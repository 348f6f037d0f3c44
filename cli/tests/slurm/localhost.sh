#!/bin/bash
# Runs scripts/slurm-batch.sh under a real single-node Slurm on localhost:
# starts munged, slurmctld and slurmd with a throwaway configuration, submits
# the array job over a suite in two shards, merges the shard reports and
# checks that they hold the same rows as one batch over the whole suite.
#
#   cli/tests/slurm/localhost.sh [MINIMALLOC_BINARY] [SUITE_DIR]
#
# Needs root and Debian's slurm-wlm and munge (apt-get install slurm-wlm
# munge). Exit 0: passed; 1: the rows differ or the job failed; 77: Slurm
# could not be started here (the reason is printed), so nothing was tested.
set -euo pipefail
here=$(cd "$(dirname "$0")/../../.." && pwd)
bin=$(realpath "${1:-$here/target/release/minimalloc}")
suite=$(realpath "${2:-$here/../shared/benchmarks/challenging}")
skip() { echo "slurm test SKIPPED: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to start the Slurm daemons"
for cmd in munged slurmctld slurmd sbatch squeue; do
  command -v "$cmd" >/dev/null || [ -x "/usr/sbin/$cmd" ] || skip "$cmd not installed (apt-get install slurm-wlm munge)"
done
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }
[ -d "$suite" ] || skip "no suite at $suite"

work=$(mktemp -d /tmp/minimalloc-slurm.XXXXXX)
export SLURM_CONF=$work/slurm.conf
cleanup() {
  [ -f "$work/slurmctld.pid" ] && kill "$(cat "$work/slurmctld.pid")" 2>/dev/null || true
  [ -f "$work/slurmd.pid" ] && kill "$(cat "$work/slurmd.pid")" 2>/dev/null || true
  [ -n "${started_munge:-}" ] && pkill -x munged 2>/dev/null || true
  # Leave no daemon behind for the next run to trip over.
  for _ in $(seq 20); do
    pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || break
    sleep 0.5
  done
}
trap cleanup EXIT

# munge authenticates the daemons to each other; reuse one that runs.
if ! pgrep -x munged >/dev/null; then
  [ -f /etc/munge/munge.key ] || skip "no /etc/munge/munge.key"
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  /usr/sbin/munged --force || skip "munged did not start"
  started_munge=1
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 / 2 ))
mkdir -p "$work/ctld" "$work/spool" "$work/run"
cat > "$SLURM_CONF" <<CONF
ClusterName=minimalloc-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
/usr/sbin/slurmctld -i || skip "slurmctld did not start: $(tail -3 "$work/slurmctld.log" 2>/dev/null)"
/usr/sbin/slurmd || skip "slurmd did not start: $(tail -3 "$work/slurmd.log" 2>/dev/null)"
for _ in $(seq 30); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o %t | grep -q idle || skip "the node did not come up: $(sinfo 2>&1; tail -3 "$work/slurmd.log")"
echo "slurm: $(sinfo -h -o '%P %D %t %N')"

cd "$work"
job=$(MINIMALLOC="$bin" sbatch --parsable --export=ALL --array=1-2 --cpus-per-task=1 \
  "$here/scripts/slurm-batch.sh" "$suite" -q --validate)
echo "submitted array job $job"
for _ in $(seq 300); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 1
done
if [ -n "$(squeue -h -j "$job")" ]; then
  # A job that never left the queue says nothing about the script.
  if ! squeue -h -j "$job" -o %T | grep -q RUNNING; then
    reason=$(squeue -h -j "$job" -o '%T %r' | sort -u | tr '\n' ' ')
    scancel "$job" || true
    skip "the array job never ran here ($reason)"
  fi
  echo "job $job still running after 300 s" >&2
  squeue
  exit 1
fi
for k in 1 2; do
  [ -f "reports/shard-$k.csv" ] || { echo "shard $k wrote no report" >&2; cat minimalloc-*.log >&2 || true; exit 1; }
  echo "shard $k: $(($(wc -l < "reports/shard-$k.csv") - 1)) files"
done
"$bin" merge --out merged.csv reports/shard-1.csv reports/shard-2.csv
"$bin" batch "$suite" -q --validate --threads 1 --report whole.csv
# Wall times, node counts and (racing workers) the height of a first
# solution differ between runs; files, sizes, statuses and bounds must not.
# Every solution was validated by the batches themselves (--validate).
cut -d, -f1-4,6 merged.csv > merged.rows
cut -d, -f1-4,6 whole.csv > whole.rows
if diff merged.rows whole.rows; then
  echo "slurm test PASSED: $(($(wc -l < whole.rows) - 1)) files, merged shards == whole batch"
else
  echo "slurm test FAILED: merged shard reports differ from the whole batch" >&2
  exit 1
fi
