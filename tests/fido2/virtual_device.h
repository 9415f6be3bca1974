#pragma once
// libfido2 wiring of soft authenticators: fido_dev_io_t hooks whose open() finds a
// SoftAuthenticator by path ("soft-fido2://<name>") in a process-wide registry, and a RAII handle
// for the opened fido_dev_t.

#include <fido.h>

#include <memory>
#include <string>

namespace authd::testing {

class SoftAuthenticator;

struct FidoDevDeleter {
  void operator()(fido_dev_t* dev) const;  // fido_dev_close + fido_dev_free
};
using FidoDevicePtr = std::unique_ptr<fido_dev_t, FidoDevDeleter>;

// The four io callbacks; usable with fido_dev_set_io_functions or fido_dev_info_set.
const fido_dev_io_t& softFido2IoFunctions();
// Whole-message transport (host-side CTAPHID framing done by us), needed with fido_dev_info_set:
// without a transport, fido_dev_new_with_info treats the entry as real HID and probes it.
const fido_dev_transport_t& softFido2TransportFunctions();

// fido_dev_new + fido_dev_set_io_functions + fido_dev_open(path). nullptr on failure, with the
// FIDO_ERR_* code in *error when given.
FidoDevicePtr openSoftDevice(const std::string& path, int* error = nullptr);

// Registry used by the constructor/destructor of SoftAuthenticator.
bool registerSoftAuthenticator(const std::string& path, SoftAuthenticator* key);
void unregisterSoftAuthenticator(const std::string& path);

}  // namespace authd::testing
