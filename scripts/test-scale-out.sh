#!/usr/bin/env bash
# Checks the scale-out paths on this machine with a small sweep: a single-process run, the Slurm
# script (with a stand-in `sbatch` that runs each array task as a local process and the merge job
# after all of them succeed), GNU parallel (local processes), and shards run by hand with a
# resume after an interruption. Every merged result must be byte-identical to the single run.
#
#   scripts/test-scale-out.sh [SHARDS]        (default 3; needs GNU parallel and a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
SUBLIMINAL=${SUBLIMINAL:-.build/release/subliminal}
export SUBLIMINAL
shards=${1:-3}
[ -x "$SUBLIMINAL" ] || { echo "no subliminal binary at $SUBLIMINAL" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A small protocol (about a second per job) with shared teachers, several inputs and a chain.
args=(--vary aux=1,3 --vary init-noise=0,0.5 --vary chain=1,2 --runs 4
      --hidden 32 --teacher-epochs 1 --student-epochs 1 --noise-images 2000 --batch 256)
files="sweep.json sweep.csv report.md aux.svg init-noise.svg chain.svg"
same() {  # same DIR LABEL: DIR's outputs equal the single run's, byte for byte
    for f in $files; do cmp -s "$work/single/$f" "$1/$f" || { echo "FAIL: $2: $f differs" >&2; exit 1; }; done
    echo "ok: $2: merged result is byte-identical to the single-process run"
}

echo "== single process"
nice -n 10 "$SUBLIMINAL" sweep "${args[@]}" --out "$work/single" --quiet > /dev/null

echo "== Slurm job array ($shards array tasks + a dependent merge job, stand-in sbatch)"
mkdir -p "$work/bin" "$work/slurm"
cat > "$work/bin/sbatch" <<'EOF'
#!/usr/bin/env bash
# Stand-in for sbatch: --array tasks run as local background processes with Slurm's variables;
# a job with --dependency=afterok:ID runs once every task of ID has exited 0.
set -euo pipefail
state=$FAKE_SLURM_STATE array= dep= cpus=1
while [[ $# -gt 0 && "$1" == --* ]]; do
    case "$1" in
    --array=*) array=${1#--array=} ;;
    --dependency=afterok:*) dep=${1#--dependency=afterok:} ;;
    --cpus-per-task=*) cpus=${1#--cpus-per-task=} ;;
    esac
    shift
done
id=$(( $(cat "$state/next" 2>/dev/null || echo 1000) + 1 )); echo $id > "$state/next"
script=$1; shift
if [ -n "$array" ]; then
    lo=${array%-*} hi=${array#*-}
    echo $(( hi - lo + 1 )) > "$state/$id.tasks"
    for i in $(seq "$lo" "$hi"); do
        ( export SLURM_JOB_ID=$id SLURM_ARRAY_JOB_ID=$id SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$(( hi - lo + 1 )) \
                 SLURM_ARRAY_TASK_MIN=$lo SLURM_ARRAY_TASK_MAX=$hi SLURM_CPUS_PER_TASK=$cpus
          rc=0; nice -n 10 bash "$script" "$@" > "$state/$id-$i.out" 2>&1 || rc=$?; echo $rc > "$state/$id-$i.rc" ) > /dev/null 2>&1 < /dev/null &
    done
else
    ( if [ -n "$dep" ]; then
          n=$(cat "$state/$dep.tasks")
          while [ "$(ls "$state"/"$dep"-*.rc 2>/dev/null | wc -l)" -lt "$n" ]; do sleep 0.2; done
          if grep -qv '^0$' "$state"/"$dep"-*.rc; then echo dependency-never-satisfied > "$state/$id.rc"; exit 0; fi
      fi
      rc=0; SLURM_JOB_ID=$id bash "$script" "$@" > "$state/$id.out" 2>&1 || rc=$?; echo $rc > "$state/$id.rc" ) > /dev/null 2>&1 < /dev/null &
fi
echo $id
EOF
chmod +x "$work/bin/sbatch"
export FAKE_SLURM_STATE="$work/slurm"
PATH="$work/bin:$PATH" scripts/slurm-sweep.sh submit "$shards" "$work/out-slurm" -- "${args[@]}" 2>/dev/null
merge=$(cat "$work/slurm/next")
while [ ! -f "$work/slurm/$merge.rc" ]; do sleep 0.5; done
[ "$(cat "$work/slurm/$merge.rc")" = 0 ] || { echo "FAIL: the merge job failed:" >&2; cat "$work/slurm/$merge.out" "$work/slurm/"*-*.out >&2; exit 1; }
ls "$work/out-slurm"/shard-*-of-"$shards".log.jsonl | sed 's|.*/|   |'
same "$work/out-slurm" "Slurm array"

echo "== GNU parallel ($shards local processes)"
nice -n 10 scripts/parallel-sweep.sh "$shards" "$work/out-parallel" -- "${args[@]}" > /dev/null 2>&1
same "$work/out-parallel" "GNU parallel"

echo "== shards by hand, one interrupted and resumed, each in its own directory"
for i in $(seq 1 "$shards"); do
    nice -n 10 "$SUBLIMINAL" sweep "${args[@]}" --shard "$i/$shards" --out "$work/hand/$i" --threads 1 --quiet > /dev/null &
done
wait
log="$work/hand/1/shard-1-of-$shards.log.jsonl"
head -n 2 "$log" > "$log.cut" && printf '{"kind":"job","po' >> "$log.cut" && mv "$log.cut" "$log"   # killed mid-write
if "$SUBLIMINAL" sweep merge "$work"/hand/* --out "$work/out-hand" > /dev/null 2> "$work/err"; then
    echo "FAIL: merging an interrupted shard should fail" >&2; exit 1
fi
echo "ok: merge refuses the interrupted shard: $(cat "$work/err")"
nice -n 10 "$SUBLIMINAL" sweep "${args[@]}" --shard "1/$shards" --out "$work/hand/1" --threads 1 --resume --quiet > /dev/null
"$SUBLIMINAL" sweep merge "$work"/hand/* --out "$work/out-hand" > /dev/null
same "$work/out-hand" "resumed shards"
echo "all scale-out checks passed"
