#include "fido2/virtual_key_ring.h"

namespace authd::testing {

SoftAuthenticator& VirtualKeyRing::plug(SoftAuthenticatorConfig config) {
  keys_.push_back(std::make_unique<SoftAuthenticator>(std::move(config)));
  return *keys_.back();
}

void VirtualKeyRing::unplug(size_t index) {
  keys_.erase(keys_.begin() + static_cast<std::ptrdiff_t>(index));
}

int VirtualKeyRing::manifest(fido_dev_info_t* list, size_t ilen, size_t* olen) const {
  if (list == nullptr || olen == nullptr) return FIDO_ERR_INVALID_ARGUMENT;
  *olen = 0;
  for (size_t i = 0; i < keys_.size() && i < ilen; ++i) {
    const std::string product = "Soft FIDO2 " + keys_[i]->name();
    const int rc =
        fido_dev_info_set(list, i, keys_[i]->path().c_str(), "authd tests", product.c_str(),
                          &softFido2IoFunctions(), &softFido2TransportFunctions());
    if (rc != FIDO_OK) return rc;
    *olen = i + 1;
  }
  return FIDO_OK;
}

Fido2Manifest VirtualKeyRing::manifestFunction() const {
  return [this](fido_dev_info_t* list, size_t ilen, size_t* olen) {
    return manifest(list, ilen, olen);
  };
}

FidoDevicePtr VirtualKeyRing::openVirtualDevice(size_t index, int* error) const {
  fido_dev_info_t* list = fido_dev_info_new(keys_.size() + 1);
  size_t found = 0;
  FidoDevicePtr dev;
  int rc = list == nullptr ? FIDO_ERR_INTERNAL : manifest(list, keys_.size(), &found);
  if (rc == FIDO_OK && index >= found) rc = FIDO_ERR_INVALID_ARGUMENT;
  if (rc == FIDO_OK) dev = openManifestEntry(list, index, &rc);
  fido_dev_info_free(&list, keys_.size() + 1);
  if (error != nullptr) *error = rc;
  return dev;
}

FidoDevicePtr openManifestEntry(const fido_dev_info_t* list, size_t index, int* error) {
  const fido_dev_info_t* entry = fido_dev_info_ptr(list, index);
  FidoDevicePtr dev(entry != nullptr ? fido_dev_new_with_info(entry) : nullptr);
  int rc = dev ? fido_dev_open_with_info(dev.get()) : FIDO_ERR_INVALID_ARGUMENT;
  if (error != nullptr) *error = rc;
  if (rc != FIDO_OK) return nullptr;
  return dev;
}

}  // namespace authd::testing
