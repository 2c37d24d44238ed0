#!/usr/bin/env bash
# Stop the private Docker engine that .ci/docker-up.sh started (by its pid file), after removing
# any sandbox containers left behind. Keeps the data root, so the image survives for next time;
# PERFSMITH_DOCKER_PURGE=1 deletes it too.
set -euo pipefail

DIR=${PERFSMITH_DOCKER_DIR:-/var/lib/perfsmith-docker}
PIDFILE="$DIR/docker.pid"
export DOCKER_HOST="unix://$DIR/docker.sock"

log() { echo "docker-down: $*" >&2; }

if [ ! -f "$PIDFILE" ]; then
    log "no pid file at $PIDFILE; nothing to stop"
    exit 0
fi
pid=$(cat "$PIDFILE")
leftovers=$(docker ps -aq --filter label=perfsmith.sandbox 2>/dev/null || true)
if [ -n "$leftovers" ]; then
    log "removing leftover sandbox containers: $leftovers"
    # shellcheck disable=SC2086  # one id per word
    docker rm -f $leftovers >/dev/null
fi
if kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "dockerd still running after 30 s; sending SIGKILL"
        kill -KILL "$pid"
    fi
fi
rm -f "$PIDFILE"
if [ "${PERFSMITH_DOCKER_PURGE:-0}" = 1 ]; then
    log "purging $DIR"
    rm -rf "$DIR"
fi
