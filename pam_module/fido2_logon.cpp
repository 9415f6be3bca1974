#include "fido2_logon.h"

#include <security/pam_ext.h>

#include "authd/client.h"
#include "authd/fido2_calls.h"
#include "authd/wipe.h"
#include "conversation.h"

namespace authd::pam {

namespace {

std::chrono::milliseconds callTimeout(const ModuleOptions& options) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout);
}

// Asks for the PIN through the conversation. A failed conversation is remembered, so that it is
// reported as such rather than as "no PIN given".
class PinConversation {
 public:
  explicit PinConversation(pam_handle_t* pamh) : pamh_(pamh) {}

  // One named result on every path, so that it is constructed in place (no moved-from copy of
  // the PIN is left behind); the device code wipes it after use.
  std::optional<std::string> ask() {
    std::optional<std::string> pin(std::in_place);
    const int rc = promptSecret(pamh_, kPinPrompt, &*pin);
    if (rc != PAM_SUCCESS) {
      wipeString(*pin);
      pin.reset();
      failure_ = pam_strerror(pamh_, rc);
    }
    return pin;
  }
  const std::optional<std::string>& failure() const { return failure_; }

 private:
  pam_handle_t* pamh_;
  std::optional<std::string> failure_;
};

// Filled in place: the request holds the password and may be neither copied nor moved.
void fillVerifyRequest(Fido2VerifyRequest& request, const Logon& logon, Fido2Assertion assertion,
                       std::optional<std::string_view> password) {
  request.user = logon.user;
  request.assertion = std::move(assertion);
  request.service = logon.service;
  request.rhost = logon.rhost;
  request.tty = logon.tty;
  if (password) request.password.emplace(*password);
}

}  // namespace

Fido2Attempt tryFido2(pam_handle_t* pamh, const ModuleOptions& options, const Logon& logon,
                      const Fido2Manifest& manifest, bool totpFallback,
                      std::optional<std::string_view> password) {
  CallResult<Fido2LogonChallenge> begun;
  {
    Client client(options.socketPath, callTimeout(options));
    begun = beginFido2Logon(client, logon.user, logon.service);
  }
  if (!begun.ok()) return {outcomeOfCallError(begun.error), "fido2_begin failed"};

  PinConversation conversation(pamh);
  const PinPrompt pin = [&conversation](std::string_view, int) { return conversation.ask(); };
  const Notice notice = [pamh](std::string_view text) { showInstruction(pamh, text); };
  Fido2DeviceOptions deviceOptions;
  deviceOptions.manifest = manifest;
  Fido2AssertionOutcome key = getFido2Assertion(deviceOptions, *begun.answer, pin, notice);
  std::string note = "key=\"" + key.deviceName + "\" failure=" + std::string(toString(key.failure));
  if (!key.message.empty()) note += " " + key.message;
  if (conversation.failure()) return {outcomeOfConversationFailure(*conversation.failure()), note};
  if (!key.assertion) return {outcomeOfKeyFailure(key.failure, key.message, totpFallback), note};

  Fido2VerifyRequest request;
  fillVerifyRequest(request, logon, std::move(*key.assertion), password);
  Client client(options.socketPath, callTimeout(options));
  return {outcomeOfVerify(verifyFido2(client, request)), note};
}

}  // namespace authd::pam
