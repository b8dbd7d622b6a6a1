# syntax=docker/dockerfile:1
#
# The image of one Orderly service. One Dockerfile for the four services, parametrised by the service's
# name: they are built from the same workspace (one package-lock.json, the same libs, the same run
# command), so four copies would only drift apart. The build context is the repository root.
#
#   docker build -f tools/docker/service.Dockerfile --build-arg SERVICE=order-service --build-arg PORT=3001 .
#
# At start the container applies its database's pending migrations (tools/prisma-migrate: Prisma's own
# engine as WebAssembly, nothing downloaded at run time; an advisory lock makes concurrent replicas
# safe), seeds it if SEED_DATABASE=true (prisma/<database>/seed.ts: prisma/ is in the image), then runs
# the service. Docker compose wires it up: docker-compose.yml.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- deps: the workspace's dependencies, cached until package-lock.json changes --------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Dev dependencies included: services run their TypeScript through @swc-node/register (as
# tools/scripts/run-ts.mjs does, keeping Nest's decorator metadata), and migrations use @prisma/migrate.
RUN npm ci --no-audit --no-fund && npm cache clean --force

# ---- build: sources, Prisma clients ----------------------------------------------------------------------
FROM deps AS build
ARG SERVICE
ARG PORT
RUN test -n "${SERVICE}" && test -n "${PORT}" \
 || { echo "build with --build-arg SERVICE=<name>-service --build-arg PORT=<its HTTP port>" >&2; exit 1; }
COPY . .
# Only this service's app is kept (apps never import each other; libs and prisma/ are shared), and only
# its database's client is generated.
RUN test -f "apps/${SERVICE}/src/main.ts" || { echo "no apps/${SERVICE}/src/main.ts" >&2; exit 1; } \
 && find apps -mindepth 1 -maxdepth 1 ! -name "${SERVICE}" -exec rm -rf {} + \
 && node tools/scripts/run-ts.mjs tools/prisma-migrate/src/cli.ts generate --service "${SERVICE%-service}"

# ---- runtime ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG PORT
ENV NODE_ENV=production \
    ORDERLY_SERVICE=${SERVICE} \
    PORT=${PORT} \
    SWC_NODE_PROJECT=/app/tsconfig.base.json
WORKDIR /app
# Owned by root and only readable by the service's user: a compromised process cannot rewrite its code.
COPY --from=build /app /app
COPY --chmod=0755 tools/docker/service-entrypoint.sh /usr/local/bin/service-entrypoint.sh
# The official image's unprivileged user (uid 1000).
USER node

# Ready = the database and the broker answer (the service's /health/ready, libs/observability). The start
# period covers migrations and the first TypeScript compile.
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

EXPOSE ${PORT}
ENTRYPOINT ["service-entrypoint.sh"]
