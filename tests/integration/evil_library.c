/* A shared library that leaves a mark when it is loaded: the file named by CRM_TEST_EVIL_MARKER.
 * The hostile-caller tests prove with it that no configuration value can make the SQLite driver
 * load a library (sqliteodbc's LoadExt=). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void leave_mark(void) {
  const char *marker = getenv("CRM_TEST_EVIL_MARKER");
  if (!marker) return;
  FILE *file = fopen(marker, "w");
  if (file) fclose(file);
}
