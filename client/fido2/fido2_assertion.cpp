// getFido2Assertion: find the key that holds one of the user's credentials without asking for a
// touch, then run the real assertion on that key only.
#include <algorithm>

#include "authd/fido2_device.h"
#include "authd/wipe.h"
#include "fido2_cbor_bstr.h"
#include "fido2_errors.h"
#include "fido2_handles.h"
#include "fido2_keys.h"
#include "fido2_pin.h"

namespace authd {

namespace {

using fido2_detail::AssertPtr;
using fido2_detail::OpenKey;

constexpr std::size_t kChallengeBytes = 32;

Fido2AssertionOutcome failed(Fido2Failure failure, std::string message,
                             std::string deviceName = {}) {
  return Fido2AssertionOutcome{std::nullopt, failure, std::move(message), std::move(deviceName)};
}

std::string challengeProblem(const Fido2LogonChallenge& challenge) {
  if (challenge.challenge.size() != kChallengeBytes) return "challenge must be 32 bytes";
  if (challenge.rpId.empty()) return "challenge without rp id";
  if (challenge.allow.empty()) return "challenge without allowed credentials";
  return {};
}

// No point waiting for a touch longer than authd keeps the challenge.
std::chrono::milliseconds touchTimeout(const Fido2DeviceOptions& options,
                                       const Fido2LogonChallenge& challenge) {
  const std::chrono::milliseconds challengeLife = std::chrono::seconds(challenge.timeoutSeconds);
  return std::min(options.touchTimeout, challengeLife);
}

// The request both the probe and the real assertion send: rp, clientDataHash = challenge, and
// the allow list. nullptr when libfido2 refuses a value.
AssertPtr assertionRequest(const Fido2LogonChallenge& challenge) {
  AssertPtr request(fido_assert_new());
  if (!request) return nullptr;
  fido_assert_t* a = request.get();
  bool ok = fido_assert_set_rp(a, challenge.rpId.c_str()) == FIDO_OK &&
            fido_assert_set_clientdata_hash(a, challenge.challenge.data(),
                                            challenge.challenge.size()) == FIDO_OK;
  for (const Bytes& id : challenge.allow) {
    ok = ok && fido_assert_allow_cred(a, id.data(), id.size()) == FIDO_OK;
  }
  return ok ? std::move(request) : nullptr;
}

// up=false, no PIN: the key answers without a touch whether it holds an allowed credential.
int probe(OpenKey& key, const Fido2LogonChallenge& challenge) {
  AssertPtr request = assertionRequest(challenge);
  if (!request || fido_assert_set_up(request.get(), FIDO_OPT_FALSE) != FIDO_OK) {
    return FIDO_ERR_INTERNAL;
  }
  return fido_dev_get_assert(key.device.get(), request.get(), nullptr);
}

// The first key holding an allowed credential; *problems collects the other keys' errors.
OpenKey* findHolder(std::vector<OpenKey>& keys, const Fido2LogonChallenge& challenge,
                    std::string* problems) {
  for (OpenKey& key : keys) {
    const int rc = probe(key, challenge);
    if (rc == FIDO_OK) return &key;
    if (rc != FIDO_ERR_NO_CREDENTIALS) {
      *problems += "; " + fido2_detail::describeFidoError("probing " + key.name, rc);
    }
  }
  return nullptr;
}

Bytes copyBytes(const unsigned char* data, std::size_t size) {
  return data == nullptr ? Bytes{} : Bytes(data, data + size);
}

Fido2AssertionOutcome extract(const fido_assert_t* got, const Fido2LogonChallenge& challenge,
                              const std::string& name) {
  if (fido_assert_count(got) != 1) return failed(Fido2Failure::device, "not one assertion", name);
  auto authData = fido2_detail::unwrapCborByteString(fido_assert_authdata_ptr(got, 0),
                                                     fido_assert_authdata_len(got, 0));
  Fido2Assertion assertion{
      challenge.challenge, copyBytes(fido_assert_id_ptr(got, 0), fido_assert_id_len(got, 0)),
      authData.value_or(Bytes{}),
      copyBytes(fido_assert_sig_ptr(got, 0), fido_assert_sig_len(got, 0)), challenge.challenge};
  if (assertion.credentialId.empty() || assertion.authData.empty() || assertion.signature.empty()) {
    return failed(Fido2Failure::device, "incomplete assertion from " + name, name);
  }
  return Fido2AssertionOutcome{std::move(assertion), Fido2Failure::none, {}, name};
}

std::string pinFailureMessage(Fido2Failure failure, int rc, fido_dev_t* dev) {
  std::string message = fido2_detail::describeFidoError("getAssertion", rc);
  int retries = -1;
  if (failure == Fido2Failure::pinInvalid && fido_dev_get_retry_count(dev, &retries) == FIDO_OK) {
    message += ", " + std::to_string(retries) + " PIN attempts left";
  }
  return message;
}

// PIN as the challenge asks, the touch prompt, then the assertion that waits for the touch.
Fido2AssertionOutcome assertOn(OpenKey& key, const Fido2LogonChallenge& challenge,
                               const PinPrompt& prompt, const Notice& notice) {
  std::string pin;
  ScopedWipe wipePin(pin);
  fido2_detail::PinStep step =
      fido2_detail::pinForLogon(key.device.get(), key.name, challenge.uv, prompt, &pin);
  if (step.failure != Fido2Failure::none) return failed(step.failure, step.message, key.name);
  AssertPtr request = assertionRequest(challenge);
  if (!request || fido_assert_set_up(request.get(), FIDO_OPT_TRUE) != FIDO_OK) {
    return failed(Fido2Failure::device, "cannot build the assertion request", key.name);
  }
  if (notice) notice(kTouchPrompt);
  const int rc =
      fido_dev_get_assert(key.device.get(), request.get(), pin.empty() ? nullptr : pin.c_str());
  wipeString(pin);
  if (rc != FIDO_OK) {
    const Fido2Failure failure = fido2_detail::failureOf(rc, true);
    return failed(failure, pinFailureMessage(failure, rc, key.device.get()), key.name);
  }
  return extract(request.get(), challenge, key.name);
}

}  // namespace

Fido2AssertionOutcome getFido2Assertion(const Fido2DeviceOptions& options,
                                        const Fido2LogonChallenge& challenge, const PinPrompt& pin,
                                        const Notice& notice) {
  if (auto problem = challengeProblem(challenge); !problem.empty()) {
    return failed(Fido2Failure::device, problem);
  }
  fido2_detail::KeyScan scan = fido2_detail::scanKeys(options, touchTimeout(options, challenge));
  if (scan.manifestFailed) return failed(Fido2Failure::device, scan.problem);
  if (scan.plugged == 0) return failed(Fido2Failure::noDevice, "no security key plugged in");
  if (scan.keys.empty()) {
    return failed(Fido2Failure::device, "no plugged security key could be opened: " + scan.problem);
  }
  std::string problems;
  OpenKey* holder = findHolder(scan.keys, challenge, &problems);
  if (holder == nullptr) {
    return failed(Fido2Failure::noMatchingKey, "none of the " + std::to_string(scan.keys.size()) +
                                                   " plugged keys holds an allowed credential" +
                                                   problems);
  }
  return assertOn(*holder, challenge, pin, notice);
}

}  // namespace authd
