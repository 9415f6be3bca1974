#pragma once
// The VPN licence: how many concurrent sessions the gateways may hold ([radius] licence_limit).
// authd does not refuse logons over it (the gateway enforces its licence); it warns the admins
// before the limit is reached and when it is.

#include <cstdint>
#include <optional>
#include <string>

#include "authd/base/config.h"

namespace authd {

// The text to log with `open` sessions: one at or over licence_limit, another from
// licence_warning_percent of it on; nullopt below that, or when no limit is configured.
std::optional<std::string> licenceWarning(std::int64_t open, const Config::Radius& radius);

}  // namespace authd
