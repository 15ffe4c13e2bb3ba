#!/bin/sh
# api (default) or worker; anything else runs the callqa CLI, e.g. `docker run callqa sample --month 2026-10`.
set -e
case "${1:-api}" in
  api) exec npm start ;;
  worker) exec npm run worker ;;
  *) exec node --import tsx api/cli/main.ts "$@" ;;
esac
