#!/usr/bin/env bash
# Start a private Docker engine for the docker sandbox tests and build the sandbox image from
# this machine's own files (no registry is reachable here). Prints the DOCKER_HOST to export on
# stdout and nothing else, so `export DOCKER_HOST=$(.ci/docker-up.sh)` works; logs go to stderr.
#
# The image holds only the OS userland (shell, coreutils, shared libraries). The Python install
# and the virtual environment are NOT baked in: the docker sandbox mounts them read-only at the
# same absolute paths at run time, so paths in commands (sys.executable, py-spy) and in profiles
# hold inside and out, and a dependency change never needs an image rebuild.
set -euo pipefail

DIR=${PERFSMITH_DOCKER_DIR:-/var/lib/perfsmith-docker}
IMAGE=${PERFSMITH_DOCKER_IMAGE:-perfsmith-sandbox:latest}
# Paths (relative to /) copied into the image. On merged-/usr systems bin, lib, lib64 and sbin
# are symlinks into /usr: usr/lib64 must be there or every exec fails with "no such file".
ROOTFS=${PERFSMITH_DOCKER_ROOTFS:-"bin sbin lib lib64 usr/bin usr/sbin usr/lib64 usr/lib/x86_64-linux-gnu usr/lib/locale usr/lib/git-core usr/share/zoneinfo etc/ld.so.cache etc/passwd etc/group etc/nsswitch.conf"}
SOCK="$DIR/docker.sock"
HOST="unix://$SOCK"

log() { echo "docker-up: $*" >&2; }

if ! command -v dockerd >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || { log "dockerd is missing and installing docker.io needs root"; exit 1; }
    log "installing docker.io"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >&2
fi

mkdir -p "$DIR/data" "$DIR/exec"
# Whoever reaches the engine's socket is root on this machine: keep the directory root's alone
# (sandboxed candidates run as nobody and cannot pass through it).
chmod 700 "$DIR"
if ! DOCKER_HOST=$HOST docker version >/dev/null 2>&1; then
    log "starting dockerd on $SOCK (log: $DIR/dockerd.log)"
    # No bridge and no iptables: sandboxes only ever use network "none", so the host's network
    # configuration is left exactly as it was.
    nohup dockerd --host "$HOST" --data-root "$DIR/data" --exec-root "$DIR/exec" \
        --pidfile "$DIR/docker.pid" --bridge none --iptables=false --ip6tables=false \
        >"$DIR/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 120); do
        DOCKER_HOST=$HOST docker version >/dev/null 2>&1 && break
        sleep 0.5
    done
    DOCKER_HOST=$HOST docker version >/dev/null 2>&1 || { log "dockerd did not answer; see $DIR/dockerd.log"; exit 1; }
fi

if ! DOCKER_HOST=$HOST docker image inspect "$IMAGE" >/dev/null 2>&1; then
    log "building $IMAGE from local files: $ROOTFS"
    present=()
    for path in $ROOTFS; do
        if [ -e "/$path" ] || [ -L "/$path" ]; then present+=("$path"); fi
    done
    tar -C / -c "${present[@]}" | DOCKER_HOST=$HOST docker import - "$IMAGE" >&2
fi

echo "$HOST"
