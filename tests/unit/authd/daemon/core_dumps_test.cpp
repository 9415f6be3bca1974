#include "authd/daemon/core_dumps.h"

#include <doctest/doctest.h>
#include <sys/prctl.h>

#include <string>

using namespace authd;

TEST_CASE("forbidCoreDumps makes the process not dumpable") {
  REQUIRE(::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
  REQUIRE(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);
  std::string error;
  CHECK(forbidCoreDumps(&error));
  CHECK(error.empty());
  CHECK(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
  ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);  // the rest of the test binary stays debuggable
}
