#!/bin/sh
# Orderly's broker entrypoint: renders the credentials definitions file from the environment, then hands
# over to the official image's entrypoint (which drops to the rabbitmq user and starts the server).
set -eu
if [ "${1:-}" = rabbitmq-server ]; then
  render-credentials.sh /etc/rabbitmq/definitions
fi
exec docker-entrypoint.sh "$@"
