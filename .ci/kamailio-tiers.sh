#!/usr/bin/env bash
# CI tiers 2 and 3 (issue 3): the whole suite against the Kamailio eP-CSCF shipped in sut/kamailio, first as a
# local process, then as a container through testcontainers. Each tier writes its reports to reports/<profile>/
# and ends with a plain "N passed, N failed" line; a tier that cannot start says why and counts as one failure.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo "=== tier: Kamailio as a process (profiles/kamailio-process.yaml)"
npm start -- --profile profiles/kamailio-process.yaml --reports reports/kamailio-process || status=1

echo "=== tier: Kamailio as a container (profiles/kamailio-container.yaml)"
if docker_env=$(.ci/start-dockerd.sh | tail -n 1) && eval "$docker_env" && .ci/build-kamailio-image.sh; then
  npm start -- --profile profiles/kamailio-container.yaml --reports reports/kamailio-container || status=1
else
  echo "container tier: the Docker engine or the Kamailio image is not available (see the lines above)"
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
