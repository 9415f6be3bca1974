// makeFido2Credential: enrol the one plugged key with authd's registration challenge.
#include <algorithm>

#include "authd/fido2_device.h"
#include "authd/wipe.h"
#include "fido2_errors.h"
#include "fido2_handles.h"
#include "fido2_keys.h"
#include "fido2_pin.h"

namespace authd {

namespace {

using fido2_detail::CredPtr;
using fido2_detail::OpenKey;

constexpr std::size_t kChallengeBytes = 32;

Fido2RegistrationOutcome failed(Fido2Failure failure, std::string message,
                                std::string deviceName = {}) {
  return Fido2RegistrationOutcome{std::nullopt, failure, std::move(message), std::move(deviceName)};
}

std::string challengeProblem(const Fido2RegistrationChallenge& challenge, int algorithm) {
  if (challenge.challenge.size() != kChallengeBytes) return "challenge must be 32 bytes";
  if (challenge.rpId.empty()) return "challenge without rp id";
  if (challenge.userHandle.empty() || challenge.userName.empty()) return "challenge without user";
  const auto& offered = challenge.algorithms;
  if (std::find(offered.begin(), offered.end(), algorithm) == offered.end()) {
    return "algorithm " + std::to_string(algorithm) + " is not one the service accepts";
  }
  return {};
}

std::chrono::milliseconds touchTimeout(const Fido2DeviceOptions& options,
                                       const Fido2RegistrationChallenge& challenge) {
  const std::chrono::milliseconds challengeLife = std::chrono::seconds(challenge.timeoutSeconds);
  return std::min(options.touchTimeout, challengeLife);
}

const char* orNull(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

// rp, user, clientDataHash = challenge, algorithm, exclude list, resident key. UV comes from the
// PIN, never from the "uv" option (keys without built-in UV refuse it). nullptr when libfido2
// refuses a value (e.g. an algorithm it does not know).
CredPtr credentialRequest(const Fido2RegistrationChallenge& c, int algorithm) {
  CredPtr request(fido_cred_new());
  if (!request) return nullptr;
  fido_cred_t* cred = request.get();
  bool ok =
      fido_cred_set_type(cred, algorithm) == FIDO_OK &&
      fido_cred_set_clientdata_hash(cred, c.challenge.data(), c.challenge.size()) == FIDO_OK &&
      fido_cred_set_rp(cred, c.rpId.c_str(), orNull(c.rpName)) == FIDO_OK &&
      fido_cred_set_user(cred, c.userHandle.data(), c.userHandle.size(), c.userName.c_str(),
                         orNull(c.userDisplayName), nullptr) == FIDO_OK &&
      fido_cred_set_rk(cred, c.resident ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) == FIDO_OK;
  for (const Bytes& id : c.exclude) {
    ok = ok && fido_cred_exclude(cred, id.data(), id.size()) == FIDO_OK;
  }
  return ok ? std::move(request) : nullptr;
}

Bytes copyBytes(const unsigned char* data, std::size_t size) {
  return data == nullptr ? Bytes{} : Bytes(data, data + size);
}

Fido2RegistrationOutcome extract(const fido_cred_t* made, const Fido2RegistrationChallenge& c,
                                 const std::string& name) {
  const char* fmt = fido_cred_fmt(made);
  Fido2Attestation att{
      c.challenge, fmt != nullptr ? fmt : "",
      copyBytes(fido_cred_authdata_raw_ptr(made), fido_cred_authdata_raw_len(made)),
      copyBytes(fido_cred_attstmt_ptr(made), fido_cred_attstmt_len(made)), c.challenge};
  if (att.fmt.empty() || att.authData.empty() || att.attStmt.empty()) {
    return failed(Fido2Failure::device, "incomplete attestation from " + name, name);
  }
  return Fido2RegistrationOutcome{std::move(att), Fido2Failure::none, {}, name};
}

Fido2RegistrationOutcome enrolOn(OpenKey& key, const Fido2RegistrationChallenge& challenge,
                                 const Fido2MakeCredentialOptions& make, const PinPrompt& prompt,
                                 const Notice& notice) {
  std::string pin;
  ScopedWipe wipePin(pin);
  fido2_detail::PinStep step = fido2_detail::pinForEnrolment(
      key.device.get(), key.name, challenge.uv, prompt, make.newPin, &pin);
  if (step.failure != Fido2Failure::none) return failed(step.failure, step.message, key.name);
  CredPtr request = credentialRequest(challenge, make.algorithm);
  if (!request) {
    return failed(Fido2Failure::device, "cannot build the makeCredential request", key.name);
  }
  if (notice) notice(kTouchPrompt);
  const int rc =
      fido_dev_make_cred(key.device.get(), request.get(), pin.empty() ? nullptr : pin.c_str());
  wipeString(pin);
  if (rc != FIDO_OK) {
    return failed(fido2_detail::failureOf(rc, true),
                  fido2_detail::describeFidoError("makeCredential", rc), key.name);
  }
  return extract(request.get(), challenge, key.name);
}

}  // namespace

Fido2RegistrationOutcome makeFido2Credential(const Fido2DeviceOptions& options,
                                             const Fido2RegistrationChallenge& challenge,
                                             const Fido2MakeCredentialOptions& make,
                                             const PinPrompt& pin, const Notice& notice) {
  if (auto problem = challengeProblem(challenge, make.algorithm); !problem.empty()) {
    return failed(Fido2Failure::device, problem);
  }
  fido2_detail::KeyScan scan = fido2_detail::scanKeys(options, touchTimeout(options, challenge));
  if (scan.manifestFailed) return failed(Fido2Failure::device, scan.problem);
  if (scan.plugged == 0) return failed(Fido2Failure::noDevice, "no security key plugged in");
  if (scan.plugged > 1) {
    return failed(Fido2Failure::device, std::to_string(scan.plugged) +
                                            " security keys are plugged in: unplug all but the "
                                            "key to enrol");
  }
  if (scan.keys.empty()) {
    return failed(Fido2Failure::device, "the security key could not be opened: " + scan.problem);
  }
  return enrolOn(scan.keys.front(), challenge, make, pin, notice);
}

}  // namespace authd
