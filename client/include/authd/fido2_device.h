#pragma once
// The client side of FIDO2: finding plugged security keys and running makeCredential and
// getAssertion on them through libfido2. Holds no secret beyond the PIN it is handed (wiped
// after use) and decides nothing: authd verifies what comes out. Used by pam_authd.so and
// authctl; a non-PAM client can reuse it.
//
// Devices are enumerated through a Fido2Manifest (fido_dev_info_manifest in production) and
// opened with fido_dev_new_with_info + fido_dev_open_with_info, so tests hand in virtual keys.

#include <fido.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/fido2_calls.h"

namespace authd {

// Same contract as fido_dev_info_manifest(list, ilen, &olen).
using Fido2Manifest = std::function<int(fido_dev_info_t* list, size_t ilen, size_t* olen)>;
Fido2Manifest systemFido2Manifest();

// Asks the user for the key's PIN; nullopt = the user gave none (cancel). `retries` is what the
// key reports, -1 when unknown.
using PinPrompt =
    std::function<std::optional<std::string>(std::string_view deviceName, int retries)>;
// Tells the user something (the touch prompt, "no key found"). Called before waiting.
using Notice = std::function<void(std::string_view text)>;

inline constexpr std::string_view kTouchPrompt = "Please touch your security key";

struct Fido2DeviceOptions {
  Fido2Manifest manifest;  // empty: systemFido2Manifest()
  std::size_t maxDevices = 16;
  // How long to wait for the touch; never longer than the challenge's own timeout.
  std::chrono::milliseconds touchTimeout{30000};
};

enum class Fido2Failure {
  none,
  noDevice,       // no key plugged
  noMatchingKey,  // keys plugged, none holds an allowed credential
  pinRequired,    // UV required but the user gave no PIN
  pinInvalid,     // wrong PIN (retries left)
  pinBlocked,     // PIN retries exhausted
  noPinSet,       // UV required and the key has no PIN (enrolment may offer to set one)
  excluded,       // makeCredential: the key already holds a credential of this user
  timeout,        // no touch in time
  device,         // any other libfido2/CTAP error; detail in message
};
std::string_view toString(Fido2Failure failure);

struct Fido2AssertionOutcome {
  std::optional<Fido2Assertion> assertion;
  Fido2Failure failure = Fido2Failure::device;
  std::string message;  // for logs; no PIN
  std::string deviceName;
};

// Probes every plugged key with an up=false assertion (no touch) to find one that holds an
// allowed credential, prompts with kTouchPrompt, and runs the real assertion on it (with the
// PIN when uv is required, or preferred and the key has a PIN). When the PIN is needed and the
// prompt gives none (nullopt or empty), the outcome is pinRequired and the key is not used.
Fido2AssertionOutcome getFido2Assertion(const Fido2DeviceOptions& options,
                                        const Fido2LogonChallenge& challenge, const PinPrompt& pin,
                                        const Notice& notice);

struct Fido2RegistrationOutcome {
  std::optional<Fido2Attestation> attestation;
  Fido2Failure failure = Fido2Failure::device;
  std::string message;
  std::string deviceName;
};

struct Fido2MakeCredentialOptions {
  int algorithm = -7;  // COSE id; must be one of the challenge's algorithms
  // Called when the key has no PIN and uv is required: returns a new PIN to set, or nullopt.
  std::function<std::optional<std::string>()> newPin;
};

// Runs makeCredential on the plugged key; several keys plugged is an error (failure device,
// "unplug all but the key to enrol"), so the admin knows which key was enrolled. A key with a
// PIN always needs it; uv=required on a key without a PIN sets make.newPin() first (noPinSet
// when there is none). make.algorithm outside challenge.algorithms: failure device, no touch.
Fido2RegistrationOutcome makeFido2Credential(const Fido2DeviceOptions& options,
                                             const Fido2RegistrationChallenge& challenge,
                                             const Fido2MakeCredentialOptions& make,
                                             const PinPrompt& pin, const Notice& notice);

}  // namespace authd
