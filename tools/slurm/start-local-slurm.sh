#!/usr/bin/env bash
# start-local-slurm.sh - bring up a single-node Slurm cluster on loopback
# (munged, slurmctld, slurmd, slurmrestd with JWT auth) on Debian bookworm,
# without systemd. Idempotent: daemons already started by this script are
# left alone. Needs root. Called by bin/slurm-local start (use that).
# Origin: ../shared/notes/slurm/start-local-slurm.sh (verified recipe, 2026-11-23).
#
# Usage:   eval "$(sudo ./start-local-slurm.sh)"
# stdout:  only `export ...` lines (SLURM_REST_URL, SLURM_JWT, SLURM_USER,
#          SLURM_REST_API_VERSION); all progress goes to stderr.
#
# Optional env:
#   SLURM_TOKEN_USER      user the printed JWT is for     (default: current user)
#   SLURM_TOKEN_LIFESPAN  token lifetime in seconds       (default: 3600)
#   SLURM_REST_PORT       slurmrestd port on 127.0.0.1    (default: 6820)
#   SLURM_OPENAPI_PLUGIN  e.g. openapi/v0.0.37            (default: newest offered)
#   SLURM_START_TIMEOUT   seconds to wait for each step   (default: 60)
set -euo pipefail

RUN_DIR=/run/local-slurm                 # pid files written by this script
STATE_DIR=/var/spool/slurm/statesave     # slurmctld state (owned by slurm)
SPOOL_DIR=/var/spool/slurm/d             # slurmd spool
LOG_DIR=/var/log/slurm
CONF=/etc/slurm/slurm.conf
JWT_KEY=$STATE_DIR/jwt_hs256.key
REST_USER=slurmrestd
REST_PORT=${SLURM_REST_PORT:-6820}
REST_ADDR=127.0.0.1:$REST_PORT
TIMEOUT=${SLURM_START_TIMEOUT:-60}
TOKEN_LIFESPAN=${SLURM_TOKEN_LIFESPAN:-3600}
TOKEN_USER=${SLURM_TOKEN_USER:-$(id -un)}
PKGS=(munge slurmctld slurmd slurm-client slurmrestd slurm-wlm-jwt-plugin)

