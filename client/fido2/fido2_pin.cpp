#include "fido2_pin.h"

#include "authd/wipe.h"
#include "fido2_errors.h"

namespace authd::fido2_detail {

namespace {

PinStep fail(Fido2Failure failure, std::string message) {
  return PinStep{failure, std::move(message)};
}

// Copies a PIN answer into *pin and wipes the answer itself. False when there is none.
bool takePin(std::optional<std::string>& answer, std::string* pin) {
  if (!answer) return false;
  ScopedWipe wipeAnswer(*answer);
  if (answer->empty()) return false;
  pin->assign(*answer);
  return true;
}

// The callbacks' answers are initialised in place (guaranteed copy elision), so the only copy of
// a PIN left to wipe is the one the caller holds.
std::optional<std::string> askUser(const PinPrompt& prompt, const std::string& name, int retries) {
  if (!prompt) return std::nullopt;
  return prompt(name, retries);
}

std::optional<std::string> askNewPin(const std::function<std::optional<std::string>()>& newPin) {
  if (!newPin) return std::nullopt;
  return newPin();
}

// Asks the user for the PIN of a key that has one.
PinStep askPin(fido_dev_t* dev, const std::string& name, const PinPrompt& prompt,
               std::string* pin) {
  int retries = -1;
  if (fido_dev_get_retry_count(dev, &retries) != FIDO_OK) retries = -1;
  if (retries == 0) return fail(Fido2Failure::pinBlocked, "the PIN of " + name + " is blocked");
  std::optional<std::string> answer = askUser(prompt, name, retries);
  if (!takePin(answer, pin)) return fail(Fido2Failure::pinRequired, "no PIN given");
  return {};
}

PinStep setNewPin(fido_dev_t* dev, const std::string& name,
                  const std::function<std::optional<std::string>()>& newPin, std::string* pin) {
  if (!fido_dev_supports_pin(dev)) {
    return fail(Fido2Failure::noPinSet, name + " cannot verify users (no PIN support)");
  }
  std::optional<std::string> answer = askNewPin(newPin);
  if (!takePin(answer, pin)) {
    return fail(Fido2Failure::noPinSet, name + " has no PIN and user verification is required");
  }
  const int rc = fido_dev_set_pin(dev, pin->c_str(), nullptr);
  if (rc != FIDO_OK) {
    wipeString(*pin);
    return fail(Fido2Failure::device, describeFidoError("setting the PIN of " + name, rc));
  }
  return {};
}

}  // namespace

PinStep pinForLogon(fido_dev_t* dev, const std::string& name, UvPolicy uv, const PinPrompt& prompt,
                    std::string* pin) {
  const bool hasPin = fido_dev_has_pin(dev);
  switch (uv) {
    case UvPolicy::required:
      if (!hasPin) {
        return fail(Fido2Failure::noPinSet,
                    name + " has no PIN and the service requires user verification");
      }
      return askPin(dev, name, prompt, pin);
    case UvPolicy::preferred:
      return hasPin ? askPin(dev, name, prompt, pin) : PinStep{};
    case UvPolicy::discouraged:
      break;
  }
  return {};
}

PinStep pinForEnrolment(fido_dev_t* dev, const std::string& name, UvPolicy uv,
                        const PinPrompt& prompt,
                        const std::function<std::optional<std::string>()>& newPin,
                        std::string* pin) {
  if (fido_dev_has_pin(dev)) return askPin(dev, name, prompt, pin);
  if (uv == UvPolicy::required) return setNewPin(dev, name, newPin, pin);
  return {};
}

}  // namespace authd::fido2_detail
