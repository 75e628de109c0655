# Shared helpers for scripts/db/postgresql.sh and scripts/db/mariadb.sh (sourced, not run).
#
# Layout under the state directory DIR (default $CRM_DB_DIR, else /tmp/crm-db):
#   DIR/odbc/odbcinst.ini    a clean ODBCSYSINI for the client side (see write_odbcsysini)
#   DIR/postgresql/...       data, socket, log of the private PostgreSQL server
#   DIR/mariadb/...          data, socket, log of the private MariaDB server
# Nothing outside DIR is written; no system service is used or changed.

set -euo pipefail

CRM_DB_USER=${CRM_DB_USER:-crm}
CRM_DB_PASSWORD=${CRM_DB_PASSWORD:-crm}
CRM_DB_NAME=${CRM_DB_NAME:-crm}

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# The state directory as an absolute path (created if missing).
state_dir() {
  local dir=${1:-${CRM_DB_DIR:-/tmp/crm-db}}
  mkdir -p "$dir"
  (cd "$dir" && pwd -P)
}

odbc_driver_dir() {
  local dir
  for dir in /usr/lib/x86_64-linux-gnu/odbc /usr/lib/aarch64-linux-gnu/odbc \
             /usr/lib/i386-linux-gnu/odbc /usr/lib/odbc /usr/lib64/odbc /usr/local/lib/odbc; do
    if [ -d "$dir" ]; then echo "$dir"; return; fi
  done
  echo /usr/lib/x86_64-linux-gnu/odbc
}

# Debian's /etc/odbcinst.ini ships [PostgreSQL Unicode] CommLog=1, and psqlODBC reads that
# section by its compiled-in name even for DRIVER=/path connections: every connecting process
# would leave a psqlodbc_*.log in /tmp (and pay for writing it). A connection-string CommLog=0
# does not stop it; pointing ODBCSYSINI at this clean copy does. Safe to rewrite at any time.
write_odbcsysini() {
  local dir=$1/odbc drivers
  drivers=$(odbc_driver_dir)
  mkdir -p "$dir"
  cat > "$dir/odbcinst.ini.tmp" <<EOF
; Written by scripts/db (CRM). Used through ODBCSYSINI=$dir instead of /etc/odbcinst.ini,
; whose [PostgreSQL Unicode] section turns on psqlODBC's CommLog.
[ODBC]
Trace=No

[PostgreSQL Unicode]
Description=PostgreSQL ODBC driver (Unicode version)
Driver=$drivers/psqlodbcw.so
Debug=0
CommLog=0

[PostgreSQL ANSI]
Description=PostgreSQL ODBC driver (ANSI version)
Driver=$drivers/psqlodbca.so
Debug=0
CommLog=0

[MariaDB Unicode]
Description=MariaDB Connector/ODBC (Unicode)
Driver=$drivers/libmaodbc.so

[SQLite3]
Description=SQLite3 ODBC Driver
Driver=$drivers/libsqlite3odbc.so
EOF
  mv "$dir/odbcinst.ini.tmp" "$dir/odbcinst.ini"
  [ -f "$dir/odbc.ini" ] || : > "$dir/odbc.ini"
  chmod 755 "$dir"
  chmod 644 "$dir/odbcinst.ini" "$dir/odbc.ini"
}

# The account a server runs as. Root runs it as the given system user (created as a system
# account without login if the package did not create it); anyone else runs it as themselves.
server_account() {
  local wanted=$1
  if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
  if ! id -u "$wanted" >/dev/null 2>&1; then
    say "creating system user $wanted"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "$wanted" >&2
  fi
  echo "$wanted"
}

# Runs a command as the server account (directly when that is who we are).
as_account() {
  local account=$1; shift
  if [ "$(id -un)" = "$account" ]; then "$@"; else runuser -u "$account" -- "$@"; fi
}

# Fails unless the account can reach and write dir: a state directory below a private home
# (e.g. /root, mode 0700) is not reachable for the postgres/mysql users.
check_reachable() {
  local account=$1 dir=$2
  as_account "$account" test -w "$dir" -a -x "$dir" ||
    die "$dir is not writable by user $account (is a parent folder private?); choose a state directory such as /tmp/crm-db or /var/tmp/crm-db"
}

# An ODBC connection-string value, brace-quoted when it holds ; { } = or spaces.
odbc_value() {
  case $1 in
    *[\;\{\}=\ ]*) printf '{%s}' "${1//\}/\}\}}" ;;
    *) printf '%s' "$1" ;;
  esac
}

# Single-quotes a value for the shell.
shell_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
