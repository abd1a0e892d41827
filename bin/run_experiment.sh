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
#SBATCH --output=mergelab-%j.out     # relative to the directory you submit from; use an absolute path to collect logs
#SBATCH --time=04:00:00              # wall-clock limit: fine-tuning several variants of gpt2 takes hours on CPU
#SBATCH --cpus-per-task=2            # threads for DJL/libtorch: raise to 8-16 for the gpt2 preset
#SBATCH --mem=4G                     # enough for `tiny`/`small`; gpt2 (124M) fine-tuning wants ~16G
#SBATCH --requeue                    # preempted or node-failed jobs are queued again (the study resumes)
#SBATCH --open-mode=append           # a requeued job appends to its log instead of truncating it
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
    exec "$launcher" run "$config" "$@"
    ;;
  *)
    exec "$launcher" "$@"
    ;;
esac
