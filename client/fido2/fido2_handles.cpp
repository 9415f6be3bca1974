#include "fido2_handles.h"

#include <mutex>

namespace authd::fido2_detail {

void initLibfido2() {
  static std::once_flag once;
  std::call_once(once, [] { fido_init(0); });
}

void DeviceCloser::operator()(fido_dev_t* dev) const {
  fido_dev_close(dev);
  fido_dev_free(&dev);
}

}  // namespace authd::fido2_detail
