#pragma once
// Reads one answer (a one-time code) typed by the admin. When stdin is a terminal, echo is off
// while typing and is restored on every exit path, also on SIGINT, SIGTERM and SIGHUP.

#include <optional>
#include <string>
#include <string_view>

#include "cli/commands.h"

namespace authd::cli {

// Prints `prompt` to ctx.out and reads one line from ctx.in, without surrounding spaces.
// nullopt at end of input. The caller wipes the answer.
std::optional<std::string> promptLine(Context& ctx, std::string_view prompt);

}  // namespace authd::cli
