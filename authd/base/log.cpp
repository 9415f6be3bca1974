#include "authd/base/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace authd::log {

namespace {
std::atomic<int> currentLevel{static_cast<int>(Level::info)};
// sd-daemon(3) priority prefixes let journald file each line under the right level; a terminal
// gets plain words instead. systemd sets JOURNAL_STREAM when stderr goes to the journal.
constexpr const char* kJournalPrefix[] = {"<3>error: ", "<4>warning: ", "<6>", "<7>debug: "};
constexpr const char* kPlainPrefix[] = {
    "authd: error: ", "authd: warning: ", "authd: ", "authd: debug: "};
const char* const* const kPrefix =
    std::getenv("JOURNAL_STREAM") != nullptr ? kJournalPrefix : kPlainPrefix;
}  // namespace

void setLevel(Level level) { currentLevel = static_cast<int>(level); }

bool setLevel(std::string_view name) {
  constexpr std::string_view names[] = {"error", "warning", "info", "debug"};
  for (int i = 0; i < 4; ++i) {
    if (names[i] == name) {
      currentLevel = i;
      return true;
    }
  }
  return false;
}

bool enabled(Level level) { return static_cast<int>(level) <= currentLevel.load(); }

void write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  std::string line = kPrefix[static_cast<int>(level)];
  line.append(message);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace authd::log
