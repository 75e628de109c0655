#!/usr/bin/env bash
# Runs every test of libcrm on this machine (Debian 12):
#   1. installs the Debian packages it needs (only the missing ones);
#   2. starts a private PostgreSQL and MariaDB on 127.0.0.1 in a fresh /tmp folder (stopped
#      and removed on exit);
#   3. builds the release tree and runs the demo on it (scripts/demo.sh, the README's demo
#      command; its own tree without tests is only configured, so the library is compiled once);
#   4. runs the whole suite (unit, integration on SQLite, PostgreSQL and MariaDB, ABI checks, the
#      installed library and packages, the C, Python, Go and Java clients, the golden JSON
#      files) in the release build, then builds and runs it again with ASan (the
#      integration suite whole on SQLite, its fault and thread tests on the servers);
#   5. builds the fuzz targets (Clang, libFuzzer; tests/fuzz) and runs their tests: every seed
#      and reproducer once, and a short fuzzing run of each target.
# Output and build trees go to out/ (override with CRM_OUT).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${CRM_OUT:-$root/out}
jobs=$(nproc)
source "$root/scripts/lib/packages.sh"
ensure_packages "${CRM_BUILD_PACKAGES[@]}" "${CRM_TEST_PACKAGES[@]}"

mkdir -p "$out"
# The servers run as their own users (postgres, mysql), so their folder must be reachable by
# them wherever this checkout lives (a checkout under /root is not): a fresh one in /tmp.
db_dir=$(mktemp -d /tmp/crm-test-db.XXXXXX)
chmod 755 "$db_dir"
stop_servers() {
  "$root/scripts/db/postgresql.sh" stop "$db_dir" >/dev/null 2>&1 || true
  "$root/scripts/db/mariadb.sh" stop "$db_dir" >/dev/null 2>&1 || true
  rm -rf "$db_dir"
}
trap stop_servers EXIT
eval "$("$root/scripts/db/postgresql.sh" start "$db_dir")"
export CRM_TEST_POSTGRESQL=$CRM_POSTGRESQL_CONNECTION
eval "$("$root/scripts/db/mariadb.sh" start "$db_dir")"
export CRM_TEST_MARIADB=$CRM_MARIADB_CONNECTION
export CRM_TEST_DB_DIR=$db_dir  # the fault tests stop and start the servers
unset CRM_TEST_DIALECT CRM_TEST_CONNECTION

build_tree() {  # build_tree BUILD_DIR CMAKE_ARGS...
  local build=$1; shift
  cmake -S "$root" -B "$build" -DCRM_TEST_SERVERS=ON "$@" >/dev/null
  cmake --build "$build" -j"$jobs"
}
run_suite() {  # run_suite BUILD_DIR
  ctest --test-dir "$1" -j"$jobs" --output-on-failure --timeout 1200
}

echo "== release build"
build_tree "$out/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== the demo command (scripts/demo.sh) on the release build: sample data, one timeline"
CRM_DEMO_BUILD="$out/build" "$root/scripts/demo.sh" --customer 华联 | tail -n 3
# The demo's own tree is configured without tests and benchmarks: that configuration must hold.
cmake -S "$root" -B "$out/build-demo" -DCMAKE_BUILD_TYPE=Release -DCRM_BUILD_TESTS=OFF \
  -DCRM_BUILD_BENCH=OFF >/dev/null
run_suite "$out/build"

echo "== sanitizer build (ASan, LSan)"
build_tree "$out/build-asan" -DCMAKE_BUILD_TYPE=Debug -DCRM_SANITIZE=ON -DCRM_BUILD_BENCH=OFF
run_suite "$out/build-asan"
echo "== fuzz build (Clang, libFuzzer, ASan + UBSan): seeds, reproducers, short fuzzing runs"
cmake -S "$root" -B "$out/build-fuzz" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCRM_FUZZ=ON -DCRM_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out/build-fuzz" -j"$jobs"
ctest --test-dir "$out/build-fuzz" -L fuzz -j"$jobs" --output-on-failure
