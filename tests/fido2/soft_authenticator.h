#pragma once
// A software CTAP2 authenticator (one virtual FIDO2 USB key) for tests: CTAPHID framing over
// in-memory 64-byte HID reports, getInfo, makeCredential (ES256, EdDSA, RS256; packed self,
// packed x5c, fido-u2f or none attestation), getAssertion/getNextAssertion, clientPIN with PIN/UV
// auth protocols 1 and 2, reset. With SoftAuthenticatorConfig::statePath its state outlives the
// process (state_file.h).
// libfido2 talks to it through fido_dev_io_t hooks (see virtual_device.h), so the real libfido2
// CTAPHID and CTAP2 code runs in tests. Single-threaded: use it from one thread at a time.

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fido2/authenticator_state.h"
#include "fido2/bytes.h"
#include "fido2/ctaphid.h"
#include "fido2/faults.h"

namespace authd::testing {

class SoftAuthenticator {
 public:
  // Registers the key under path() so that the io hooks find it; a name already in use throws.
  // With a statePath, loads the state file or creates it (std::runtime_error when it is
  // malformed, or cannot be read or written).
  explicit SoftAuthenticator(SoftAuthenticatorConfig config = {});
  ~SoftAuthenticator();
  SoftAuthenticator(const SoftAuthenticator&) = delete;
  SoftAuthenticator& operator=(const SoftAuthenticator&) = delete;

  Faults& faults() { return state_->faults; }
  // Replaces the default waiter (a real sleep) used for Faults::touchDelay.
  void setWaiter(Waiter waiter) { waiter_ = std::move(waiter); }

  const std::string& path() const { return path_; }  // "soft-fido2://<name>"
  const std::string& name() const { return state_->config.name; }
  const std::array<uint8_t, 16>& aaguid() const { return state_->aaguid; }
  size_t credentialCount() const { return state_->credentials.size(); }
  uint32_t signCount() const { return state_->signCount; }
  uint8_t pinRetries() const { return state_->pin.retries; }
  bool hasPin() const { return !state_->pin.pinHash.empty(); }
  // Test setup shortcut: as if the PIN had been set through clientPIN setPIN.
  void setPin(std::string_view pin);
  const SoftAuthenticatorConfig& config() const { return state_->config; }
  // COSE algorithm of each stored credential, in creation order.
  std::vector<int64_t> credentialAlgorithms() const;

  // Raw device side, used by the io hooks and by fuzzers: one 64-byte output report in, input
  // reports out (nullopt: nothing to read within timeoutMs).
  void writeReport(ByteView report) { hid_.receive(report); }
  std::optional<HidReport> readReport(int timeoutMs) { return hid_.read(timeoutMs); }
  // One CTAP2 request (command byte ‖ CBOR) → status ‖ CBOR, bypassing CTAPHID.
  Bytes handleCbor(ByteView request);

 private:
  CborReply onCbor(ByteView request);
  void loadState();
  // Saves the state file when the state differs from what was last saved. A failed save is
  // reported on stderr: it runs inside libfido2's io callback, which must not throw.
  void saveState();

  std::unique_ptr<AuthenticatorState> state_;
  Bytes savedState_;  // last bytes written to the state file (holds keys: wiped)
  std::string path_;
  Waiter waiter_;
  CtapHidDevice hid_;
};

}  // namespace authd::testing
