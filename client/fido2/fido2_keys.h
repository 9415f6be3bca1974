#pragma once
// Lists the plugged keys through the manifest function and opens them the one way that works
// for real and virtual keys alike: fido_dev_new_with_info + fido_dev_open_with_info.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "authd/fido2_device.h"
#include "fido2_handles.h"

namespace authd::fido2_detail {

struct OpenKey {
  DevicePtr device;
  std::string name;  // product string, else the path; for prompts and logs
};

struct KeyScan {
  bool manifestFailed = false;  // the listing itself failed; see problem
  std::size_t plugged = 0;      // entries the manifest listed
  std::vector<OpenKey> keys;    // those that opened, in manifest order
  std::string problem;          // why listing or opening failed, for logs
};

// Each opened key waits at most `timeout` for an answer (and so for a touch).
KeyScan scanKeys(const Fido2DeviceOptions& options, std::chrono::milliseconds timeout);

}  // namespace authd::fido2_detail
