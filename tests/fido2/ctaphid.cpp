#include "fido2/ctaphid.h"

#include <algorithm>

namespace authd::testing {
namespace {

constexpr size_t kInitHeader = 7;  // CID[4] | CMD | BCNTH | BCNTL
constexpr size_t kContHeader = 5;  // CID[4] | SEQ
constexpr size_t kMaxChannels = 64;
constexpr uint8_t kFrameInit = 0x80;
constexpr uint8_t kMaxSeq = 0x7f;

uint32_t readCid(ByteView report) {
  return static_cast<uint32_t>(report[0]) << 24 | static_cast<uint32_t>(report[1]) << 16 |
         static_cast<uint32_t>(report[2]) << 8 | report[3];
}

void writeCid(HidReport& report, uint32_t cid) {
  report[0] = static_cast<uint8_t>(cid >> 24);
  report[1] = static_cast<uint8_t>(cid >> 16);
  report[2] = static_cast<uint8_t>(cid >> 8);
  report[3] = static_cast<uint8_t>(cid);
}

bool allZero(ByteView bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

CtapHidDevice::CtapHidDevice(CborHandler handler, Rng& rng, Waiter waiter)
    : handler_(std::move(handler)), rng_(rng), waiter_(std::move(waiter)) {}

void CtapHidDevice::receive(ByteView report) {
  if (report.size() != kHidReportSize) {
    replyError(kBroadcastCid, ctaphid::kErrInvalidLen);
    return;
  }
  const uint32_t cid = readCid(report);
  if ((report[4] & kFrameInit) != 0) {
    receiveInit(cid, report);
  } else {
    receiveContinuation(cid, report);
  }
}

void CtapHidDevice::receiveInit(uint32_t cid, ByteView report) {
  const uint8_t cmd = report[4] & ~kFrameInit;
  const size_t length = static_cast<size_t>(report[5]) << 8 | report[6];
  if (assembly_ && assembly_->cid != cid && cmd != ctaphid::kInit) {
    replyError(cid, ctaphid::kErrChannelBusy);
    return;
  }
  const bool interrupted = assembly_ && assembly_->cid == cid;
  assembly_.reset();  // INIT resynchronises; anything else on the same channel is out of order
  if (interrupted && cmd != ctaphid::kInit) {
    replyError(cid, ctaphid::kErrInvalidSeq);
    return;
  }
  if (length > kMaxHidMessage) {
    replyError(cid, ctaphid::kErrInvalidLen);
    return;
  }
  assembly_ = Assembly{cid, cmd, length, 0, {}};
  if (!appendChunk(report.subspan(kInitHeader))) {
    replyError(cid, ctaphid::kErrInvalidPar);
  }
}

void CtapHidDevice::receiveContinuation(uint32_t cid, ByteView report) {
  if (!assembly_ || assembly_->cid != cid) return;  // spurious continuation: ignored (§11.2.4)
  if (report[4] != assembly_->nextSeq || assembly_->nextSeq > kMaxSeq) {
    assembly_.reset();
    replyError(cid, ctaphid::kErrInvalidSeq);
    return;
  }
  ++assembly_->nextSeq;
  if (!appendChunk(report.subspan(kContHeader))) {
    replyError(cid, ctaphid::kErrInvalidPar);
  }
}

// Appends one frame's data; dispatches when the message is complete. The padding after the last
// byte must be zero (trailing garbage is rejected: false, assembly dropped).
bool CtapHidDevice::appendChunk(ByteView chunk) {
  Assembly& a = *assembly_;
  const size_t take = std::min(chunk.size(), a.length - a.data.size());
  a.data.insert(a.data.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(take));
  if (a.data.size() < a.length) return true;
  const bool clean = allZero(chunk.subspan(take));
  Assembly complete = std::move(a);
  assembly_.reset();
  if (!clean) return false;
  dispatch(complete.cid, complete.cmd, complete.data);
  return true;
}

void CtapHidDevice::dispatch(uint32_t cid, uint8_t cmd, ByteView payload) {
  if (cmd == ctaphid::kInit) {
    handleInit(cid, payload);
    return;
  }
  if (cid == kBroadcastCid || cid == 0 ||
      std::find(channels_.begin(), channels_.end(), cid) == channels_.end()) {
    replyError(cid, ctaphid::kErrInvalidChannel);
    return;
  }
  switch (cmd) {
    case ctaphid::kPing:
      reply(cid, cmd, payload);
      return;
    case ctaphid::kWink:
      if (!payload.empty()) return replyError(cid, ctaphid::kErrInvalidLen);
      reply(cid, cmd, {});
      return;
    case ctaphid::kCancel:
      return;  // nothing is ever in progress between two reports: no reply (§11.2.9.1.5)
    case ctaphid::kCbor: {
      if (payload.empty()) return replyError(cid, ctaphid::kErrInvalidLen);
      CborReply answer = handler_(payload);
      if (answer.payload.size() > kMaxHidMessage) return replyError(cid, ctaphid::kErrInvalidLen);
      reply(cid, cmd, answer.payload, answer.touchDelay);
      return;
    }
    default:  // CTAPHID_MSG included: this key speaks no U2F (capability NMSG)
      replyError(cid, ctaphid::kErrInvalidCmd);
  }
}

void CtapHidDevice::handleInit(uint32_t cid, ByteView nonce) {
  constexpr size_t kNonceSize = 8;
  if (nonce.size() != kNonceSize || cid == 0) {
    replyError(cid, ctaphid::kErrInvalidLen);
    return;
  }
  const uint32_t newCid = cid == kBroadcastCid ? allocateChannel() : cid;
  if (cid != kBroadcastCid &&
      std::find(channels_.begin(), channels_.end(), cid) == channels_.end()) {
    replyError(cid, ctaphid::kErrInvalidChannel);
    return;
  }
  Bytes payload(nonce.begin(), nonce.end());
  appendBigEndian(payload, newCid, 4);
  // Protocol 2, device version 1.0.0, capabilities WINK | CBOR | NMSG.
  for (uint8_t b : {uint8_t{2}, uint8_t{1}, uint8_t{0}, uint8_t{0}, uint8_t{0x01 | 0x04 | 0x08}}) {
    payload.push_back(b);
  }
  reply(cid, ctaphid::kInit, payload);
}

uint32_t CtapHidDevice::allocateChannel() {
  uint32_t cid = 0;
  do {
    Bytes raw = rng_.bytes(4);
    cid = readCid(raw);
  } while (cid == 0 || cid == kBroadcastCid ||
           std::find(channels_.begin(), channels_.end(), cid) != channels_.end());
  if (channels_.size() >= kMaxChannels) channels_.erase(channels_.begin());
  channels_.push_back(cid);
  return cid;
}

void CtapHidDevice::reply(uint32_t cid, uint8_t cmd, ByteView payload,
                          std::chrono::milliseconds touchDelay) {
  Outgoing out;
  HidReport report{};
  writeCid(report, cid);
  report[4] = cmd | kFrameInit;
  report[5] = static_cast<uint8_t>(payload.size() >> 8);
  report[6] = static_cast<uint8_t>(payload.size());
  size_t offset = std::min(payload.size(), kHidReportSize - kInitHeader);
  std::copy_n(payload.begin(), offset, report.begin() + kInitHeader);
  out.reports.push_back(report);
  for (uint8_t seq = 0; offset < payload.size(); ++seq) {
    report.fill(0);
    writeCid(report, cid);
    report[4] = seq;
    const size_t n = std::min(payload.size() - offset, kHidReportSize - kContHeader);
    std::copy_n(payload.begin() + static_cast<std::ptrdiff_t>(offset), n,
                report.begin() + kContHeader);
    offset += n;
    out.reports.push_back(report);
  }
  if (touchDelay.count() > 0) {
    HidReport keepalive{};
    writeCid(keepalive, cid);
    keepalive[4] = ctaphid::kKeepalive | kFrameInit;
    keepalive[6] = 1;
    keepalive[kInitHeader] = ctaphid::kStatusUpNeeded;
    out.keepalive = keepalive;
    out.touchDelay = touchDelay;
  }
  outbox_.push_back(std::move(out));
}

void CtapHidDevice::replyError(uint32_t cid, uint8_t code) {
  const uint8_t payload[] = {code};
  reply(cid, ctaphid::kError, payload);
}

std::optional<HidReport> CtapHidDevice::read(int timeoutMs) {
  if (outbox_.empty()) return std::nullopt;
  Outgoing& front = outbox_.front();
  if (front.keepalive) {
    const HidReport keepalive = *front.keepalive;
    front.keepalive.reset();
    return keepalive;
  }
  if (front.touchDelay.count() > 0) {
    if (timeoutMs >= 0 && front.touchDelay > std::chrono::milliseconds(timeoutMs)) {
      // The user did not touch in time: the host gives up and the reply is lost.
      waiter_(std::chrono::milliseconds(timeoutMs));
      outbox_.pop_front();
      return std::nullopt;
    }
    waiter_(front.touchDelay);
    front.touchDelay = std::chrono::milliseconds(0);
  }
  const HidReport report = front.reports[front.next++];
  if (front.next == front.reports.size()) outbox_.pop_front();
  return report;
}

}  // namespace authd::testing
