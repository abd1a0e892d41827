#!/bin/bash
# Runs a whole mergelab study as ONE Slurm batch job:
#
#   sbatch bin/run_experiment.sh experiments/drug_reviews.yaml
#   sbatch --partition=gpu --gres=gpu:1 --time=12:00:00 bin/run_experiment.sh configs/quickstart_pretrained.yaml
#
# Works from the repo root and from any other directory (a relative config path is taken relative to
# the directory you ran sbatch in). Extra arguments after the config go to `mergelab run`; if the first
# argument is not a .yaml/.yml file, all arguments go to `bin/mergelab` as they are.
#
# The #SBATCH lines below are defaults: change them here, or override any of them on the sbatch
# command line (command-line options win). For one job per stage with job arrays and dependencies,
# use `bin/mergelab slurm render CONFIG` instead.
#
#SBATCH --job-name=mergelab
#SBATCH --output=mergelab-%j.out     # relative to the directory you submit from; the log is also copied to
                                     # outputs/<study>/logs/run_experiment-<job id>.out
#SBATCH --time=04:00:00              # wall-clock limit: fine-tuning several variants of gpt2 takes hours on CPU
#SBATCH --cpus-per-task=2            # threads for DJL/libtorch: raise to 8-16 for the gpt2 preset
#SBATCH --mem=4G                     # enough for `tiny`/`small`; gpt2 (124M) fine-tuning wants ~16G
#SBATCH --requeue                    # preempted or node-failed jobs are queued again (the study resumes)
#SBATCH --open-mode=append           # a requeued job appends to its log instead of truncating it
#SBATCH --signal=B:USR1@300          # 5 min before the limit: stop (a fine-tune checkpoints) and requeue; see below
## Uncomment / edit for your cluster (two '#' disable a line):
##SBATCH --partition=gpu
##SBATCH --gres=gpu:1                # with a GPU build: mvn -Pcuda package
##SBATCH --account=myproject
##SBATCH --qos=normal
set -euo pipefail

# Where is the checkout? In a batch job $0 is a copy in slurmd's spool directory, not this file, so:
#   1. MERGELAB_HOME if set (e.g. sbatch --export=ALL,MERGELAB_HOME=/path/to/mergelab ...);
#   2. outside Slurm (bash bin/run_experiment.sh ...): this file's own directory;
#   3. the path sbatch was given, from `scontrol show job` (Command=/abs/path/bin/run_experiment.sh);
#   4. the submit directory or one of its parents, if it holds bin/mergelab.
find_home() {
  local d cmd
  if [ -n "${MERGELAB_HOME:-}" ]; then echo "$MERGELAB_HOME"; return; fi
  if [ -z "${SLURM_JOB_ID:-}" ]; then (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); return; fi
  cmd=$(scontrol show job -o "$SLURM_JOB_ID" 2>/dev/null | grep -o 'Command=[^ ]*' | head -1 | cut -d= -f2- || true)
  if [ -n "$cmd" ] && [ -x "$(dirname "$cmd")/mergelab" ]; then (cd "$(dirname "$cmd")/.." && pwd); return; fi
  d="${SLURM_SUBMIT_DIR:-$PWD}"
  while [ "$d" != / ]; do
    if [ -x "$d/bin/mergelab" ]; then echo "$d"; return; fi
    d=$(dirname "$d")
  done
  return 1
}
if ! MERGELAB_HOME=$(find_home); then
  echo "run_experiment.sh: cannot find the mergelab checkout; submit with" \
       "sbatch --export=ALL,MERGELAB_HOME=/path/to/mergelab bin/run_experiment.sh CONFIG" >&2
  exit 2
fi
export MERGELAB_HOME
# The JVM heap: half the job's memory (libtorch's tensors live outside it) unless MERGELAB_JAVA_OPTS says
# otherwise; never the launcher's 8 GB default in a job granted --mem=4G.
if [ -z "${MERGELAB_JAVA_OPTS:-}" ] && [ -n "${SLURM_MEM_PER_NODE:-}" ]; then
  export MERGELAB_JAVA_OPTS="-Xmx$(( SLURM_MEM_PER_NODE / 2 ))m"
fi
# MERGELAB_BIN replaces the launcher (a prebuilt install, or a stand-in in tests).
launcher="${MERGELAB_BIN:-$MERGELAB_HOME/bin/mergelab}"

[ $# -ge 1 ] || { echo "usage: sbatch bin/run_experiment.sh CONFIG.yaml [mergelab run options]" >&2; exit 2; }
# Relative paths were meant relative to where sbatch ran; the job starts there too, but be explicit.
cd "${SLURM_SUBMIT_DIR:-$PWD}"
echo "[run_experiment] job ${SLURM_JOB_ID:-none} on $(hostname) (restart ${SLURM_RESTART_COUNT:-0}), $(date -Is)"
echo "[run_experiment] checkout $MERGELAB_HOME, in $PWD"
case "$1" in
  *.yaml|*.yml)
    config=$(realpath -e -- "$1") || { echo "run_experiment.sh: config not found: $1 (from $PWD)" >&2; exit 2; }
    shift
    ;;
  *)
    exec "$launcher" "$@"
    ;;
esac

# The study's own log folder gets a copy of this job's output (a bad config fails here, before any work).
study_dir=$("$launcher" run "$config" "$@" --print-study-dir)
mkdir -p "$study_dir/logs"
log="$study_dir/logs/run_experiment-${SLURM_JOB_ID:-local}.out"
echo "[run_experiment] study $study_dir; this log is also $log"
exec > >(tee -a "$log") 2>&1

# The study runs as a child of this shell. SIGUSR1 (--signal=B:USR1@300 above, 5 min before the time limit) asks
# it to stop: a fine-tune writes a resume checkpoint and exits 143, and this shell requeues the job (at most
# MERGELAB_MAX_REQUEUES times, default 5; SLURM_RESTART_COUNT counts them) so that the study resumes with a fresh
# limit. A SIGTERM from Slurm itself (scancel, preemption, the limit) is passed on and never requeues.
child=""
stopping=0
trap 'stopping=1; [ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true' USR1
trap '[ -z "$child" ] || kill -TERM "$child" 2>/dev/null || true' TERM
"$launcher" run "$config" "$@" &
child=$!
while :; do
  rc=0; wait "$child" || rc=$?
  kill -0 "$child" 2>/dev/null || break # a trap ends wait early; the study may still run
done
child=""
if [ "$stopping" = 1 ] && [ "$rc" != 0 ]; then
  restarts="${SLURM_RESTART_COUNT:-0}"
  if [ -n "${SLURM_JOB_ID:-}" ] && [ "$restarts" -lt "${MERGELAB_MAX_REQUEUES:-5}" ]; then
    echo "[run_experiment] stopped before the time limit (exit $rc): requeueing job $SLURM_JOB_ID," \
         "restart $((restarts + 1)) of ${MERGELAB_MAX_REQUEUES:-5}"
    scontrol requeue "$SLURM_JOB_ID" || echo "[run_experiment] scontrol requeue failed: submit the job again" >&2
  else
    echo "[run_experiment] stopped before the time limit (exit $rc) after $restarts requeues: submit it again" >&2
  fi
fi
exit "$rc"
