/* c.h must compile as strict C99 on its own. */
#include "blockstore/c.h"

int bs_header_test_uses_the_macros(void) {
  bs_engine_options options = BS_ENGINE_OPTIONS_INIT;
  return (int)options.version + BS_ENOTFOUND + BS_VERSION_MAJOR;
}
