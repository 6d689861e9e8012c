#!/usr/bin/env bash
# Starts a Docker engine for the container tier if none answers yet, and waits until `docker info` works.
# This machine has no bridge networking, no iptables and no overlay filesystem support for Docker, and no
# registry can be reached: containers run with host networking, on the vfs storage driver, from local images.
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
  # A stale socket from an engine that died would make dockerd refuse to start.
  if [ -S "$socket" ] && ! docker_cli info >/dev/null 2>&1; then rm -f "$socket"; fi
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
  deadline=$((SECONDS + timeout_s))
  until docker_cli info >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "start-dockerd: the engine did not answer within ${timeout_s} s; last log lines:" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  echo "start-dockerd: engine up after $((SECONDS + timeout_s - deadline)) s" >&2
fi
echo "export DOCKER_HOST=${DOCKER_HOST}"
