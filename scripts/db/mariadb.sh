#!/usr/bin/env bash
# A private MariaDB server for development and tests: no system service, nothing outside DIR.
#
#   scripts/db/mariadb.sh start  [DIR]   initialise DIR/mariadb on first use, start mariadbd on
#                                        127.0.0.1:$CRM_MARIADB_PORT (53306), create the database
#                                        and user "crm", wait until ready, then print the
#                                        environment (as "env" does)
#   scripts/db/mariadb.sh stop   [DIR]   clean shutdown
#   scripts/db/mariadb.sh status [DIR]   exit 0 when the server answers
#   scripts/db/mariadb.sh env    [DIR]   print shell exports: ODBCSYSINI, CRM_MARIADB_CONNECTION,
#                                        CRM_TEST_DIALECT and CRM_TEST_CONNECTION
#
# Typical use:   eval "$(scripts/db/mariadb.sh start /tmp/crm-db)"
# DIR defaults to $CRM_DB_DIR, else /tmp/crm-db. Run as root (mariadbd then drops to the
# "mysql" system user) or as any other user (it runs as you). The server reads only
# DIR/mariadb/my.cnf (never /etc/mysql). User/password/database: $CRM_DB_USER/
# $CRM_DB_PASSWORD/$CRM_DB_NAME (crm/crm/crm).
#
# Character set utf8mb4 (4-byte UTF-8: all of Chinese incl. the supplementary planes, emoji),
# collation utf8mb4_nopad_bin, for the server, the database and (explicitly) every crm_* table:
#  - equality, UNIQUE keys and ORDER BY compare code points exactly, as PostgreSQL (LC_COLLATE
#    C) and SQLite do: host key "ABC" and "abc" are two keys, and ("nopad") so are "K1" and
#    "K1 " - utf8mb4_bin is a PAD SPACE collation that would call those duplicates;
#  - utf8mb4_unicode_ci (UCA 4.0.0) would fold case, accents and full-/half-width forms
#    ("（" = "("), and gives every supplementary-plane character (CJK Extension B such as
#    "𠀀", emoji) the same weight, so distinct rare-character names would compare equal and
#    collide in unique keys;
#  - the case-insensitive customer search does not depend on the collation: the mariadb
#    dialect spells it LOWER(column) LIKE LOWER(?), which folds every cased letter (Ä/ä, not
#    only A-Z) and matches Chinese text (no case) as an exact substring - the same meaning as
#    PostgreSQL's ILIKE under LC_CTYPE C.UTF-8.

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PORT=${CRM_MARIADB_PORT:-53306}

setup_paths() {
  ROOT=$(state_dir "${1:-}")
  BASE=$ROOT/mariadb
  DATA=$BASE/data
  RUN=$BASE/run
  SOCKET=$RUN/mariadb.sock
  PIDFILE=$RUN/mariadbd.pid
  CNF=$BASE/my.cnf
  LOG=$BASE/error.log
}

need_account() {
  ACCOUNT=$(server_account mysql)
  # The administrative account: mariadb-install-db gives root and the server account
  # unix_socket authentication, i.e. the OS user of the client process.
  if [ "$(id -u)" -eq 0 ]; then ADMIN=root; else ADMIN=$(id -un); fi
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] ||
    die "mariadbd not found (apt-get install mariadb-server)"
  MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
}

connection_string() {
  echo "DRIVER=$(odbc_driver_dir)/libmaodbc.so;Server=127.0.0.1;Port=$PORT;Database=$CRM_DB_NAME;UID=$(odbc_value "$CRM_DB_USER");PWD=$(odbc_value "$CRM_DB_PASSWORD")"
}

print_env() {
  local cs
  cs=$(connection_string)
  echo "export ODBCSYSINI=$(shell_quote "$ROOT/odbc")"
  echo "export CRM_MARIADB_CONNECTION=$(shell_quote "$cs")"
  echo "export CRM_TEST_DIALECT=mariadb"
  echo "export CRM_TEST_CONNECTION=$(shell_quote "$cs")"
}

admin() { mariadb --no-defaults --protocol=socket --socket="$SOCKET" -u "$ADMIN" "$@"; }

