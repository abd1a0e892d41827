#!/usr/bin/env bash
# stop-local-slurm.sh - stop the daemons that start-local-slurm.sh started.
# Uses only the pid files in /run/local-slurm written by the start script;
# each pid is checked against the expected command name before it is
# signalled (kill by pid only). Jobs still queued/running are cancelled
# first so that no slurmstepd/job processes outlive slurmd.
# Set SLURM_STOP_KEEP_JOBS=1 to skip the cancel step (running job
# processes may then be left behind). Needs root.
set -uo pipefail

RUN_DIR=/run/local-slurm
SPOOL_DIR=/var/spool/slurm/d
log() { echo "[slurm-local stop] $*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "ERROR: must run as root"; exit 1; }
unset SLURM_JWT SLURM_CONF || true

# alive PID COMM -> 0 if PID exists, is not a zombie, and its comm is COMM
# (our daemons are reparented to pid 1, which may reap them late, so an
# exited daemon can linger as a zombie with the same comm).
alive() {
  local st
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] || return 1
  st=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# pid_of NAME COMM -> prints the pid from $RUN_DIR/NAME.pid if it is alive
# and its comm is COMM; otherwise prints nothing.
pid_of() {
  local pf=$RUN_DIR/$1.pid pid
  [ -s "$pf" ] || return 1
  pid=$(cat "$pf")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" "$2" || return 1
  echo "$pid"
}

# stop_one NAME COMM
stop_one() {
  local name=$1 comm=$2 pid
  if ! pid=$(pid_of "$name" "$comm"); then
    [ -e "$RUN_DIR/$name.pid" ] && log "$name: not running (stale pid file removed)"
    rm -f "$RUN_DIR/$name.pid"
    return 0
  fi
  log "$name: SIGTERM pid $pid"
  local t0=$SECONDS
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do            # up to 20 s
    alive "$pid" "$comm" || break
    sleep 0.1
  done
  if alive "$pid" "$comm"; then
    log "$name: still alive, SIGKILL pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$RUN_DIR/$name.pid"
  log "$name: stopped (~$((SECONDS - t0))s)"
}

# 1. Cancel remaining jobs while slurmctld is still ours and answering.
if [ "${SLURM_STOP_KEEP_JOBS:-0}" != 1 ] && pid_of slurmctld slurmctld >/dev/null \
   && pid_of slurmd slurmd >/dev/null; then
  jobs=$(squeue -h -o '%A' -t PENDING,RUNNING,SUSPENDED,CONFIGURING,COMPLETING 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    log "cancelling jobs: $jobs"
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null || true
    # wait (max 20 s) until no job is running and no step socket remains
    for _ in $(seq 1 100); do
      left=$(squeue -h -t RUNNING,COMPLETING,CONFIGURING 2>/dev/null | wc -l)
      socks=$(find "$SPOOL_DIR" -maxdepth 1 -name '*_[0-9]*.*' -type s 2>/dev/null | wc -l)
      [ "$left" = 0 ] && [ "$socks" = 0 ] && break
      sleep 0.2
    done
  fi
fi

# 2. Stop daemons in reverse start order.
stop_one slurmrestd slurmrestd
stop_one slurmd     slurmd
stop_one slurmctld  slurmctld
stop_one munged     munged
rm -f "$RUN_DIR/slurmrestd.plugin" "$RUN_DIR/slurmctld.self.pid" "$RUN_DIR/slurmd.self.pid"
log "done"
