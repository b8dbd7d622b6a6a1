#!/bin/sh
# Entry point of a service image (tools/docker/service.Dockerfile): applies the pending migrations of the
# service's own database, then replaces itself with the service, so that the service receives SIGTERM
# directly and drains (Nest shutdown hooks). A failed migration stops the container before the service
# could run against a schema it does not expect.
#
# SEED_DATABASE=true (opt-in; docker-compose.yml sets it for inventory-service) also runs the database's
# seed script, prisma/<database>/seed.ts, after the migrations. Seeds must be idempotent, since this runs
# at every container start: inventory's adds the products that are missing and never resets stock.
set -eu
: "${ORDERLY_SERVICE:?the image sets ORDERLY_SERVICE (build arg SERVICE)}"
: "${DATABASE_URL:?set DATABASE_URL}"

database=${ORDERLY_SERVICE%-service}
echo "${ORDERLY_SERVICE}: applying migrations of prisma/${database}"
node tools/scripts/run-ts.mjs tools/prisma-migrate/src/cli.ts deploy --service "${database}"

case "${SEED_DATABASE:-false}" in
  true)
    echo "${ORDERLY_SERVICE}: seeding prisma/${database} (SEED_DATABASE=true)"
    node tools/scripts/run-ts.mjs tools/prisma-migrate/src/cli.ts seed --service "${database}"
    ;;
  false) ;;
  *)
    echo "${ORDERLY_SERVICE}: SEED_DATABASE must be true or false, not '${SEED_DATABASE}'" >&2
    exit 78
    ;;
esac

exec node --enable-source-maps --require @swc-node/register "apps/${ORDERLY_SERVICE}/src/main.ts"
