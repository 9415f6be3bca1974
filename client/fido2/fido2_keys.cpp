#include "fido2_keys.h"

#include <algorithm>
#include <climits>

#include "fido2_errors.h"

namespace authd::fido2_detail {

namespace {

std::string nameOf(const fido_dev_info_t* entry) {
  const char* product = fido_dev_info_product_string(entry);
  if (product != nullptr && *product != '\0') return product;
  const char* path = fido_dev_info_path(entry);
  return path != nullptr ? path : "security key";
}

int timeoutMs(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 1, INT_MAX));
}

void addProblem(KeyScan* scan, const std::string& text) {
  scan->problem += (scan->problem.empty() ? "" : "; ") + text;
}

}  // namespace

KeyScan scanKeys(const Fido2DeviceOptions& options, std::chrono::milliseconds timeout) {
  initLibfido2();
  KeyScan scan;
  DeviceInfoList list(std::max<std::size_t>(options.maxDevices, 1));
  const Fido2Manifest manifest = options.manifest ? options.manifest : systemFido2Manifest();
  std::size_t found = 0;
  const int rc =
      list.get() == nullptr ? FIDO_ERR_INTERNAL : manifest(list.get(), list.capacity(), &found);
  if (rc != FIDO_OK) {
    scan.manifestFailed = true;
    addProblem(&scan, describeFidoError("listing security keys", rc));
    return scan;
  }
  scan.plugged = std::min(found, list.capacity());
  for (std::size_t i = 0; i < scan.plugged; ++i) {
    const fido_dev_info_t* entry = fido_dev_info_ptr(list.get(), i);
    DevicePtr dev(entry != nullptr ? fido_dev_new_with_info(entry) : nullptr);
    const int open = dev ? fido_dev_open_with_info(dev.get()) : FIDO_ERR_INTERNAL;
    const std::string name = entry != nullptr ? nameOf(entry) : "security key";
    if (open != FIDO_OK) {
      addProblem(&scan, describeFidoError("opening " + name, open));
      continue;
    }
    fido_dev_set_timeout(dev.get(), timeoutMs(timeout));
    scan.keys.push_back(OpenKey{std::move(dev), name});
  }
  return scan;
}

}  // namespace authd::fido2_detail
