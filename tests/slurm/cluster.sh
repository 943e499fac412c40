#!/usr/bin/env bash
# A throw-away one-node SLURM cluster on this machine, for tests/test_slurm.py.
#
#   tests/slurm/cluster.sh install        apt-get install SLURM, slurmdbd, munge, MariaDB if missing
#   tests/slurm/cluster.sh start DIR [USER]  configure and start everything under DIR
#   tests/slurm/cluster.sh stop DIR       cancel its jobs, stop its daemons (by their pids)
#
# Everything the cluster writes (configs, munge key and socket, MariaDB datadir, spool, state,
# logs, pid files) stays in DIR, and every daemon listens on 127.0.0.1 only, on ports picked
# free at start. Clients reach it after `source DIR/env`: SLURM_CONF=DIR/etc/slurm.conf, and
# DIR/bin first on PATH (an srun wrapper, see below). The daemons run as root (start and stop
# need root); jobs run as the submitting user, registered in the accounting database under
# the account "facevae" (USER, default: $SUDO_USER or the current user). The node is this
# machine with the CPUs and memory that `slurmd -C` reports and one fake GPU (gres.conf
# File=/dev/null): `--gpus=1` jobs schedule one at a time and see CUDA_VISIBLE_DEVICES=0.
set -euo pipefail

PACKAGES="slurm-wlm slurmdbd munge mariadb-server"
CLUSTER=facevae-test
ACCOUNT=facevae

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

have_packages() {
  command -v slurmctld && command -v slurmd && command -v slurmdbd && command -v sacctmgr &&
    command -v munged && command -v mariadbd && command -v mariadb-install-db
} >/dev/null 2>&1

