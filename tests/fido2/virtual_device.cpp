#include "fido2/virtual_device.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "fido2/soft_authenticator.h"

namespace authd::testing {
namespace {

std::mutex& registryMutex() {
  static std::mutex mutex;
  return mutex;
}

std::map<std::string, SoftAuthenticator*>& registry() {
  static std::map<std::string, SoftAuthenticator*> keys;
  return keys;
}

// What io_open hands libfido2: the path, looked up again on every call, so a key destroyed
// while libfido2 still holds the device answers -1 instead of touching freed memory.
struct Connection {
  std::string path;
  uint32_t cid = kBroadcastCid;  // learnt from the INIT reply (transport path only)
};

SoftAuthenticator* lookup(void* handle) {
  if (handle == nullptr) return nullptr;
  const auto it = registry().find(static_cast<Connection*>(handle)->path);
  return it == registry().end() ? nullptr : it->second;
}

void* ioOpen(const char* path) {
  if (path == nullptr) return nullptr;
  std::lock_guard lock(registryMutex());
  if (registry().count(path) == 0) return nullptr;
  return new Connection{path};
}

void ioClose(void* handle) { delete static_cast<Connection*>(handle); }

// libfido2 reads exactly one 64-byte input report.
int ioRead(void* handle, unsigned char* buffer, size_t length, int timeoutMs) {
  std::lock_guard lock(registryMutex());
  SoftAuthenticator* key = lookup(handle);
  if (key == nullptr || buffer == nullptr || length != kHidReportSize) return -1;
  const std::optional<HidReport> report = key->readReport(timeoutMs);
  if (!report) return -1;
  std::copy(report->begin(), report->end(), buffer);
  return static_cast<int>(kHidReportSize);
}

// libfido2 writes report ID 0 followed by one 64-byte output report.
int ioWrite(void* handle, const unsigned char* buffer, size_t length) {
  std::lock_guard lock(registryMutex());
  SoftAuthenticator* key = lookup(handle);
  if (key == nullptr || buffer == nullptr || length != kHidReportSize + 1 || buffer[0] != 0) {
    return -1;
  }
  key->writeReport(ByteView(buffer + 1, kHidReportSize));
  return static_cast<int>(length);
}

const fido_dev_io_t kIo = {ioOpen, ioClose, ioRead, ioWrite};

// Transport path (manifest entries): libfido2 hands over whole messages, so the host side of the
// CTAPHID framing is done here, against the same device-side parser.
int transportTx(fido_dev_t* dev, uint8_t cmd, const unsigned char* buffer, size_t length) {
  auto* connection = static_cast<Connection*>(fido_dev_io_handle(dev));
  std::lock_guard lock(registryMutex());
  SoftAuthenticator* key = lookup(connection);
  if (key == nullptr || length > kMaxHidMessage || (buffer == nullptr && length > 0)) return -1;
  const uint32_t cid = cmd == ctaphid::kInit ? kBroadcastCid : connection->cid;
  HidReport report{};
  auto writeCid = [&] {
    for (int i = 0; i < 4; ++i) report[i] = static_cast<uint8_t>(cid >> (24 - 8 * i));
  };
  writeCid();
  report[4] = cmd | 0x80;
  report[5] = static_cast<uint8_t>(length >> 8);
  report[6] = static_cast<uint8_t>(length);
  size_t offset = std::min<size_t>(length, kHidReportSize - 7);
  std::copy_n(buffer, offset, report.begin() + 7);
  key->writeReport(report);
  for (uint8_t seq = 0; offset < length; ++seq) {
    report.fill(0);
    writeCid();
    report[4] = seq;
    const size_t n = std::min<size_t>(length - offset, kHidReportSize - 5);
    std::copy_n(buffer + offset, n, report.begin() + 5);
    offset += n;
    key->writeReport(report);
  }
  return 0;
}

// Reads one reply message for `cmd` (keepalives skipped) into buffer; its length, or -1.
int transportRx(fido_dev_t* dev, uint8_t cmd, unsigned char* buffer, size_t length, int ms) {
  auto* connection = static_cast<Connection*>(fido_dev_io_handle(dev));
  std::lock_guard lock(registryMutex());
  SoftAuthenticator* key = lookup(connection);
  if (key == nullptr || buffer == nullptr) return -1;
  std::optional<HidReport> report;
  do {
    report = key->readReport(ms);
  } while (report && (*report)[4] == (ctaphid::kKeepalive | 0x80));
  if (!report || (*report)[4] != (cmd | 0x80)) return -1;
  const size_t total = static_cast<size_t>((*report)[5]) << 8 | (*report)[6];
  if (total > length) return -1;
  size_t offset = std::min<size_t>(total, kHidReportSize - 7);
  std::copy_n(report->begin() + 7, offset, buffer);
  for (uint8_t seq = 0; offset < total; ++seq) {
    report = key->readReport(ms);
    if (!report || (*report)[4] != seq) return -1;
    const size_t n = std::min<size_t>(total - offset, kHidReportSize - 5);
    std::copy_n(report->begin() + 5, n, buffer + offset);
    offset += n;
  }
  constexpr size_t kInitReplySize = 17;  // nonce[8] | cid[4] | versions, capabilities
  if (cmd == ctaphid::kInit && total == kInitReplySize) {
    connection->cid = static_cast<uint32_t>(buffer[8]) << 24 |
                      static_cast<uint32_t>(buffer[9]) << 16 |
                      static_cast<uint32_t>(buffer[10]) << 8 | buffer[11];
  }
  return static_cast<int>(total);
}

const fido_dev_transport_t kTransport = {transportRx, transportTx};

}  // namespace

void FidoDevDeleter::operator()(fido_dev_t* dev) const {
  fido_dev_close(dev);
  fido_dev_free(&dev);
}

const fido_dev_io_t& softFido2IoFunctions() { return kIo; }
const fido_dev_transport_t& softFido2TransportFunctions() { return kTransport; }

FidoDevicePtr openSoftDevice(const std::string& path, int* error) {
  static std::once_flag once;
  std::call_once(once, [] { fido_init(0); });
  int rc = FIDO_ERR_INTERNAL;
  FidoDevicePtr dev(fido_dev_new());
  if (dev && (rc = fido_dev_set_io_functions(dev.get(), &kIo)) == FIDO_OK) {
    rc = fido_dev_open(dev.get(), path.c_str());
  }
  if (error != nullptr) *error = rc;
  if (rc != FIDO_OK) return nullptr;
  return dev;
}

bool registerSoftAuthenticator(const std::string& path, SoftAuthenticator* key) {
  std::lock_guard lock(registryMutex());
  return registry().emplace(path, key).second;
}

void unregisterSoftAuthenticator(const std::string& path) {
  std::lock_guard lock(registryMutex());
  registry().erase(path);
}

}  // namespace authd::testing
