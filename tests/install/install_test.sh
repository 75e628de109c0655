#!/usr/bin/env bash
# install.consumers: what an integrator does with an installed crm. Installs the build tree into
# a scratch prefix (cmake --install), then builds and runs against that prefix only:
#   (a) a C++ host with find_package(crm COMPONENTS host), loading libcrm by SONAME through
#       host.hpp (LD_LIBRARY_PATH = the prefix's library folder, as after ldconfig), by path,
#       and failing to load with a crm::host::Error that names what was tried;
#   (b) a C program built with `pkg-config --cflags --libs crm` alone;
#   (c) the C++ host again, built with `pkg-config --cflags --libs crm-host` alone.
# install_test.sh BUILD_DIR SOURCE_DIR WORK_DIR LIBDIR CC CXX [FLAGS]
#   FLAGS: compile and link flags for both programs (the sanitizer build passes its own).
set -euo pipefail
build=$1 source=$2 work=$3 libdir=$4 cc=$5 cxx=$6 flags=${7:-}
here=$source/tests/install
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

step() { echo "== $*"; }
fail() {
  echo "install_test: $*" >&2
  exit 1
}

step "cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
library=$prefix/$libdir/libcrm.so.1
[ -f "$library" ] || fail "no $library (installed: $(cd "$prefix" && find . -type f | sort))"
for file in include/crm/crm.h include/crm/host.hpp "$libdir/libcrm.so" \
  "$libdir/cmake/crm/crmConfig.cmake" "$libdir/pkgconfig/crm.pc" "$libdir/pkgconfig/crm-host.pc"; do
  [ -e "$prefix/$file" ] || fail "not installed: $file"
done
grep -qx "prefix=$prefix" "$prefix/$libdir/pkgconfig/crm.pc" ||
  fail "crm.pc does not name the install prefix: $(head -1 "$prefix/$libdir/pkgconfig/crm.pc")"

step "(a) C++ host: find_package(crm COMPONENTS host), load by SONAME"
cmake -S "$here/host" -B "$work/host" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
  >"$work/host-configure.log" || { cat "$work/host-configure.log"; fail "configure of the host"; }
cmake --build "$work/host" >"$work/host-build.log" ||
  { cat "$work/host-build.log"; fail "build of the host"; }
# crm::host loads libcrm at run time, so the host must not link it.
if readelf -d "$work/host/installed_host" | grep NEEDED | grep -q libcrm; then
  fail "the host links libcrm: $(readelf -d "$work/host/installed_host" | grep NEEDED)"
fi
# From another folder, so that a bare name can only be found by the dynamic linker's search.
(cd / && LD_LIBRARY_PATH=$prefix/$libdir "$work/host/installed_host" "$work" "$library")

step "(b) C program: pkg-config --cflags --libs crm"
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
# shellcheck disable=SC2046,SC2086 # word splitting of the flags is intended
"$cc" -std=c99 -Wall -Werror $flags -o "$work/c_consumer" "$here/c_consumer.c" \
  $(pkg-config --cflags --libs crm)
(cd / && LD_LIBRARY_PATH=$prefix/$libdir "$work/c_consumer" "$work")
step "(c) C++ host: pkg-config --cflags --libs crm-host"
# shellcheck disable=SC2046,SC2086 # word splitting of the flags is intended
"$cxx" -std=c++20 -Wall -Werror $flags -o "$work/pc_host" "$here/host/installed_host.cpp" \
  $(pkg-config --cflags --libs crm-host)
(cd / && LD_LIBRARY_PATH=$prefix/$libdir "$work/pc_host" "$work" "$library") >/dev/null
echo "install_test: all checks passed"
