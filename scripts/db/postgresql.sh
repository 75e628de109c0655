#!/usr/bin/env bash
# A private PostgreSQL server for development and tests: no system service, nothing outside DIR.
#
#   scripts/db/postgresql.sh start  [DIR]   initialise DIR/postgresql on first use, start the
#                                           server on 127.0.0.1:$CRM_PG_PORT (55432), create the
#                                           role and database "crm", wait until ready, then print
#                                           the environment (as "env" does)
#   scripts/db/postgresql.sh stop   [DIR]   fast shutdown (open transactions are rolled back)
#   scripts/db/postgresql.sh status [DIR]   exit 0 when the server accepts connections
#   scripts/db/postgresql.sh env    [DIR]   print shell exports: ODBCSYSINI, CRM_POSTGRESQL_CONNECTION,
#                                           CRM_TEST_DIALECT and CRM_TEST_CONNECTION
#
# Typical use:   eval "$(scripts/db/postgresql.sh start /tmp/crm-db)"
# DIR defaults to $CRM_DB_DIR, else /tmp/crm-db. Run as root (the server then runs as the
# "postgres" system user, which PostgreSQL requires) or as any other user (it runs as you).
# Role/password/database: $CRM_DB_USER/$CRM_DB_PASSWORD/$CRM_DB_NAME (crm/crm/crm).
#
# Encoding: the cluster and the database are UTF8 with LC_COLLATE=C (byte order = code point
# order, no glibc collation version to drift under indexes) and LC_CTYPE=C.UTF-8 (so lower()
# and ILIKE fold non-ASCII letters too, not only A-Z). The server time zone is UTC; the CRM
# stores UTC in "timestamp without time zone" columns anyway.

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PORT=${CRM_PG_PORT:-55432}

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return; }
  die "PostgreSQL server binaries not found (apt-get install postgresql-15)"
}

setup_paths() {
  ROOT=$(state_dir "${1:-}")
  BASE=$ROOT/postgresql
  DATA=$BASE/data
  RUN=$BASE/run
  LOG=$BASE/server.log
  BIN=$(pg_bin)
}

need_account() { ACCOUNT=$(server_account postgres); }

connection_string() {
  echo "DRIVER=$(odbc_driver_dir)/psqlodbcw.so;Server=127.0.0.1;Port=$PORT;Database=$CRM_DB_NAME;UID=$(odbc_value "$CRM_DB_USER");PWD=$(odbc_value "$CRM_DB_PASSWORD")"
}

print_env() {
  local cs
  cs=$(connection_string)
  echo "export ODBCSYSINI=$(shell_quote "$ROOT/odbc")"
  echo "export CRM_POSTGRESQL_CONNECTION=$(shell_quote "$cs")"
  echo "export CRM_TEST_DIALECT=postgresql"
  echo "export CRM_TEST_CONNECTION=$(shell_quote "$cs")"
}

admin_psql() {
  as_account "$ACCOUNT" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$PORT" -U postgres "$@"
}

running() { as_account "$ACCOUNT" "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d postgres; }

initialise() {
  mkdir -p "$BASE"
  chown "$ACCOUNT": "$BASE"
  chmod 755 "$BASE"
  check_reachable "$ACCOUNT" "$BASE"
  if [ ! -s "$DATA/PG_VERSION" ]; then
    say "initialising $DATA"
    rm -rf "$DATA"
    as_account "$ACCOUNT" "$BIN/initdb" -D "$DATA" --username=postgres --encoding=UTF8 \
      --lc-collate=C --lc-ctype=C.UTF-8 --lc-messages=C --lc-monetary=C --lc-numeric=C \
      --lc-time=C --auth-local=trust --auth-host=scram-sha-256 >"$BASE/initdb.log" 2>&1 ||
      { cat "$BASE/initdb.log" >&2; die "initdb failed"; }
    echo "include_if_exists = 'crm.conf'" >>"$DATA/postgresql.conf"
  fi
  as_account "$ACCOUNT" mkdir -p "$RUN"
  # Rewritten on every start so that CRM_PG_PORT may change between runs.
  as_account "$ACCOUNT" tee "$DATA/crm.conf" >/dev/null <<EOF
# Written by scripts/db/postgresql.sh on every start.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN'
timezone = 'UTC'
log_timezone = 'UTC'
password_encryption = 'scram-sha-256'
EOF
}

create_database() {
  admin_psql -d postgres -v role="$CRM_DB_USER" -v password="$CRM_DB_PASSWORD" \
    -v db="$CRM_DB_NAME" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L LC_COLLATE %L LC_CTYPE %L TEMPLATE template0',
              :'db', :'role', 'UTF8', 'C', 'C.UTF-8')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
}

start() {
  write_odbcsysini "$ROOT"
  if running && ready; then
    say "already running on 127.0.0.1:$PORT (data $DATA)"
  else
    initialise
    say "starting on 127.0.0.1:$PORT (log $LOG)"
    as_account "$ACCOUNT" touch "$LOG" 2>/dev/null || { touch "$LOG"; chown "$ACCOUNT": "$LOG"; }
    as_account "$ACCOUNT" "$BIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 >/dev/null ||
      { tail -n 20 "$LOG" >&2; die "the server did not start"; }
    wait_for 60 "server" ready || { tail -n 20 "$LOG" >&2; die "the server is not ready"; }
  fi
  create_database
  print_env
}

stop() {
  if [ ! -s "$DATA/PG_VERSION" ]; then say "nothing to stop ($DATA does not exist)"; return; fi
  if running; then
    as_account "$ACCOUNT" "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null
    say "stopped"
  else
    say "not running"
  fi
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
  start) setup_paths "${1:-}"; need_account; start ;;
  stop) setup_paths "${1:-}"; need_account; stop ;;
  status) setup_paths "${1:-}"; need_account; if running && ready; then say "running on 127.0.0.1:$PORT"; else say "not running"; exit 1; fi ;;
  env) setup_paths "${1:-}"; write_odbcsysini "$ROOT"; print_env ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
