#!/usr/bin/env bash
# Run a `subliminal sweep` with GNU parallel, on this machine or across hosts over ssh, then
# merge the shards.
#
#   scripts/parallel-sweep.sh SHARDS OUT [-S LOGINS | --sshloginfile FILE] -- SWEEP-ARGS…
#
# Examples:
#   scripts/parallel-sweep.sh 4 results/sweep/aux -- --vary aux=1,2,3,5,10 --runs 20
#       four shards as four local processes (one core each)
#   scripts/parallel-sweep.sh 40 results/sweep/aux -S 8/node1,8/node2,: -- --vary aux=1,2,3,5,10 --runs 100
#       40 shards, 8 at a time on node1 and node2 (over ssh) and as many as cores here (':')
#
# Each shard runs `subliminal sweep SWEEP-ARGS --shard i/SHARDS --out OUT --resume --threads 1` in
# the current directory's path on its host (so the repository, binary and data must be at the same
# path on every host: a shared file system, or a copy). Its log OUT/shard-i-of-SHARDS.log.jsonl is
# copied back here (--return), and `subliminal sweep merge OUT` then checks that every job is
# there exactly once and writes results byte-identical to a single-process run (same binary and
# CPU kind on every host; the GEMM kernel is checked). Rerunning the same command resumes: shards
# whose logs are complete compute nothing.
#
# Environment: SUBLIMINAL (the binary; default .build/release/subliminal), SUBLIMINAL_DATA.
set -euo pipefail

SUBLIMINAL=${SUBLIMINAL:-.build/release/subliminal}
usage() { sed -n '2,13p' "$0" >&2; exit 2; }

[ $# -ge 3 ] || usage
shards=$1 out=$2; shift 2
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "SHARDS must be a positive integer, got '$shards'" >&2; exit 2; }
logins=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    case "$1" in
    -S|--sshlogin) logins+=(--sshlogin "$2"); shift 2 ;;
    --sshloginfile) logins+=(--sshloginfile "$2"); shift 2 ;;
    *) usage ;;
    esac
done
[ "${1:-}" = "--" ] || usage
shift
command -v parallel >/dev/null || { echo "GNU parallel is not installed (Debian: apt-get install parallel)" >&2; exit 2; }
[ -x "$SUBLIMINAL" ] || { echo "no subliminal binary at $SUBLIMINAL (build it, or set SUBLIMINAL)" >&2; exit 2; }

# Refuse bad knobs before anything starts; show the plan.
"$SUBLIMINAL" sweep "$@" --shard "1/$shards" --dry-run >&2
mkdir -p "$out"

remote=()
if [ ${#logins[@]} -gt 0 ]; then
    # Run in the same directory on the remote hosts and bring each shard's log back.
    remote=("${logins[@]}" --workdir . --return "$out/shard-{}-of-$shards.log.jsonl")
fi
# Quote the sweep arguments once for the remote shell.
args=$(printf '%q ' "$@")
parallel --halt now,fail=1 --line-buffer --tagstring 'shard {}' "${remote[@]}" \
    "mkdir -p $(printf '%q' "$out") && $(printf '%q' "$SUBLIMINAL") sweep $args --shard {}/$shards --out $(printf '%q' "$out") --resume --threads 1 --quiet" \
    ::: $(seq 1 "$shards")
"$SUBLIMINAL" sweep merge "$out"
