#pragma once
// authctl enroll fido2 USER: enrols the security key plugged into this machine.
// fido2_register_begin gives the challenge, the key makes a credential (touch, PIN as needed),
// and fido2_register_finish hands the attestation to authd, which verifies and stores it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/fido2_calls.h"
#include "authd/fido2_device.h"
#include "cli/commands.h"

namespace authd::cli {

// COSE algorithm ids by their authctl names (es256, eddsa, rs256), and back ("cose:<id>" for
// others).
std::optional<int> coseAlgorithmFromName(std::string_view name);
std::string coseAlgorithmName(std::int64_t cose);

// The algorithm to ask the key for: the requested one if authd allows it; otherwise ES256 when
// authd allows it (every key supports it), else authd's first choice. nullopt and *error when
// authd does not allow the requested one.
std::optional<int> chooseAlgorithm(const std::optional<std::string>& requested,
                                   const std::vector<int>& allowed, std::string* error);

// One line: what went wrong on the key and what the admin can do about it.
std::string describeFido2Failure(Fido2Failure failure, std::string_view detail,
                                 std::string_view user);

// The text printed after a successful enrolment.
std::string formatFido2Enrolled(std::string_view user, const Fido2RegisteredAnswer& answer);

Runner setupEnrollFido2(CLI::App& sub);

}  // namespace authd::cli
