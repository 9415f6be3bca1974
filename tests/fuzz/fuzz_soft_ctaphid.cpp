// Fuzzes the soft authenticator's CTAPHID framing (tests/fido2/ctaphid.cpp) with the real CTAP2
// behind it: the input is a sequence of 64-byte output reports. The harness opens a channel
// first; a report whose CID is 00000000 is sent on that channel (so the corpus can hold valid
// traffic without knowing the allocated CID), any other CID is sent as is. After each report
// every queued input report is read.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fido2/soft_authenticator.h"

namespace {

using authd::testing::ByteView;
using authd::testing::HidReport;
using authd::testing::kHidReportSize;
using authd::testing::SoftAuthenticator;
using authd::testing::SoftAuthenticatorConfig;

constexpr size_t kMaxReports = 256;
constexpr int kMaxReadsPerReport = 200;

void drain(SoftAuthenticator& key) {
  for (int i = 0; i < kMaxReadsPerReport && key.readReport(0); ++i) {
  }
  if (key.readReport(0)) __builtin_trap();  // a reply longer than any CTAPHID message
}

uint32_t openChannel(SoftAuthenticator& key) {
  HidReport init{};
  std::fill_n(init.begin(), 4, 0xff);
  init[4] = 0x86;  // INIT
  init[6] = 8;
  key.writeReport(init);
  const std::optional<HidReport> reply = key.readReport(0);
  if (!reply) __builtin_trap();
  return static_cast<uint32_t>((*reply)[15]) << 24 | static_cast<uint32_t>((*reply)[16]) << 16 |
         static_cast<uint32_t>((*reply)[17]) << 8 | (*reply)[18];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxReports * kHidReportSize) return 0;
  SoftAuthenticatorConfig config;
  config.name = "fuzz-ctaphid";
  config.algorithms = {-7, -8};  // RS256 key generation would dominate the run time
  SoftAuthenticator key(config);
  const uint32_t cid = openChannel(key);
  for (size_t offset = 0; offset < size; offset += kHidReportSize) {
    HidReport report{};
    const size_t n = std::min(kHidReportSize, size - offset);
    std::copy_n(data + offset, n, report.begin());
    if (report[0] == 0 && report[1] == 0 && report[2] == 0 && report[3] == 0) {
      for (int i = 0; i < 4; ++i) report[i] = static_cast<uint8_t>(cid >> (24 - 8 * i));
    }
    key.writeReport(report);
    drain(key);
  }
  // A report of the wrong size is answered, never read past.
  key.writeReport(ByteView(data, std::min<size_t>(size, kHidReportSize - 1)));
  drain(key);
  return 0;
}
