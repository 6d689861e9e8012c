#!/usr/bin/env bash
# Starts a Docker engine for the container tier if none answers yet, and waits until `docker info` works.
# On this machine Docker runs without a bridge network and without iptables, on the vfs storage driver, and no
# registry can be reached: containers run with host networking, from local images only.
#
#   DOCKER_HOST          socket to use (default unix:///run/harness-docker.sock)
#   DOCKERD_TIMEOUT_S    how long to wait for the engine (default 60)
#   DOCKERD_LOG          where dockerd writes its log (default /tmp/harness-dockerd.log)
# Prints `export DOCKER_HOST=...` on its last line, for `eval "$(.ci/start-dockerd.sh | tail -n 1)"`.
set -euo pipefail

export DOCKER_HOST="${DOCKER_HOST:-unix:///run/harness-docker.sock}"
timeout_s="${DOCKERD_TIMEOUT_S:-60}"
log="${DOCKERD_LOG:-/tmp/harness-dockerd.log}"
socket="${DOCKER_HOST#unix://}"

docker_cli() { if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi; }

if docker_cli info >/dev/null 2>&1; then
  echo "start-dockerd: a Docker engine already answers at ${DOCKER_HOST}" >&2
else
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "start-dockerd: dockerd is not installed (apt-get install docker.io, see .ci/install-debian-packages.sh)" >&2
    exit 1
  fi
  case "$DOCKER_HOST" in
    unix://*) ;;
    *) echo "start-dockerd: DOCKER_HOST=${DOCKER_HOST} is not a local unix socket; start that engine yourself" >&2; exit 1 ;;
  esac
  data_root="${DOCKERD_DATA_ROOT:-/var/lib/harness-docker}"
  exec_root="${DOCKERD_EXEC_ROOT:-/run/harness-docker}"
  pidfile="${exec_root}.pid"
  mkdir -p "$data_root" "$exec_root"
  # A socket or pid file left by an engine that died (e.g. killed with the session that started it) would make
  # dockerd refuse to start.
  if [ -f "$pidfile" ]; then
    old_pid=$(cat "$pidfile" 2>/dev/null || true)
    if [ -n "$old_pid" ] && [ -r "/proc/$old_pid/comm" ] && [ "$(cat "/proc/$old_pid/comm")" = dockerd ]; then
      echo "start-dockerd: dockerd (pid ${old_pid}) runs but does not answer at ${DOCKER_HOST}" >&2
      exit 1
    fi
    rm -f "$pidfile"
  fi
  if [ -S "$socket" ]; then rm -f "$socket"; fi
  echo "start-dockerd: starting dockerd at ${DOCKER_HOST} (log ${log})" >&2
  nohup dockerd \
    --host "$DOCKER_HOST" \
    --storage-driver vfs \
    --iptables=false \
    --ip6tables=false \
    --bridge=none \
    --data-root "$data_root" \
    --exec-root "$exec_root" \
    --pidfile "$pidfile" \
    >"$log" 2>&1 </dev/null &
  dockerd_pid=$!
  deadline=$((SECONDS + timeout_s))
  until docker_cli info >/dev/null 2>&1; do
    if ! kill -0 "$dockerd_pid" 2>/dev/null; then
      echo "start-dockerd: dockerd exited; last log lines:" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "start-dockerd: the engine did not answer within ${timeout_s} s; last log lines:" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  echo "start-dockerd: engine up after $((SECONDS + timeout_s - deadline)) s" >&2
  # SUT containers of a run that ended with the previous engine: nothing can be using them now.
  leftovers=$(docker_cli ps -aq --filter label=epcscf-harness.sut)
  if [ -n "$leftovers" ]; then docker_cli rm -f $leftovers >/dev/null 2>&1 || true; fi
fi
echo "export DOCKER_HOST=${DOCKER_HOST}"
