#!/usr/bin/env bash
# pip_install.sh PYTHON SOURCE TARGET: installs the Python package as an integrator would (pip,
# from the repository, no compiler), into TARGET in the build tree, never the system. A copy of
# SOURCE is built, so setuptools leaves nothing in the source tree; nothing is downloaded.
set -euo pipefail
python=$1 source=$2 target=$3
rm -rf "$target" "$target.src"
cp -r "$source" "$target.src"
"$python" -m pip install --quiet --disable-pip-version-check --no-index --no-deps \
  --no-build-isolation --target "$target" "$target.src"
"$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import crm; print("installed", crm.__file__)' "$target"
