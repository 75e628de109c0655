#!/usr/bin/env bash
# Builds libcrm, the reference ERP's generator and the demo host. The generator fills an
# embedded SQLite database (out/demo/crm-demo.db) with the reference ERP's sample data (once:
# it leaves tables that already hold customers alone); then the reference ERP host loads the
# plugin through Boost.DLL over that database and prints a customer's 360 view.
# --customers N (default 2000) goes to the generator, every other argument to crm-demo
# (e.g. --customer 华联).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${CRM_OUT:-$root/out}
source "$root/scripts/lib/packages.sh"
ensure_packages "${CRM_BUILD_PACKAGES[@]}"
customers=2000
demo_args=()
while (($#)); do
  if [[ $1 == --customers && $# -ge 2 ]]; then
    customers=$2
    shift 2
  else
    demo_args+=("$1")
    shift
  fi
done
# CRM_DEMO_BUILD names a build tree configured already (the test script's release tree), so that
# the library is not compiled twice; by default the demo has its own release tree.
build=${CRM_DEMO_BUILD:-}
if [[ -z $build ]]; then
  build=$out/build-demo
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCRM_BUILD_TESTS=OFF \
    -DCRM_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target crm crm-demo crm-erp-generate
mkdir -p "$out/demo"
"$build/tools/erp/crm-erp-generate" --dialect sqlite --path "$out/demo/crm-demo.db" \
  --shape jinhe --customers "$customers"
exec "$build/host/crm-demo" --database "$out/demo/crm-demo.db" \
  --mapping "$root/tools/erp/mapping/jinhe.json" "${demo_args[@]}"
