#!/usr/bin/env bash
# Run a `subliminal sweep` as a Slurm job array: one array task per shard, then a merge job
# that starts when every shard has succeeded.
#
#   scripts/slurm-sweep.sh submit SHARDS OUT -- SWEEP-ARGS…     submit the array and the merge job
#   scripts/slurm-sweep.sh shard OUT -- SWEEP-ARGS…             (what each array task runs)
#   scripts/slurm-sweep.sh merge OUT                            (what the merge job runs)
#
# Example (100 runs of five aux values = 500 jobs on 25 nodes):
#
#   scripts/slurm-sweep.sh submit 25 results/sweep/aux -- --vary aux=1,2,3,5,10 --runs 100
#
# Array task i runs `subliminal sweep SWEEP-ARGS --shard i/SHARDS --out OUT --resume`, which writes
# OUT/shard-i-of-SHARDS.log.jsonl (one JSON line per finished job). OUT must be on a file system
# every node sees. A task that is preempted or times out can be requeued (or resubmitted with
# `--array=i`): --resume makes it continue where it stopped. `sweep merge` refuses to combine
# shards of different sweeps, duplicated jobs or missing jobs, so the merge job fails loudly
# rather than writing partial results. The merged sweep.json / sweep.csv / report.md / charts
# are byte-identical to a single-process run, provided every node runs the same binary on the
# same kind of CPU (the GEMM kernel is checked; build with SUBLIMINAL_PORTABLE=1 for mixed nodes).
#
# Environment: SUBLIMINAL (the binary; default .build/release/subliminal), SUBLIMINAL_DATA (MNIST
# directory), SBATCH_OPTIONS (extra sbatch options, e.g. "--partition=cpu --time=04:00:00"),
# SHARD_CPUS (cores per array task; default 2).
#
#SBATCH --job-name=subliminal-sweep
#SBATCH --output=slurm-sweep-%A_%a.out
set -euo pipefail

SUBLIMINAL=${SUBLIMINAL:-.build/release/subliminal}
usage() { sed -n '2,9p' "$0" >&2; exit 2; }

mode=${1:-}; shift || true
case "$mode" in
submit)
    [ $# -ge 3 ] || usage
    shards=$1 out=$2; shift 2
    [ "${1:-}" = "--" ] && shift
    [[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "SHARDS must be a positive integer, got '$shards'" >&2; exit 2; }
    [ -x "$SUBLIMINAL" ] || { echo "no subliminal binary at $SUBLIMINAL (build it, or set SUBLIMINAL)" >&2; exit 2; }
    # Refuse bad knobs before anything is queued; show the plan.
    "$SUBLIMINAL" sweep "$@" --shard "1/$shards" --dry-run >&2
    mkdir -p "$out"
    cpus=${SHARD_CPUS:-2}
    # shellcheck disable=SC2086
    array=$(sbatch --parsable --array="1-$shards" --cpus-per-task="$cpus" ${SBATCH_OPTIONS:-} \
        --export=ALL,SUBLIMINAL="$SUBLIMINAL" "$0" shard "$out" -- "$@")
    array=${array%%;*}
    # shellcheck disable=SC2086
    merge=$(sbatch --parsable --dependency="afterok:$array" --job-name=subliminal-sweep-merge ${SBATCH_OPTIONS:-} \
        --export=ALL,SUBLIMINAL="$SUBLIMINAL" "$0" merge "$out")
    echo "submitted array job $array ($shards shards) and merge job ${merge%%;*} → $out"
    ;;
shard)
    [ $# -ge 2 ] || usage
    out=$1; shift
    [ "${1:-}" = "--" ] && shift
    : "${SLURM_ARRAY_TASK_ID:?shard mode runs inside a Slurm array task (sbatch --array=1-N)}"
    count=${SLURM_ARRAY_TASK_COUNT:-$(( SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN + 1 ))}
    exec "$SUBLIMINAL" sweep "$@" --shard "$SLURM_ARRAY_TASK_ID/$count" --out "$out" --resume \
        --threads "${SLURM_CPUS_PER_TASK:-1}" --quiet
    ;;
merge)
    [ $# -eq 1 ] || usage
    exec "$SUBLIMINAL" sweep merge "$1"
    ;;
*)
    usage
    ;;
esac