install() {
  if have_packages; then
    return 0
  elif [ "$(id -u)" = 0 ]; then
    apt-get update && apt-get install -y --no-install-recommends $PACKAGES
  elif command -v sudo >/dev/null; then
    sudo apt-get update && sudo apt-get install -y --no-install-recommends $PACKAGES
  else
    echo "SLURM is missing and this user can neither install packages nor use sudo." >&2
    echo "Ask an administrator for: apt-get install $PACKAGES" >&2
    exit 1
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS DESCRIPTION COMMAND...: retry COMMAND every half second.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local end=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= end)); then
      echo "cluster.sh: timed out after ${seconds}s waiting for $what; logs in $DIR/log:" >&2
      tail -n 20 "$DIR"/log/*.log >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

# start_daemon NAME COMMAND...: run COMMAND in the background, detached, pid in DIR/run/NAME.pid
start_daemon() {
  local name=$1
  shift
  setsid "$@" >>"$DIR/log/$name.out" 2>&1 </dev/null &
  echo $! >"$DIR/run/$name.pid"
}

node_idle() {
  [ "$(sinfo -h -N -o %T)" = idle ]
}

start() {
  [ "$(id -u)" = 0 ] || die "start needs root (the SLURM daemons run as root)"
  have_packages || die "packages missing; run: $0 install"
  local user=${2:-${SUDO_USER:-$(id -un)}}
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  mkdir -p "$DIR"/{etc,munge,mysql,run,log,tmp,state/ctld,state/slurmd}
  chmod 755 "$DIR" "$DIR/munge" # jobs of other users need the munge socket
  export SLURM_CONF=$DIR/etc/slurm.conf
  # Inside a job, snakemake-executor-plugin-slurm-jobstep (0.6.1) drops every SLURM_*
  # variable, SLURM_CONF too, before it calls srun, which then looks for /etc/slurm/slurm.conf.
  # This srun on PATH (which the job keeps) points it back at this cluster.
  mkdir -p "$DIR/bin"
  printf '#!/bin/sh\nSLURM_CONF=%s exec %s "$@"\n' "$SLURM_CONF" "$(command -v srun)" >"$DIR/bin/srun"
  chmod 755 "$DIR/bin" "$DIR/bin/srun"
  printf 'export SLURM_CONF=%s\nexport PATH=%s:$PATH\n' "$SLURM_CONF" "$DIR/bin" >"$DIR/env"

  local db_port dbd_port ctld_port slurmd_port node cpus memory
  db_port=$(free_port)
  dbd_port=$(free_port)
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  node=$(hostname -s)
  cpus=$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')
  memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  local socket=$DIR/munge/munge.socket

  # munge: own key, socket, pid and log files.
  mungekey --create --keyfile="$DIR/munge/munge.key"
  chmod 600 "$DIR/munge/munge.key"
  munged --force --key-file="$DIR/munge/munge.key" --socket="$socket" \
    --pid-file="$DIR/run/munged.pid" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munge/munged.seed"
  wait_for 20 munged bash -c "munge -n -S '$socket' | unmunge -S '$socket'"

  # MariaDB for slurmdbd: datadir, socket and a loopback port in DIR.
  mariadb-install-db --no-defaults --datadir="$DIR/mysql" --user=root --skip-test-db \
    >"$DIR/log/mariadb-install.log" 2>&1 || {
    cat "$DIR/log/mariadb-install.log" >&2
    die "mariadb-install-db failed"
  }
  start_daemon mariadbd mariadbd --no-defaults --user=root --datadir="$DIR/mysql" \
    --socket="$DIR/run/mysql.sock" --pid-file="$DIR/run/mariadbd.own.pid" \
    --bind-address=127.0.0.1 --port="$db_port" --skip-name-resolve --tmpdir="$DIR/tmp" \
    --log-error="$DIR/log/mariadb.log" --innodb-buffer-pool-size=32M
  wait_for 60 MariaDB mariadb-admin --no-defaults --socket="$DIR/run/mysql.sock" ping
  mariadb --no-defaults --socket="$DIR/run/mysql.sock" -u root <<SQL
CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm-test';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
SQL

  cat >"$DIR/etc/slurmdbd.conf" <<EOF
AuthType=auth/munge
AuthInfo=socket=$socket
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$dbd_port
CommunicationParameters=NoInAddrAny
SlurmUser=root
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=slurm-test
StorageLoc=slurm_acct_db
LogFile=$DIR/log/slurmdbd.log
PidFile=$DIR/run/slurmdbd.own.pid
DebugLevel=info
EOF
  chmod 600 "$DIR/etc/slurmdbd.conf"

  # AccountingStoragePass is, for slurmdbd, the munge socket that clients (sacct, sacctmgr,
  # slurmctld) use to talk to it; AuthInfo alone covers only slurmctld and slurmd.
  cat >"$SLURM_CONF" <<EOF
ClusterName=$CLUSTER
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$DIR/state/ctld
SlurmdSpoolDir=$DIR/state/slurmd
SlurmctldPidFile=$DIR/run/slurmctld.own.pid
SlurmdPidFile=$DIR/run/slurmd.own.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$dbd_port
AccountingStoragePass=$socket
AccountingStorageTRES=gres/gpu
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  echo "NodeName=$node Name=gpu File=/dev/null" >"$DIR/etc/gres.conf"

  start_daemon slurmdbd slurmdbd -D
  wait_for 60 slurmdbd sacctmgr -n list cluster
  sacctmgr -i add cluster "$CLUSTER" >/dev/null
  sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER" Description=tests Organization=tests >/dev/null
  sacctmgr -i add user "$user" Account="$ACCOUNT" Cluster="$CLUSTER" >/dev/null

  start_daemon slurmctld slurmctld -D -i
  wait_for 60 slurmctld scontrol ping
  start_daemon slurmd slurmd -D
  wait_for 60 "node $node to be idle" node_idle
  echo "SLURM cluster $CLUSTER up: SLURM_CONF=$SLURM_CONF (node $node, $cpus CPUs, 1 fake GPU)"
}

# Processes started by this cluster's slurmd (slurmstepd and their jobs) carry its SLURM_CONF.
cluster_processes() {
  local pid
  for pid in $(pgrep -x slurmstepd 2>/dev/null || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$SLURM_CONF"; then
      echo "$pid"
    fi
  done
}

stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 40); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  [ -d "$DIR" ] || return 0
  DIR=$(cd "$DIR" && pwd)
  export SLURM_CONF=$DIR/etc/slurm.conf
  if [ -f "$DIR/run/slurmctld.pid" ] && kill -0 "$(cat "$DIR/run/slurmctld.pid")" 2>/dev/null; then
    # Cancel whatever is still queued or running, and give it a moment to end.
    local jobs
    jobs=$(timeout 10 squeue -h -o %i 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      timeout 10 scancel $jobs 2>/dev/null || true
      for _ in $(seq 20); do
        [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null || true)" ] && break
        sleep 0.5
      done
    fi
  fi
  local name pid
  for name in slurmd slurmctld slurmdbd mariadbd munged; do
    if [ -f "$DIR/run/$name.pid" ]; then
      stop_pid "$(cat "$DIR/run/$name.pid")"
      rm -f "$DIR/run/$name.pid"
    fi
  done
  for pid in $(cluster_processes); do
    stop_pid "$pid"
  done
  # Keep configs and logs; drop the database (~200 MB) and the key. Under sudo, give the
  # rest back to the user whose temp dir it is.
  rm -rf "$DIR/mysql" "$DIR/munge/munge.key"
  if [ -n "${SUDO_UID:-}" ]; then
    chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$DIR"
  fi
  echo "SLURM cluster in $DIR stopped"
}

case "${1:-}" in
install) install ;;
start)
  DIR=${2:?usage: $0 start DIR [USER]}
  set -E # a failed start stops whatever it had started
  trap 'echo "cluster.sh: start failed; stopping what it started" >&2; stop' ERR
  start "$2" "${3:-}"
  trap - ERR
  ;;
stop)
  DIR=${2:?usage: $0 stop DIR}
  stop
  ;;
*)
  echo "usage: $0 install | start DIR [USER] | stop DIR" >&2
  exit 2
  ;;
esac
