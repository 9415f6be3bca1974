#include "fido2/soft_authenticator.h"

#include <openssl/sha.h>

#include <stdexcept>
#include <thread>

#include "fido2/ctap2_dispatcher.h"
#include "fido2/virtual_device.h"

namespace authd::testing {

SoftAuthenticator::SoftAuthenticator(SoftAuthenticatorConfig config)
    : state_(std::make_unique<AuthenticatorState>(std::move(config))),
      path_("soft-fido2://" + state_->config.name),
      waiter_([](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }),
      hid_([this](ByteView request) { return onCbor(request); }, state_->rng,
           [this](std::chrono::milliseconds delay) { waiter_(delay); }) {
  if (!registerSoftAuthenticator(path_, this)) {
    throw std::invalid_argument("soft authenticator name already in use: " + path_);
  }
}

SoftAuthenticator::~SoftAuthenticator() { unregisterSoftAuthenticator(path_); }

void SoftAuthenticator::setPin(std::string_view pin) {
  Bytes hash(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const uint8_t*>(pin.data()), pin.size(), hash.data());
  hash.resize(16);
  wipeBytes(state_->pin.pinHash);
  state_->pin.pinHash = std::move(hash);
  state_->pin.retries = state_->config.maxPinRetries;
}

Bytes SoftAuthenticator::handleCbor(ByteView request) { return onCbor(request).payload; }

CborReply SoftAuthenticator::onCbor(ByteView request) {
  state_->pendingTouch = std::chrono::milliseconds(0);
  CborReply reply{dispatchCtap2(*state_, request), state_->pendingTouch};
  state_->pendingTouch = std::chrono::milliseconds(0);
  return reply;
}

}  // namespace authd::testing
