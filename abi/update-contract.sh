#!/usr/bin/env bash
# Rewrites the JSON contract baseline abi/methods.json (system.describe's methods: names,
# summaries, parameter and result schemas) from a build's integration test program.
#
#   abi/update-contract.sh [BUILD_DIR]     (default: build)
#
# Commit the result on its own, with a message saying what changed in the contract and why it
# is additive; see abi/POLICY.md.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-build}
tests=$build/tests/integration/crm_integration_tests
[[ -x $tests ]] || { echo "$0: $tests is not built (cmake --build $build --target crm_integration_tests)" >&2; exit 1; }
CRM_TEST_DIALECT=sqlite CRM_UPDATE_CONTRACT=1 "$tests" \
  --gtest_filter=CatalogTest.DescribeMatchesTheCommittedBaseline > /dev/null
if git -C "$here" ls-files --error-unmatch methods.json > /dev/null 2>&1 &&
  git -C "$here" diff --quiet -- methods.json; then
  echo "abi/methods.json is already up to date."
  exit 0
fi
echo "Wrote abi/methods.json. Review the diff and commit it on its own, saying why the contract changed:"
echo "  git diff abi/methods.json"
