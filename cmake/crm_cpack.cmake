# Debian packages (cpack -G DEB, from a configured build tree), from the install components:
#   libcrm1     (runtime) the library, libcrm.so.1 -> libcrm.so.1.2.0, in the multiarch folder;
#               its Depends computed from the library's NEEDED entries by dpkg-shlibdeps, and a
#               shlibs file and ldconfig trigger of its own.
#   libcrm-dev  (dev)     crm/crm.h, crm/host.hpp, the libcrm.so link, the CMake package and
#                         the .pc files; depends on exactly the same libcrm1.
# The ODBC drivers are loaded at run time (unixODBC), so they are recommended, not linked.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME crm)
set(CPACK_PACKAGE_VENDOR "crm maintainers")
set(CPACK_PACKAGE_CONTACT "crm maintainers <maintainers@crm.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Empty: each package's synopsis is the first line of its component description below (CPack
# would put this one in front of both).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libcrm${CRM_ABI_VERSION})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
# A shlibs file, so that packages built against libcrm1 depend on it (libcrm1 only).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# tzdata: the named time zones of business calendars (calendars.definitions.*.time_zone).
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "libsqliteodbc, tzdata")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS "odbc-postgresql, odbc-mariadb")
# The first line is the synopsis.
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "CRM module for ERP systems (library)
libcrm, loaded by an ERP host at run time or linked, with a stable C ABI (SONAME \
libcrm.so.${CRM_ABI_VERSION}). The CRM data lives in the host's own database, reached through \
ODBC (SQLite, PostgreSQL, MariaDB).")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libcrm-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libcrm${CRM_ABI_VERSION} (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})")
# crm/host.hpp (target crm::host, crm-host.pc) needs Boost.DLL and Boost.Filesystem.
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "libboost-dev, libboost-filesystem-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION "CRM module for ERP systems (development files)
crm/crm.h (the C ABI), crm/host.hpp (a header-only Boost.DLL loader for C++ hosts), the CMake \
package (crm::crm, crm::host) and the pkg-config files crm and crm-host.")
include(CPack)
