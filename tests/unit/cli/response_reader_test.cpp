#include "cli/response_reader.h"

#include <doctest/doctest.h>

using authd::cli::printable;
using authd::cli::ResponseReader;

TEST_CASE("typed reads with limits") {
  nlohmann::json object = {{"name", "alice"}, {"n", 5},         {"big", 1ULL << 63}, {"empty", ""},
                           {"none", nullptr}, {"list", {1, 2}}, {"extra", true}};
  ResponseReader reader(object);
  CHECK(reader.text("name", 16) == "alice");
  CHECK(reader.integer("n", 0, 10) == 5);
  CHECK(reader.optionalText("empty", 4).empty());
  CHECK(reader.optionalText("none", 4).empty());
  CHECK_FALSE(reader.optionalInteger("none", 0, 1).has_value());
  CHECK(reader.array("list").size() == 2);
  CHECK_FALSE(reader.failed());  // "extra" is ignored: newer authd versions may add fields
}

TEST_CASE("each violation fails the reader") {
  nlohmann::json object = {{"name", "alice"}, {"n", 5},        {"big", 1ULL << 63},
                           {"empty", ""},     {"ctl", "a\tb"}, {"f", 1.5}};
  auto fails = [&](auto read) {
    ResponseReader reader(object);
    read(reader);
    return reader.failed();
  };
  CHECK(fails([](ResponseReader& r) { r.text("missing", 8); }));
  CHECK(fails([](ResponseReader& r) { r.text("empty", 8); }));
  CHECK(fails([](ResponseReader& r) { r.text("name", 3); }));
  CHECK(fails([](ResponseReader& r) { r.text("n", 8); }));
  CHECK(fails([](ResponseReader& r) { r.optionalText("ctl", 8); }));
  CHECK(fails([](ResponseReader& r) { r.integer("n", 6, 10); }));
  CHECK(fails([](ResponseReader& r) { r.integer("big", 0, INT64_MAX); }));
  CHECK(fails([](ResponseReader& r) { r.integer("f", 0, 10); }));
  CHECK(fails([](ResponseReader& r) { r.integer("name", 0, 10); }));
  CHECK(fails([](ResponseReader& r) { r.array("name"); }));
  CHECK_FALSE(fails([](ResponseReader& r) { r.integer("n", 5, 5); }));
  ResponseReader notObject(nlohmann::json::array());
  CHECK(notObject.failed());
}

TEST_CASE("printable replaces control characters") {
  CHECK(printable("a\x1b[0m\n\x7f"
                  "b") == "a?[0m??b");
  CHECK(printable("zoë") == "zoë");
}
