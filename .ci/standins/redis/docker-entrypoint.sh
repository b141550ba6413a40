#!/bin/sh
# Mimics the official redis entrypoint: options alone mean redis-server, and
# the server drops root. The official build turns protected mode off at
# compile time; Debian's leaves it on, so it is turned off here instead.
set -eu

case "${1:-}" in
  -*) set -- redis-server "$@" ;;
esac

if [ "${1:-}" = redis-server ]; then
  shift
  set -- redis-server "$@" --protected-mode no
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi

exec "$@"
