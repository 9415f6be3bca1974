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
  CHECK(fails([](ResponseReader& r) { r.integer("n", 6, 10); }));
  CHECK(fails([](ResponseReader& r) { r.integer("big", 0, INT64_MAX); }));
  CHECK(fails([](ResponseReader& r) { r.integer("f", 0, 10); }));
  CHECK(fails([](ResponseReader& r) { r.integer("name", 0, 10); }));
  CHECK(fails([](ResponseReader& r) { r.array("name"); }));
  CHECK_FALSE(fails([](ResponseReader& r) { r.integer("n", 5, 5); }));
  ResponseReader notObject(nlohmann::json::array());
  CHECK(notObject.failed());
}

TEST_CASE("printable escapes controls, C1, bidi formatting and invalid UTF-8 visibly") {
  CHECK(printable("a\x1b[0m\n\x7f"
                  "b") == "a\\x1b[0m\\x0a\\x7fb");
  CHECK(printable("\xc2\x9b"
                  "31m") == "\\u009b31m");
  CHECK(printable("invoice\xe2\x80\xae"
                  "fdp.exe") == "invoice\\u202efdp.exe");
  CHECK(printable("\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c") ==
        "\\u2066x\\u2069\\u200f\\u061c");
  CHECK(printable("bad\xff\xc3") == "bad\\xff\\xc3");
  CHECK(printable("zoë") == "zoë");
}

TEST_CASE("text fields with unprintable characters are read escaped, not refused") {
  // One odd label in the database must not hide every other row from the administrator.
  nlohmann::json object = {{"ctl", "a\tb"}, {"c1", "x\xc2\x85y"}, {"bidi", "\xe2\x80\xae"}};
  ResponseReader reader(object);
  CHECK(reader.optionalText("ctl", 8) == "a\\x09b");
  CHECK(reader.text("c1", 8) == "x\\u0085y");
  CHECK(reader.text("bidi", 8) == "\\u202e");
  CHECK_FALSE(reader.failed());
}
