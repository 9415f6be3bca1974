#pragma once
// Several virtual keys plugged at once, listed the way fido_dev_info_manifest lists real ones, so
// production code that takes a device factory can be handed virtual keys in tests.
//
// Production shape: enumerate with a `Fido2Manifest` (fido_dev_info_manifest by default), then
// open entry i with fido_dev_new_with_info + fido_dev_open_with_info. Entries filled by
// VirtualKeyRing::manifest carry the soft io hooks, so the same opening code works for both.

#include <fido.h>

#include <functional>
#include <memory>
#include <vector>

#include "fido2/soft_authenticator.h"
#include "fido2/virtual_device.h"

namespace authd::testing {

// Same contract as fido_dev_info_manifest(list, ilen, &olen).
using Fido2Manifest = std::function<int(fido_dev_info_t* list, size_t ilen, size_t* olen)>;

class VirtualKeyRing {
 public:
  SoftAuthenticator& plug(SoftAuthenticatorConfig config);
  void unplug(size_t index);
  size_t size() const { return keys_.size(); }
  SoftAuthenticator& key(size_t index) { return *keys_.at(index); }

  // fido_dev_info_manifest replacement: fills up to ilen entries (path, "authd tests",
  // "Soft FIDO2 <name>", soft io and transport hooks) of a list from fido_dev_info_new(ilen).
  int manifest(fido_dev_info_t* list, size_t ilen, size_t* olen) const;
  Fido2Manifest manifestFunction() const;

  // Opens key `index` the way production would open manifest entry `index`:
  // fido_dev_new_with_info + fido_dev_open_with_info. nullptr on failure (*error = FIDO_ERR_*).
  FidoDevicePtr openVirtualDevice(size_t index, int* error = nullptr) const;

 private:
  std::vector<std::unique_ptr<SoftAuthenticator>> keys_;
};

// Opens entry `index` of a manifest-filled list (works for real and virtual keys alike).
FidoDevicePtr openManifestEntry(const fido_dev_info_t* list, size_t index, int* error = nullptr);

}  // namespace authd::testing
