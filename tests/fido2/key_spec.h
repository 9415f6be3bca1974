#pragma once
// Virtual keys described by environment variables, for processes that cannot be handed a
// VirtualKeyRing (authctl, pamtester + pam_authd.so) and get soft keys through the LD_PRELOAD
// shim in preload/soft_fido2_preload.cpp.
//
// AUTHD_SOFT_FIDO2_KEYS = key[,key...], key = name:statepath[:option...]; options:
//   pin=XXXX          PIN set when the state file is new (no ':' or ',' in it)
//   up=off            no user presence (Faults::userPresenceOff)
//   wrongrp           rpIdHash over another rp (Faults::wrongRp)
//   counterback       counter goes backwards (Faults::counterBackwards)
//   tamper            signatures tampered (Faults::tamperSignature)
//   nocred            getAssertion finds no credential (Faults::noCredential)
//   wrongpin          every PIN is wrong (Faults::wrongPin)
//   touchms=N         the user touches after N ms (Faults::touchDelay, really slept)
//   fmt=packed|x5c|fido-u2f|none   attestation format (default packed self attestation)
//   aaguid=HEX32      fixed AAGUID (default: derived from the name, so it is stable)
//   x5cdir=DIR        attestation PKI directory (attestation_dir.h); default: the state file's
//                     directory. DIR/ca.pem is the CA bundle to give authd.
// AUTHD_SOFT_FIDO2_PLUGGED = name[,name...]: only these keys of the list are plugged in this
//   process (default: all). Enrol with one key plugged, log on with two (the second key switch).
// Keys share state only through their state files, so one process may enrol and the next log on.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fido2/authenticator_state.h"
#include "fido2/faults.h"

namespace authd::testing {

inline constexpr const char* kSoftKeysEnv = "AUTHD_SOFT_FIDO2_KEYS";
inline constexpr const char* kSoftKeysPluggedEnv = "AUTHD_SOFT_FIDO2_PLUGGED";

struct SoftKeySpec {
  std::string name;
  std::string statePath;
  std::string initialPin;  // empty: none
  Faults faults;
  AttestationFormat format = AttestationFormat::packedSelf;
  std::optional<std::array<uint8_t, 16>> aaguid;
  std::string x5cDir;  // empty: the state file's directory

  SoftKeySpec() = default;
  SoftKeySpec(const SoftKeySpec&) = default;
  SoftKeySpec(SoftKeySpec&&) = default;
  SoftKeySpec& operator=(const SoftKeySpec&) = default;
  SoftKeySpec& operator=(SoftKeySpec&&) = default;
  ~SoftKeySpec();  // wipes initialPin
};

// Parses AUTHD_SOFT_FIDO2_KEYS; nullopt with the reason in *error on any malformed entry, an
// unknown option, or a name used twice.
std::optional<std::vector<SoftKeySpec>> parseSoftKeySpecs(std::string_view list,
                                                          std::string* error);
// Whether `name` is plugged under AUTHD_SOFT_FIDO2_PLUGGED's value (nullptr: all are).
bool isPlugged(const char* pluggedList, std::string_view name);
// The SoftAuthenticatorConfig of a spec: unseeded, the state file, the AAGUID (given, or
// SHA-256("authd soft-fido2 aaguid " + name)[0:16]), and for x5c/fido-u2f the attestation
// identity from the attestation directory (created there when missing; may throw).
SoftAuthenticatorConfig configFromSpec(const SoftKeySpec& spec);

}  // namespace authd::testing
