#include "cli/fido2_pin.h"

#include <ostream>

#include "authd/wipe.h"
#include "cli/prompt.h"
#include "cli/response_reader.h"

namespace authd::cli {

namespace {

std::size_t codePoints(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string pinQuestion(std::string_view deviceName, int retries) {
  std::string key = deviceName.empty() ? "the security key" : printable(deviceName);
  std::string question = "PIN of " + key;
  if (retries >= 0) {
    question += " (" + std::to_string(retries) + (retries == 1 ? " try" : " tries") + " left)";
  }
  return question + ": ";
}

bool acceptsOffer(Context& ctx) {
  auto answer = promptLine(ctx,
                           "The security key has no PIN, and user verification is required.\n"
                           "Set a PIN on the key now? [y/N] ");
  return answer && (*answer == "y" || *answer == "Y" || *answer == "yes");
}

// One round: the PIN twice. nullopt at end of input; "" when the round failed (*problem says why).
std::optional<std::string> askNewPinOnce(Context& ctx, std::string* problem) {
  auto first = promptLine(ctx, "New PIN for the security key: ");
  if (!first) return std::nullopt;
  auto second = promptLine(ctx, "Repeat the new PIN: ");
  if (!second) {
    wipeString(*first);
    return std::nullopt;
  }
  *problem = *first != *second ? "the two PINs differ" : newPinProblem(*first);
  wipeString(*second);
  if (!problem->empty()) wipeString(*first);
  return first;
}

}  // namespace

std::string newPinProblem(std::string_view pin) {
  if (codePoints(pin) < kMinPinCodePoints) {
    return "a PIN needs at least " + std::to_string(kMinPinCodePoints) + " characters";
  }
  if (pin.size() > kMaxPinBytes) {
    return "a PIN may have at most " + std::to_string(kMaxPinBytes) + " bytes";
  }
  return {};
}

PinPrompt keyPinPrompt(Context& ctx) {
  return [&ctx](std::string_view deviceName, int retries) -> std::optional<std::string> {
    auto pin = promptLine(ctx, pinQuestion(deviceName, retries));
    if (pin && pin->empty()) return std::nullopt;
    return pin;
  };
}

std::function<std::optional<std::string>()> newPinDialogue(Context& ctx) {
  return [&ctx]() -> std::optional<std::string> {
    if (!acceptsOffer(ctx)) return std::nullopt;
    for (int attempt = 1; attempt <= kNewPinTries; ++attempt) {
      std::string problem;
      auto pin = askNewPinOnce(ctx, &problem);
      if (!pin) return std::nullopt;
      if (problem.empty()) return pin;
      ctx.out << "Not set: " << problem << ".\n";
    }
    return std::nullopt;
  };
}

}  // namespace authd::cli
