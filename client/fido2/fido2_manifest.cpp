#include "authd/fido2_device.h"

namespace authd {

// The real libfido2 symbol, called through the PLT: an LD_PRELOAD library that defines
// fido_dev_info_manifest (the integration tests' virtual keys) takes its place.
Fido2Manifest systemFido2Manifest() {
  return [](fido_dev_info_t* list, size_t ilen, size_t* olen) {
    return fido_dev_info_manifest(list, ilen, olen);
  };
}

}  // namespace authd
