#!/bin/sh
# Writes <dir>/20-credentials.json: the broker's administrator and the service users that were given a
# password through the environment, as RabbitMQ definitions with clear-text passwords (RabbitMQ hashes
# them on import; the file is readable by the rabbitmq user only).
#
#   RABBITMQ_ADMIN_USER       administrator (default orderly-admin), tag `administrator`, all rights in the vhost
#   RABBITMQ_ADMIN_PASSWORD   required
#   BROKER_PASSWORD_<SERVICE> optional, e.g. BROKER_PASSWORD_ORDER_SERVICE sets user order-service
#   ORDERLY_VHOST             default orderly
#
# Why: a node that imports definitions at boot does not create its default user, so the administrator
# must come from a definitions file too, and its password must not be committed. RabbitMQ imports the
# files of a definitions folder in name order, so this file (20-) is applied after the topology (10-),
# whose service users have no password: a service given a password here can always log in.
set -eu

dir=${1:?usage: render-credentials.sh <definitions folder>}
vhost=${ORDERLY_VHOST:-orderly}
admin=${RABBITMQ_ADMIN_USER:-orderly-admin}
if [ -z "${RABBITMQ_ADMIN_PASSWORD:-}" ]; then
  echo "orderly-broker: set RABBITMQ_ADMIN_PASSWORD (and optionally RABBITMQ_ADMIN_USER, default orderly-admin)." >&2
  echo "orderly-broker: this image has no guest user and no default administrator." >&2
  exit 64
fi

# A JSON string literal of $1 ($2 names it in errors). Control characters (newlines...) are refused
# rather than escaped: they have no place in a user name or a password given through the environment.
json_string() {
  case $1 in
    *[[:cntrl:]]*)
      echo "orderly-broker: $2 contains a control character; not supported" >&2
      exit 64
      ;;
  esac
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

users="    { \"name\": $(json_string "$admin" RABBITMQ_ADMIN_USER), \"password\": $(json_string "$RABBITMQ_ADMIN_PASSWORD" RABBITMQ_ADMIN_PASSWORD), \"tags\": [\"administrator\"] }"
for variable in $(env | sed -n 's/^\(BROKER_PASSWORD_[A-Z0-9_]*\)=.*/\1/p' | sort); do
  eval "password=\${$variable}"
  [ -n "$password" ] || continue
  # BROKER_PASSWORD_ORDER_SERVICE -> order-service
  service=$(printf '%s' "${variable#BROKER_PASSWORD_}" | tr 'A-Z_' 'a-z-')
  users="$users,
    { \"name\": \"$service\", \"password\": $(json_string "$password" "$variable"), \"tags\": [] }"
done

mkdir -p "$dir"
umask 077
tmp="$dir/.20-credentials.json.tmp"
cat > "$tmp" <<JSON
{
  "users": [
$users
  ],
  "vhosts": [{ "name": $(json_string "$vhost" ORDERLY_VHOST) }],
  "permissions": [
    { "user": $(json_string "$admin" RABBITMQ_ADMIN_USER), "vhost": $(json_string "$vhost" ORDERLY_VHOST), "configure": ".*", "write": ".*", "read": ".*" }
  ]
}
JSON
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then chown rabbitmq:rabbitmq "$tmp"; fi
mv "$tmp" "$dir/20-credentials.json"
