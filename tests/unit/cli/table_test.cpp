#include "cli/table.h"

#include <doctest/doctest.h>

using authd::cli::formatTable;

TEST_CASE("columns are aligned and separated by two spaces") {
  std::string text =
      formatTable({"ID", "USER", "STATE"}, {{"7", "alice", "active"}, {"12", "bo", "pending"}});
  CHECK(text ==
        "ID  USER   STATE\n"
        "7   alice  active\n"
        "12  bo     pending\n");
}

TEST_CASE("width counts characters, not bytes") {
  std::string text = formatTable({"USER", "X"}, {{"zoë", "1"}, {"abcd", "2"}});
  CHECK(text ==
        "USER  X\n"
        "zoë   1\n"
        "abcd  2\n");
}

TEST_CASE("no trailing spaces, also when the last cells are empty") {
  std::string text = formatTable({"A", "LONG-HEADER"}, {{"x", ""}, {"yyyyyy", "z"}});
  CHECK(text ==
        "A       LONG-HEADER\n"
        "x\n"
        "yyyyyy  z\n");
}

TEST_CASE("header only") { CHECK(formatTable({"A", "B"}, {}) == "A  B\n"); }