server_pid() {
  local pid
  [ -s "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

ready() { admin -N -e 'SELECT 1' >/dev/null 2>&1; }

write_config() {
  local user_line=""
  [ "$(id -u)" -eq 0 ] && user_line="user = $ACCOUNT"
  cat >"$CNF.tmp" <<EOF
# Written by scripts/db/mariadb.sh on every start.
[mysqld]
$user_line
datadir = $DATA
socket = $SOCKET
pid-file = $PIDFILE
port = $PORT
bind-address = 127.0.0.1
skip-name-resolve
log-error = $LOG
tmpdir = $BASE/tmp
character-set-server = utf8mb4
collation-server = utf8mb4_nopad_bin
default-time-zone = +00:00
innodb_buffer_pool_size = 256M
max_connections = 200
EOF
  mv "$CNF.tmp" "$CNF"
  chmod 644 "$CNF"
}

initialise() {
  mkdir -p "$BASE"
  chown "$ACCOUNT": "$BASE"
  chmod 755 "$BASE"
  check_reachable "$ACCOUNT" "$BASE"
  as_account "$ACCOUNT" mkdir -p "$RUN" "$BASE/tmp"
  write_config
  if [ ! -d "$DATA/mysql" ]; then
    say "initialising $DATA"
    rm -rf "$DATA"
    as_account "$ACCOUNT" mkdir -p "$DATA"
    mariadb-install-db --defaults-file="$CNF" --user="$ACCOUNT" --skip-test-db \
      --auth-root-authentication-method=socket >"$BASE/install.log" 2>&1 ||
      { cat "$BASE/install.log" >&2; die "mariadb-install-db failed"; }
  fi
}

create_database() {
  local q_user q_password q_db
  q_user=$(printf '%s' "$CRM_DB_USER" | sed "s/'/''/g")
  q_password=$(printf '%s' "$CRM_DB_PASSWORD" | sed "s/'/''/g")
  q_db=$(printf '%s' "$CRM_DB_NAME" | sed 's/`/``/g')
  admin <<SQL
CREATE DATABASE IF NOT EXISTS \`$q_db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
CREATE USER IF NOT EXISTS '$q_user'@'127.0.0.1' IDENTIFIED BY '$q_password';
CREATE USER IF NOT EXISTS '$q_user'@'localhost' IDENTIFIED BY '$q_password';
ALTER USER '$q_user'@'127.0.0.1' IDENTIFIED BY '$q_password';
ALTER USER '$q_user'@'localhost' IDENTIFIED BY '$q_password';
GRANT ALL PRIVILEGES ON \`$q_db\`.* TO '$q_user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$q_db\`.* TO '$q_user'@'localhost';
SQL
}

start() {
  write_odbcsysini "$ROOT"
  if server_pid >/dev/null && ready; then
    say "already running on 127.0.0.1:$PORT (data $DATA)"
  else
    if pid=$(server_pid); then
      # A server of ours is up but not answering yet (still starting): give it time.
      wait_for 60 "server" ready || die "mariadbd (pid $pid) does not answer; see $LOG"
    else
      initialise
      say "starting on 127.0.0.1:$PORT (log $LOG)"
      # Detached from this shell: its own session, no terminal, output in the error log.
      setsid "$MARIADBD" --defaults-file="$CNF" </dev/null >>"$BASE/stdout.log" 2>&1 &
      local deadline=$((SECONDS + 60))
      until ready; do
        if [ "$SECONDS" -ge "$deadline" ]; then tail -n 20 "$LOG" >&2; die "the server did not start"; fi
        if ! kill -0 $! 2>/dev/null && ! server_pid >/dev/null; then
          tail -n 20 "$LOG" >&2; die "mariadbd exited"
        fi
        sleep 0.2
      done
    fi
  fi
  create_database
  print_env
}

stop() {
  local pid
  if ! pid=$(server_pid); then say "not running"; return; fi
  admin -e 'SHUTDOWN' >/dev/null 2>&1 || kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || die "mariadbd (pid $pid) did not stop within 60 s"
    sleep 0.2
  done
  say "stopped"
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
  start) setup_paths "${1:-}"; need_account; start ;;
  stop) setup_paths "${1:-}"; need_account; stop ;;
  status) setup_paths "${1:-}"; need_account; if server_pid >/dev/null && ready; then say "running on 127.0.0.1:$PORT"; else say "not running"; exit 1; fi ;;
  env) setup_paths "${1:-}"; write_odbcsysini "$ROOT"; print_env ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
