#!/usr/bin/env bash
# Builds the Kamailio eP-CSCF image of the container tier from local files only (no registry can be reached):
#   1. epcscf-harness/debian-kamailio-base:bookworm — `debootstrap --variant=minbase bookworm` from the Debian
#      mirror apt uses on this machine, with the packages of sut/kamailio/packages.txt, then `docker import`;
#   2. epcscf-harness/kamailio:5.6 — sut/kamailio/Dockerfile on that base.
# Each image carries a label with a hash of what it was made from; an image whose label matches is reused.
# Needs a running engine (.ci/start-dockerd.sh) and root (debootstrap).
#
#   DOCKER_HOST             default unix:///run/harness-docker.sock
#   KAMAILIO_IMAGE          default epcscf-harness/kamailio:5.6
#   DEBIAN_MIRROR           default: the first bookworm mirror in /etc/apt/sources.list(.d)
#   FORCE_REBUILD=1         rebuild both images
set -euo pipefail
cd "$(dirname "$0")/.."

export DOCKER_HOST="${DOCKER_HOST:-unix:///run/harness-docker.sock}"
image="${KAMAILIO_IMAGE:-epcscf-harness/kamailio:5.6}"
base="epcscf-harness/debian-kamailio-base:bookworm"
suite=bookworm
docker_cli() { if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi; }
log() { echo "build-kamailio-image: $*" >&2; }

packages=()
while read -r line; do
  line="${line%%#*}"
  line="${line//[[:space:]]/}"
  [ -n "$line" ] && packages+=("$line")
done < sut/kamailio/packages.txt

base_recipe=$(printf '%s\n' "$suite" "${packages[@]}" | sha256sum | cut -c1-16)
image_recipe=$( (echo "$base_recipe"; cat sut/kamailio/Dockerfile sut/kamailio/kamailio.cfg.tmpl sut/kamailio/tls.cfg.tmpl sut/kamailio/README.md) | sha256sum | cut -c1-16)

label_of() { docker_cli image inspect --format '{{ index .Config.Labels "epcscf-harness.recipe" }}' "$1" 2>/dev/null || true; }

if [ "${FORCE_REBUILD:-0}" != 1 ] && [ "$(label_of "$image")" = "$image_recipe" ]; then
  log "reusing ${image} (recipe ${image_recipe})"
  exit 0
fi

mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local found=""
  # deb822 sources: the URIs of a stanza whose Suites name bookworm.
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    found=$(awk -v suite="$suite" '
      BEGIN { RS=""; FS="\n" }
      {
        uris=""; suites=""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { uris=$i; sub(/^URIs:[ \t]*/, "", uris) }
          if ($i ~ /^Suites:/) { suites=$i }
        }
        if (uris != "" && suites ~ ("[ \t]" suite "([ \t]|$)") && uris !~ /security/) { split(uris, u, /[ \t]+/); print u[1]; exit }
      }' "$file")
    [ -n "$found" ] && { echo "$found"; return; }
  done
  # One-line sources.
  found=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk -v suite="$suite" '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i == suite) { url = ($2 ~ /^\[/) ? $3 : $2; print url; exit } }')
  [ -n "$found" ] && { echo "$found"; return; }
  echo "http://deb.debian.org/debian"
}

if [ "${FORCE_REBUILD:-0}" = 1 ] || [ "$(label_of "$base")" != "$base_recipe" ]; then
  command -v debootstrap >/dev/null || { log "debootstrap is not installed (.ci/install-debian-packages.sh)"; exit 1; }
  url=$(mirror)
  work=$(mktemp -d /var/tmp/harness-debootstrap.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  cache=/var/cache/harness-debootstrap
  mkdir -p "$cache"
  log "debootstrap --variant=minbase ${suite} from ${url}"
  started=$SECONDS
  debootstrap --variant=minbase --cache-dir="$cache" "$suite" "$work/root" "$url" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" "$work/root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
    log "debootstrap failed"
    exit 1
  }
  log "debootstrap took $((SECONDS - started)) s"
  # The packages, with apt inside the new root (it resolves dependencies fully; debootstrap's --include does not).
  started=$SECONDS
  printf '#!/bin/sh\nexit 101\n' >"$work/root/usr/sbin/policy-rc.d"   # no service starts in the chroot
  chmod +x "$work/root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$work/root/etc/resolv.conf" 2>/dev/null || true
  mount -t proc proc "$work/root/proc"
  trap 'umount "$work/root/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
  chroot "$work/root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    "apt-get update -qq && apt-get install -y -q --no-install-recommends ${packages[*]} && apt-get clean" \
    >"$work/apt.log" 2>&1 || { tail -n 40 "$work/apt.log" >&2; log "apt-get install in the new root failed"; exit 1; }
  umount "$work/root/proc"
  rm -f "$work/root/usr/sbin/policy-rc.d" "$work/root/etc/resolv.conf"
  log "installing ${#packages[@]} packages took $((SECONDS - started)) s"
  # Slim the root filesystem: apt lists and caches, docs and man pages are of no use in the image.
  rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"*.bin "$work/root/var/cache/apt/archives/"*.deb \
    "$work/root/usr/share/doc/"* "$work/root/usr/share/man/"* "$work/root/usr/share/locale/"*
  started=$SECONDS
  tar -C "$work/root" -c . | docker_cli import \
    --change "LABEL epcscf-harness.recipe=${base_recipe}" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$base" >/dev/null
  log "docker import of ${base} took $((SECONDS - started)) s"
  rm -rf "$work"
  trap - EXIT
else
  log "reusing ${base} (recipe ${base_recipe})"
fi

started=$SECONDS
# The classic builder: this engine (20.10, no bridge network) has no BuildKit, and the Dockerfile has no RUN step.
DOCKER_BUILDKIT=0 docker_cli build --quiet --network host \
  --label "epcscf-harness.recipe=${image_recipe}" \
  --tag "$image" sut/kamailio >/dev/null
log "docker build of ${image} took $((SECONDS - started)) s"
# Dangling layers of our earlier builds (vfs keeps full copies); images of others are left alone.
docker_cli image prune --force --filter label=epcscf-harness.recipe >/dev/null 2>&1 || true
docker_cli image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^epcscf-harness/' >&2 || true
