#!/bin/sh
# Entry point of a service image (tools/docker/service.Dockerfile): applies the pending migrations of the
# service's own database, then replaces itself with the service, so that the service receives SIGTERM
# directly and drains (Nest shutdown hooks). A failed migration stops the container before the service
# could run against a schema it does not expect.
set -eu
: "${ORDERLY_SERVICE:?the image sets ORDERLY_SERVICE (build arg SERVICE)}"
: "${DATABASE_URL:?set DATABASE_URL}"

database=${ORDERLY_SERVICE%-service}
echo "${ORDERLY_SERVICE}: applying migrations of prisma/${database}"
node tools/scripts/run-ts.mjs tools/prisma-migrate/src/cli.ts deploy --service "${database}"

exec node --enable-source-maps --require @swc-node/register "apps/${ORDERLY_SERVICE}/src/main.ts"
