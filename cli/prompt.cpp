#include "cli/prompt.h"

#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <istream>
#include <ostream>

#include "authd/wipe.h"

namespace authd::cli {

namespace {

// The terminal state to restore from a signal handler; only touched while echo is off.
termios gSavedTerminal{};
constexpr int kRestoreSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void restoreTerminalAndDie(int signal) {
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &gSavedTerminal);  // async-signal-safe
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &gSavedTerminal) != 0) return;
    for (int s : kRestoreSignals) std::signal(s, restoreTerminalAndDie);
    termios quiet = gSavedTerminal;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    quiet.c_lflag |= ECHONL;  // the newline still shows, so the next output starts a new line
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &gSavedTerminal);
    for (int s : kRestoreSignals) std::signal(s, SIG_DFL);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  bool active_ = false;
};

}  // namespace

std::optional<std::string> promptLine(Context& ctx, std::string_view prompt) {
  ctx.out << prompt << std::flush;
  std::optional<EchoOff> echoOff;
  if (ctx.interactive) echoOff.emplace();
  std::string line;
  const bool gotLine = static_cast<bool>(std::getline(ctx.in, line));
  // Input that is not typed on this terminal was not echoed: end the prompt's line ourselves.
  if (!ctx.interactive) ctx.out << '\n';
  if (!gotLine) {
    wipeString(line);
    return std::nullopt;
  }
  const auto first = line.find_first_not_of(" \t\r");
  const auto last = line.find_last_not_of(" \t\r");
  std::string answer = first == std::string::npos ? "" : line.substr(first, last - first + 1);
  wipeString(line);
  return answer;
}

}  // namespace authd::cli
