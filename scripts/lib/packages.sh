# ensure_packages PKG...: installs the Debian packages that are missing (sourced, not run).
# apt is asked only when something is missing, so a prepared machine needs no network.
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >&2
  # The server packages must not start system-wide services: the tests run their own.
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# What building libcrm and its demo needs; tzdata holds the time zones that business calendars
# name ("Asia/Shanghai").
CRM_BUILD_PACKAGES=(g++ cmake make pkg-config binutils libboost-dev libboost-filesystem-dev
  unixodbc unixodbc-dev libsqliteodbc nlohmann-json3-dev libspdlog-dev libfmt-dev sqlite3
  libsqlite3-dev tzdata)
# What the tests need on top: GoogleTest, the ABI tools, pytest and pip for the Python package
# (bindings/python, installed into the build tree), dpkg-deb for the Debian packages (CPack),
# the other ODBC drivers and servers, Go and a JDK with JNA for the examples (examples/go,
# examples/java),
# and for the fuzz build (tests/fuzz) Clang with libFuzzer and the sanitizer runtimes
# (libclang-rt-14-dev) and llvm-symbolizer (llvm) for readable stack traces.
CRM_TEST_PACKAGES=(googletest libgtest-dev libbenchmark-dev abigail-tools python3 python3-pytest
  python3-pip python3-setuptools dpkg-dev
  odbc-postgresql odbc-mariadb postgresql mariadb-server clang-format libpq-dev libmariadb-dev
  clang libclang-rt-14-dev llvm golang-go default-jdk-headless libjna-java)
