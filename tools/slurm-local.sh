#!/usr/bin/env bash
# Start a real one-node SLURM cluster on this machine (Debian's slurm-wlm + munge), for the tests
# in tests/cluster, which run the workflow through Snakemake's SLURM executor plugin
# (profiles/slurm). Needs root. Idempotent: it does nothing when sinfo already answers. Tried on
# Debian 12 (Slurm 22.05): about a minute with apt. .ci/run starts it before the tests.
#   tools/slurm-local.sh        # install if missing, configure, start; prints sinfo
#   tools/slurm-local.sh stop   # stop the daemons this script started
# There is no accounting database (slurmdbd): Snakemake's plugin must query job status with
# squeue, i.e. `--slurm-status-command squeue` (sacct answers "accounting storage is disabled").
# Partition "main"; jobs need no account (`--slurm-no-account` or slurm_account=none works).
# A copy of the workspace's ../shared/tools/slurm-local.sh (a clean clone in CI may not have that
# folder); the one change: MinJobAge, see below.
set -euo pipefail
run=/run/slurm-local
if [ "${1:-}" = stop ]; then
  for d in slurmd slurmctld munged; do [ -f "$run/$d.pid" ] && kill "$(cat "$run/$d.pid")" 2>/dev/null || true; done
  exit 0
fi
if command -v sinfo >/dev/null && timeout 5 sinfo >/dev/null 2>&1; then sinfo; exit 0; fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null
fi
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge "$run"
[ -s /etc/munge/munge.key ] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 400 /etc/munge/munge.key
host=$(hostname -s)
mem=$(( $(free -m | awk '/Mem/{print $2}') - 1024 ))
# MinJobAge: how long the controller remembers a finished job. Without accounting, squeue (the
# plugin's status command and the test's witness of every job) only sees finished jobs that long:
# an hour instead of 300 s, so that a slow build's first jobs are still there at its end.
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobAcctGatherType=jobacct_gather/none
MinJobAge=3600
NodeName=$host CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid 2>/dev/null || true
cp /run/munge/munged.pid "$run/munged.pid" 2>/dev/null || pgrep -n munged > "$run/munged.pid"
/usr/sbin/slurmctld
/usr/sbin/slurmd
for _ in $(seq 30); do timeout 5 sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo
