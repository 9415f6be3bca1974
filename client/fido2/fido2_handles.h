#pragma once
// RAII owners of libfido2 objects, so every return path frees what it allocated.

#include <fido.h>

#include <cstddef>
#include <memory>

namespace authd::fido2_detail {

// fido_init once per process (libfido2 requires it before any other call).
void initLibfido2();

struct DeviceCloser {
  void operator()(fido_dev_t* dev) const;  // fido_dev_close + fido_dev_free
};
using DevicePtr = std::unique_ptr<fido_dev_t, DeviceCloser>;

struct AssertFree {
  void operator()(fido_assert_t* assert) const { fido_assert_free(&assert); }
};
using AssertPtr = std::unique_ptr<fido_assert_t, AssertFree>;

struct CredFree {
  void operator()(fido_cred_t* cred) const { fido_cred_free(&cred); }
};
using CredPtr = std::unique_ptr<fido_cred_t, CredFree>;

// A list from fido_dev_info_new(capacity); freeing needs the capacity, so it travels along.
class DeviceInfoList {
 public:
  explicit DeviceInfoList(std::size_t capacity)
      : capacity_(capacity), list_(fido_dev_info_new(capacity)) {}
  ~DeviceInfoList() { fido_dev_info_free(&list_, capacity_); }
  DeviceInfoList(const DeviceInfoList&) = delete;
  DeviceInfoList& operator=(const DeviceInfoList&) = delete;

  fido_dev_info_t* get() const { return list_; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  fido_dev_info_t* list_;
};

}  // namespace authd::fido2_detail
