#include "cli/time_arg.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <string>

using authd::cli::formatLocalMinute;
using authd::cli::formatLocalSecond;
using authd::cli::parseTimeArgument;

namespace {

constexpr std::int64_t kNow = 1714557600;  // 2024-05-01 10:00:00 UTC

// Sets $TZ for one test and restores the previous value.
struct ScopedTz {
  explicit ScopedTz(const char* tz) {
    const char* old = std::getenv("TZ");
    hadOld_ = old != nullptr;
    if (hadOld_) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (hadOld_) {
      ::setenv("TZ", old_.c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  bool hadOld_ = false;
  std::string old_;
};

std::optional<std::int64_t> parse(const std::string& text) {
  std::string error;
  return parseTimeArgument(text, kNow, &error);
}

}  // namespace

TEST_CASE("Unix seconds") {
  CHECK(parse("0") == 0);
  CHECK(parse("1714557600") == 1714557600);
  CHECK_FALSE(parse("99999999999999999").has_value());  // beyond 2^53 - 1
}

TEST_CASE("relative ages count back from now") {
  CHECK(parse("30s") == kNow - 30);
  CHECK(parse("30m") == kNow - 30 * 60);
  CHECK(parse("2h") == kNow - 2 * 3600);
  CHECK(parse("7d") == kNow - 7 * 86400);
  CHECK(parse("2w") == kNow - 14 * 86400);
  CHECK(parse("0m") == kNow);
  CHECK_FALSE(parse("100000d").has_value());  // before 1970
  CHECK_FALSE(parse("99999999999999999999d").has_value());
}

TEST_CASE("local dates and times") {
  ScopedTz tz("UTC");
  CHECK(parse("2024-05-01") == 1714521600);
  CHECK(parse("2024-05-01T10:00") == kNow);
  CHECK(parse("2024-05-01 10:00") == kNow);
  CHECK(parse("2024-05-01T10:00:59") == kNow + 59);
  CHECK(parse("2024-02-29") == 1709164800);  // leap day
}

TEST_CASE("local time follows the time zone") {
  ScopedTz tz("CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK(parse("2024-05-01T12:00") == kNow);  // CEST = UTC+2
  // 02:30 does not exist on the day clocks jump from 02:00 to 03:00.
  CHECK_FALSE(parse("2024-03-31T02:30").has_value());
}

TEST_CASE("malformed times are rejected with the value quoted") {
  ScopedTz tz("UTC");
  for (const char* bad : {"",
                          "yesterday",
                          "-5",
                          "+5",
                          "5x",
                          "h",
                          "2h30m",
                          "1.5h",
                          "2H",
                          " 2h",
                          "2h ",
                          "2024-5-1",
                          "2024-05-1",
                          "2024/05/01",
                          "2024-13-01",
                          "2024-02-30",
                          "2023-02-29",
                          "2024-05-01T24:00",
                          "2024-05-01T10:60",
                          "2024-05-01T10:00:60",
                          "2024-05-01T10",
                          "2024-05-01T10:00Z",
                          "2024-05-01x10:00",
                          "1969-12-31",
                          "2024-05-01T1a:00",
                          "0x10"}) {
    CAPTURE(bad);
    std::string error;
    CHECK_FALSE(parseTimeArgument(bad, kNow, &error).has_value());
    CHECK(error.find("\"" + std::string(bad) + "\"") != std::string::npos);
  }
}

TEST_CASE("formatting in local time") {
  ScopedTz tz("UTC");
  CHECK(formatLocalMinute(kNow) == "2024-05-01 10:00");
  CHECK(formatLocalSecond(kNow + 7) == "2024-05-01 10:00:07");
  ScopedTz cet("CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK(formatLocalMinute(kNow) == "2024-05-01 12:00");
}
