#pragma once
// CTAPHID (CTAP 2.1 §11.2) device side: reassembles request messages from 64-byte output
// reports, answers INIT/PING/WINK/CANCEL itself, hands CBOR messages to a handler and fragments
// replies into 64-byte input reports. Every report is bounds-checked; a malformed one gets a
// CTAPHID_ERROR reply, never a partial dispatch.

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "fido2/bytes.h"
#include "fido2/faults.h"
#include "fido2/rng.h"

namespace authd::testing {

inline constexpr size_t kHidReportSize = 64;
inline constexpr size_t kMaxHidMessage = 64 - 7 + 128 * (64 - 5);  // 7609
inline constexpr uint32_t kBroadcastCid = 0xffffffff;
using HidReport = std::array<uint8_t, kHidReportSize>;

namespace ctaphid {
inline constexpr uint8_t kPing = 0x01;
inline constexpr uint8_t kMsg = 0x03;
inline constexpr uint8_t kInit = 0x06;
inline constexpr uint8_t kWink = 0x08;
inline constexpr uint8_t kCbor = 0x10;
inline constexpr uint8_t kCancel = 0x11;
inline constexpr uint8_t kKeepalive = 0x3b;
inline constexpr uint8_t kError = 0x3f;

inline constexpr uint8_t kErrInvalidCmd = 0x01;
inline constexpr uint8_t kErrInvalidPar = 0x02;
inline constexpr uint8_t kErrInvalidLen = 0x03;
inline constexpr uint8_t kErrInvalidSeq = 0x04;
inline constexpr uint8_t kErrChannelBusy = 0x06;
inline constexpr uint8_t kErrInvalidChannel = 0x0b;

inline constexpr uint8_t kStatusUpNeeded = 0x02;
}  // namespace ctaphid

// A CBOR reply and how long the user took to touch while it was built.
struct CborReply {
  Bytes payload;
  std::chrono::milliseconds touchDelay{0};
};

class CtapHidDevice {
 public:
  using CborHandler = std::function<CborReply(ByteView request)>;

  CtapHidDevice(CborHandler handler, Rng& rng, Waiter waiter);

  // One output report (64 bytes, no report ID). Anything else is answered with ERR_INVALID_LEN
  // on the broadcast channel.
  void receive(ByteView report);
  // The next input report, or nullopt on timeout (nothing queued, or a touch slower than
  // timeoutMs; -1 waits as long as the touch takes).
  std::optional<HidReport> read(int timeoutMs);
  bool hasPendingReply() const { return !outbox_.empty(); }

 private:
  struct Assembly {
    uint32_t cid = 0;
    uint8_t cmd = 0;
    size_t length = 0;
    uint8_t nextSeq = 0;
    Bytes data;
  };
  struct Outgoing {
    std::vector<HidReport> reports;
    size_t next = 0;
    std::optional<HidReport> keepalive;
    std::chrono::milliseconds touchDelay{0};
  };

  void receiveInit(uint32_t cid, ByteView report);
  void receiveContinuation(uint32_t cid, ByteView report);
  bool appendChunk(ByteView chunk);
  void dispatch(uint32_t cid, uint8_t cmd, ByteView payload);
  void handleInit(uint32_t cid, ByteView nonce);
  uint32_t allocateChannel();
  void reply(uint32_t cid, uint8_t cmd, ByteView payload,
             std::chrono::milliseconds touchDelay = std::chrono::milliseconds(0));
  void replyError(uint32_t cid, uint8_t code);

  CborHandler handler_;
  Rng& rng_;
  Waiter waiter_;
  std::optional<Assembly> assembly_;
  std::vector<uint32_t> channels_;
  std::deque<Outgoing> outbox_;
};

}  // namespace authd::testing
