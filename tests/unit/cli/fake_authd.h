#pragma once
// A scripted stand-in for authd: commands under test talk to it through the Transport, so the
// whole command (arguments, request, output, exit code) runs without a daemon.

#include <deque>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace authd::cli::test {

struct FakeAuthd {
  // Each entry answers one request: a result object (sent as ok:true plus these fields), an
  // error response, or a transport failure.
  struct Answer {
    nlohmann::json fields;
    bool transportFails = false;
    ClientError error;
  };
  std::deque<Answer> answers;
  std::vector<nlohmann::json> requests;

  void ok(nlohmann::json fields) { answers.push_back({std::move(fields), false, {}}); }
  void refuse(const std::string& code, const std::string& message) {
    answers.push_back({{{"ok", false}, {"error", code}, {"message", message}}, false, {}});
  }
  void unreachable(ClientError::Kind kind, const std::string& message) {
    answers.push_back({nlohmann::json(), true, ClientError{kind, message}});
  }

  Transport transport() {
    return
        [this](const nlohmann::json& request, ClientError* error) -> std::optional<nlohmann::json> {
          requests.push_back(request);
          if (answers.empty()) {
            *error = ClientError{ClientError::Kind::io, "authd closed the connection"};
            return std::nullopt;
          }
          Answer answer = answers.front();
          answers.pop_front();
          if (answer.transportFails) {
            *error = answer.error;
            return std::nullopt;
          }
          nlohmann::json response = {{"v", 1}, {"id", requests.size()}, {"ok", true}};
          for (const auto& [key, value] : answer.fields.items()) response[key] = value;
          return response;
        };
  }
};

struct RunResult {
  int exitCode = -1;
  std::string out;
  std::string err;
  GlobalOptions options;  // as the transport factory saw them
};

// The same table as cli/main.cpp.
inline constexpr Command kTestCommands[] = {
    {"enroll", setupEnroll, "enrol"},
    {"confirm", setupConfirm, "confirm"},
    {"list", setupList, "list"},
    {"show", setupShow, "show"},
    {"revoke", setupRevoke, "revoke"},
    {"unlock", setupUnlock, "unlock"},
    {"audit", setupAudit, "audit"},
    {"reinstate", setupReinstate, "reinstate"},
    {"offline", setupOffline, "offline"},
    {"sessions", setupSessions, "sessions"},
};

inline constexpr std::int64_t kTestNow = 1714557600;  // 2024-05-01 10:00:00 UTC

// No security key plugged: tests never reach for real USB keys.
inline Fido2Manifest noKeys() {
  return [](fido_dev_info_t*, size_t, size_t* olen) {
    *olen = 0;
    return FIDO_OK;
  };
}

// The terminal of one run; tests may read `out` while the command runs (e.g. at the touch).
struct Terminal {
  explicit Terminal(const std::string& input = "") : in(input) {}
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
};

inline RunResult runAuthctlOn(Terminal& terminal, FakeAuthd& fake, std::vector<std::string> args,
                              const Fido2Manifest& keys = noKeys()) {
  args.insert(args.begin(), "authctl");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  RunResult result;
  auto factory = [&](const GlobalOptions& options) {
    result.options = options;
    return fake.transport();
  };
  result.exitCode =
      runCommandTable(kTestCommands, static_cast<int>(argv.size()), argv.data(), factory,
                      terminal.in, terminal.out, terminal.err, false, kTestNow, keys);
  result.out = terminal.out.str();
  result.err = terminal.err.str();
  return result;
}

inline RunResult runAuthctl(FakeAuthd& fake, std::vector<std::string> args,
                            const std::string& input = "", const Fido2Manifest& keys = noKeys()) {
  Terminal terminal(input);
  return runAuthctlOn(terminal, fake, std::move(args), keys);
}

inline int countLines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

}  // namespace authd::cli::test
