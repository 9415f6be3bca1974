#pragma once
// Fault switches of a soft authenticator: each one makes it misbehave the way a broken, cloned
// or malicious key (or a slow user) would, so tests can prove the relying party rejects it.

#include <chrono>
#include <functional>

namespace authd::testing {

struct Faults {
  bool userPresenceOff = false;   // authData without the UP flag although UP was requested
  bool wrongRp = false;           // rpIdHash over "wrong-rp.invalid" instead of the rp id
  bool counterBackwards = false;  // each signature reports a counter lower than the previous one
  bool tamperSignature = false;   // one bit of every signature (attestation, assertion) flipped
  bool wrongPin = false;          // every PIN is treated as wrong (retries decrease)
  bool noCredential = false;      // getAssertion answers NO_CREDENTIALS whatever is stored
  std::chrono::milliseconds touchDelay{0};  // user presence arrives this late (slow touch)
};

// How the device waits for a slow touch; tests inject one that records instead of sleeping.
using Waiter = std::function<void(std::chrono::milliseconds)>;

}  // namespace authd::testing
