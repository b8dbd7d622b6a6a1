#!/bin/sh
# Runs once, when the PostgreSQL container initialises an empty data directory (the official image runs
# /docker-entrypoint-initdb.d/*.sh). Each service owns one database, reached with its own role, and can
# neither connect to nor read another service's database: the database-per-service rule of
# docs/architecture.md, enforced by PostgreSQL rather than by convention.
#
#   ORDER_SERVICE_DB_PASSWORD, INVENTORY_SERVICE_DB_PASSWORD, PAYMENT_SERVICE_DB_PASSWORD,
#   NOTIFICATION_SERVICE_DB_PASSWORD   required (docker-compose.yml passes them from .env)
#
# Role and database of a service share its name with underscores (order_service): "order" alone is a
# reserved word in SQL. Changing a password later: ALTER ROLE, or remove the volume (data lost).
set -eu

for service in order inventory payment notification; do
  name="${service}_service"
  variable=$(printf '%s_SERVICE_DB_PASSWORD' "$service" | tr 'a-z' 'A-Z')
  eval "password=\${$variable:-}"
  if [ -z "$password" ]; then
    echo "create-service-databases: $variable is not set" >&2
    exit 1
  fi
  # The password goes through a psql variable (:'password' quotes it as a literal), never into the SQL
  # text, so any character is safe.
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
  echo "create-service-databases: database and role $name created"
done
