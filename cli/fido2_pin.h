#pragma once
// The PIN dialogues of `authctl enroll fido2`: the key's PIN when the key asks for user
// verification, and a new PIN for a key that has none when authd requires verification. The
// typed PINs go to the device layer, which wipes them after use.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "authd/fido2_device.h"
#include "cli/commands.h"

namespace authd::cli {

// CTAP 2.1 §6.5.1: at least 4 code points, at most 63 bytes of UTF-8.
inline constexpr std::size_t kMinPinCodePoints = 4;
inline constexpr std::size_t kMaxPinBytes = 63;
inline constexpr int kNewPinTries = 3;

// Empty when `pin` may be set on a key, else why not.
std::string newPinProblem(std::string_view pin);

// Asks for the key's PIN (echo off on a terminal). An empty answer or end of input cancels.
// The returned function refers to `ctx`: use it while ctx lives.
PinPrompt keyPinPrompt(Context& ctx);

// Offers to set a PIN on a key without one: asks yes/no, then the new PIN twice; a mismatch or a
// PIN breaking the rules is asked again, up to kNewPinTries times. nullopt: no PIN to set.
std::function<std::optional<std::string>()> newPinDialogue(Context& ctx);

}  // namespace authd::cli
