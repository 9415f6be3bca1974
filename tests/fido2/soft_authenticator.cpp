#include "fido2/soft_authenticator.h"

#include <openssl/sha.h>

#include <iostream>
#include <stdexcept>
#include <thread>

#include "fido2/ctap2_dispatcher.h"
#include "fido2/state_file.h"
#include "fido2/virtual_device.h"

namespace authd::testing {

SoftAuthenticator::SoftAuthenticator(SoftAuthenticatorConfig config)
    : state_(std::make_unique<AuthenticatorState>(std::move(config))),
      path_("soft-fido2://" + state_->config.name),
      waiter_([](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }),
      hid_([this](ByteView request) { return onCbor(request); }, state_->rng,
           [this](std::chrono::milliseconds delay) { waiter_(delay); }) {
  loadState();
  if (!registerSoftAuthenticator(path_, this)) {
    throw std::invalid_argument("soft authenticator name already in use: " + path_);
  }
}

SoftAuthenticator::~SoftAuthenticator() {
  unregisterSoftAuthenticator(path_);
  wipeBytes(savedState_);
}

void SoftAuthenticator::loadState() {
  const std::string& file = state_->config.statePath;
  if (file.empty()) return;
  std::optional<Bytes> stored = readStateFile(file);
  if (stored) {
    const bool restored = restoreState(*state_, *stored);
    wipeBytes(*stored);
    if (!restored) throw std::runtime_error("soft-fido2 state file is malformed: " + file);
  }
  // The first save throws: an unusable path is a setup error, found before any test step.
  Bytes current = serializeState(*state_);
  writeStateFile(file, current);
  savedState_ = std::move(current);
}

void SoftAuthenticator::saveState() {
  if (state_->config.statePath.empty()) return;
  Bytes current = serializeState(*state_);
  if (current == savedState_) {
    wipeBytes(current);
    return;
  }
  try {
    writeStateFile(state_->config.statePath, current);
    wipeBytes(savedState_);
    savedState_ = std::move(current);
  } catch (const std::exception& e) {
    wipeBytes(current);
    std::cerr << "soft-fido2: " << e.what() << std::endl;
  }
}

std::vector<int64_t> SoftAuthenticator::credentialAlgorithms() const {
  std::vector<int64_t> algorithms;
  for (const Credential& c : state_->credentials.all()) algorithms.push_back(c.key.alg());
  return algorithms;
}

void SoftAuthenticator::setPin(std::string_view pin) {
  Bytes hash(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const uint8_t*>(pin.data()), pin.size(), hash.data());
  hash.resize(16);
  wipeBytes(state_->pin.pinHash);
  state_->pin.pinHash = std::move(hash);
  state_->pin.retries = state_->config.maxPinRetries;
  saveState();
}

Bytes SoftAuthenticator::handleCbor(ByteView request) { return onCbor(request).payload; }

CborReply SoftAuthenticator::onCbor(ByteView request) {
  state_->pendingTouch = std::chrono::milliseconds(0);
  CborReply reply{dispatchCtap2(*state_, request), state_->pendingTouch};
  state_->pendingTouch = std::chrono::milliseconds(0);
  saveState();
  return reply;
}

}  // namespace authd::testing
