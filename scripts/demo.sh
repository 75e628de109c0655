#!/usr/bin/env bash
# Builds libcrm and starts the demo: the reference ERP host loads the plugin through Boost.DLL
# over an embedded SQLite database (out/demo/crm-demo.db) with sample data, and prints a
# customer.s 360 view. Extra arguments go to crm-demo (e.g. --customer 华联).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${CRM_OUT:-$root/out}
source "$root/scripts/lib/packages.sh"
ensure_packages "${CRM_BUILD_PACKAGES[@]}"
cmake -S "$root" -B "$out/build-demo" -DCMAKE_BUILD_TYPE=Release -DCRM_BUILD_TESTS=OFF \
  -DCRM_BUILD_BENCH=OFF >/dev/null
cmake --build "$out/build-demo" -j"$(nproc)" --target crm crm-demo
mkdir -p "$out/demo"
exec "$out/build-demo/host/crm-demo" --database "$out/demo/crm-demo.db" "$@"