log() { echo "[slurm-local start] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"
T0=$(date +%s.%N)

# The Slurm/munge clients must not pick up a token from the caller's env:
# with SLURM_JWT set they authenticate with auth/jwt instead of munge.
unset SLURM_JWT SLURM_CONF || true

# ---------------------------------------------------------------- install
missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$st" = "install ok installed" ] || missing+=("$p")
done
command -v curl >/dev/null 2>&1 || missing+=(curl)   # used for the REST readiness check
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep package maintainer scripts from starting services on their own
  # (sysv init scripts exist for munge/slurmctld/slurmd).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  need_update=0
  for p in "${missing[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; fi
  done
  if [ $need_update = 1 ]; then
    log "apt lists lack a candidate -> apt-get update"
    apt-get update -q >&2
  fi
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    log "install failed; retrying after apt-get update"
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
  if trap -p EXIT | grep -q policy-rc.d; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
fi

# ---------------------------------------------------------------- helpers
# running NAME COMM -> 0 if $RUN_DIR/NAME.pid names a live process whose comm is COMM
running() {
  local pf=$RUN_DIR/$1.pid pid st
  [ -s "$pf" ] || return 1
  pid=$(cat "$pf")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
  # an exited daemon may linger as a zombie until pid 1 reaps it
  st=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# wait_for DESC CMD... -> poll CMD every 0.2 s until it succeeds or TIMEOUT
wait_for() {
  local desc=$1; shift
  local end=$(( $(date +%s) + TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$end" ]; then
      die "timed out after ${TIMEOUT}s waiting for: $desc (logs in $LOG_DIR)"
    fi
    sleep 0.2
  done
}

# start_bg NAME USER LOGFILE EXE ARGS... -> start a foreground-mode daemon
# detached (own session) and record its pid in $RUN_DIR/NAME.pid
start_bg() {
  local name=$1 user=$2 out=$3 exe=$4; shift 4
  rm -f "$RUN_DIR/$name.pid"
  touch "$out"; chown "$user:" "$out"
  start-stop-daemon --start --quiet --background --make-pidfile \
    --pidfile "$RUN_DIR/$name.pid" --chuid "$user" --chdir / \
    --output "$out" --startas "$exe" -- "$@"
}

munge_ok()    { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
ctld_ok()     { scontrol ping 2>/dev/null | grep -q 'is UP'; }
node_ready()  { sinfo -h -N -n localhost -o '%t' 2>/dev/null | grep -Eqx 'idle|mix|mixed|alloc|allocated|comp|completing'; }
rest_ok()     { local c; c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$REST_ADDR/openapi/v3" || true); [ -n "$c" ] && [ "$c" != 000 ]; }

# ---------------------------------------------------------------- users / dirs
getent passwd "$REST_USER" >/dev/null || \
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$REST_USER"

install -d -m 0755 "$RUN_DIR" /etc/slurm
install -d -o slurm -g slurm -m 0755 /var/spool/slurm "$STATE_DIR" "$LOG_DIR"
install -d -o root -g root -m 0755 "$SPOOL_DIR"
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/log/munge /etc/munge
install -d -o munge -g munge -m 0711 /var/lib/munge
if [ ! -s /etc/munge/munge.key ]; then
  log "creating /etc/munge/munge.key"
  mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key; chmod 0600 /etc/munge/munge.key
fi
if [ ! -s "$JWT_KEY" ]; then
  log "creating JWT HS256 key $JWT_KEY"
  dd if=/dev/urandom of="$JWT_KEY" bs=32 count=1 status=none
fi
chown slurm:slurm "$JWT_KEY"; chmod 0600 "$JWT_KEY"

# ---------------------------------------------------------------- slurm.conf
# Node hardware from `slurmd -C` (drop NodeName/UpTime; we name the node localhost).
hw=$(slurmd -C | awk 'NR==1' | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ')
[ -n "$hw" ] || die "slurmd -C gave no hardware line"
new_conf=$(cat <<EOF
# Written by start-local-slurm.sh - single-node loopback cluster.
ClusterName=localcluster
SlurmctldHost=localhost
SlurmUser=slurm
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
# sched_interval=2,bf_interval=2: scheduler passes every 2 s (defaults 60 s, 30 s), so a requeued job
# starts soon after it may; fine for one small node.
# Requeued jobs wait cred_expire seconds before they may start again (default 120 s): 5 s keeps
# requeue tests short; job step credentials on a loopback node need far less.
AuthInfo=cred_expire=5
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=$JWT_KEY
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=$RUN_DIR/slurmctld.self.pid
SlurmdPidFile=$RUN_DIR/slurmd.self.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SwitchType=switch/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=60
SlurmdTimeout=300
NodeName=localhost NodeAddr=127.0.0.1 ${hw}State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
)
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$new_conf" ]; then
  if running slurmctld slurmctld || running slurmd slurmd; then
    log "WARNING: $CONF would change but daemons are running; run bin/slurm-local stop first to apply"
  else
    printf '%s\n' "$new_conf" > "$CONF"
    chmod 0644 "$CONF"
    log "wrote $CONF ($hw)"
  fi
fi

# ---------------------------------------------------------------- munged
if running munged munged; then
  log "munged already running (pid $(cat $RUN_DIR/munged.pid))"
elif munge_ok; then
  log "a munged not started by this script is already serving; using it"
else
  rm -f /run/munge/munged.pid
  start_bg munged munge /var/log/munge/munged.out /usr/sbin/munged --foreground
  wait_for "munged" munge_ok
  log "munged started (pid $(cat $RUN_DIR/munged.pid))"
fi

# ---------------------------------------------------------------- slurmctld
if running slurmctld slurmctld; then
  log "slurmctld already running (pid $(cat $RUN_DIR/slurmctld.pid))"
else
  ctld_ok && die "a slurmctld not started by this script answers on localhost; stop it first"
  # -D: stay in foreground (we detach it); drops privileges to SlurmUser=slurm.
  start_bg slurmctld root "$LOG_DIR/slurmctld.out" /usr/sbin/slurmctld -D
  wait_for "slurmctld (scontrol ping)" ctld_ok
  log "slurmctld started (pid $(cat $RUN_DIR/slurmctld.pid))"
fi

# ---------------------------------------------------------------- slurmd
if running slurmd slurmd; then
  log "slurmd already running (pid $(cat $RUN_DIR/slurmd.pid))"
else
  start_bg slurmd root "$LOG_DIR/slurmd.out" /usr/sbin/slurmd -D -N localhost
  log "slurmd started (pid $(cat $RUN_DIR/slurmd.pid))"
fi
wait_for "node localhost idle in sinfo" node_ready
log "node localhost: $(sinfo -h -N -n localhost -o '%t')"

# ---------------------------------------------------------------- slurmrestd
pick_openapi() {
  if [ -n "${SLURM_OPENAPI_PLUGIN:-}" ]; then echo "$SLURM_OPENAPI_PLUGIN"; return; fi
  # `slurmrestd -s list` refuses to run as root; prints the list on stderr.
  (cd / && SLURM_JWT=daemon setpriv --reuid="$REST_USER" --regid="$REST_USER" --init-groups \
      /usr/sbin/slurmrestd -s list 2>&1) \
    | grep -oE 'openapi/v[0-9]+\.[0-9]+\.[0-9]+' | sort -u -V | tail -1
}
if running slurmrestd slurmrestd; then
  OPENAPI=$(cat "$RUN_DIR/slurmrestd.plugin" 2>/dev/null || pick_openapi)
  log "slurmrestd already running (pid $(cat $RUN_DIR/slurmrestd.pid), $OPENAPI)"
else
  rest_ok && die "something else already answers HTTP on $REST_ADDR"
  OPENAPI=$(pick_openapi)
  [ -n "$OPENAPI" ] || die "could not determine an openapi plugin from 'slurmrestd -s list'"
  echo "$OPENAPI" > "$RUN_DIR/slurmrestd.plugin"
  # Must not run as root or SlurmUser. SLURM_JWT=daemon: slurmrestd talks to
  # slurmctld with the per-request JWT instead of munge.
  SLURM_JWT=daemon start_bg slurmrestd "$REST_USER" "$LOG_DIR/slurmrestd.log" \
    /usr/sbin/slurmrestd -a rest_auth/jwt -s "$OPENAPI" "$REST_ADDR"
  wait_for "slurmrestd on $REST_ADDR" rest_ok
  log "slurmrestd started (pid $(cat $RUN_DIR/slurmrestd.pid), $OPENAPI on $REST_ADDR)"
fi

# ---------------------------------------------------------------- token
if [ "$TOKEN_USER" = "$(id -un)" ]; then
  tok_out=$(scontrol token lifespan="$TOKEN_LIFESPAN")
else
  tok_out=$(scontrol token username="$TOKEN_USER" lifespan="$TOKEN_LIFESPAN")
fi
TOKEN=${tok_out#SLURM_JWT=}
if [ -z "$TOKEN" ] || [ "$TOKEN" = "$tok_out" ]; then die "scontrol token failed: $tok_out"; fi

T1=$(date +%s.%N)
log "ready in $(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')s"
API_VERSION=${OPENAPI#openapi/}
echo "export SLURM_REST_URL=http://$REST_ADDR"
echo "export SLURM_REST_API_VERSION=$API_VERSION"
echo "export SLURM_JWT=$TOKEN"
echo "export SLURM_USER=$TOKEN_USER"
