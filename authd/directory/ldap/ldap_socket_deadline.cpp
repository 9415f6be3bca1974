#include "authd/directory/ldap/ldap_socket_deadline.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

namespace authd {

namespace {

// Just above the TCP provider, below TLS (LBER_SBIOD_LEVEL_TRANSPORT).
constexpr int kLayerLevel = LBER_SBIOD_LEVEL_PROVIDER + 1;

int socketOf(Sockbuf_IO_Desc* layer) {
  ber_socket_t fd = -1;
  if (ber_sockbuf_ctrl(layer->sbiod_sb, LBER_SB_OPT_GET_FD, &fd) != 1) return -1;
  return fd;
}

// Waits until `fd` is ready for `events` or `timeoutMs` passed (errno = ETIMEDOUT).
bool waitUntilReady(Sockbuf_IO_Desc* layer, int fd, short events) {
  if (fd < 0) {
    errno = EBADF;
    return false;
  }
  int timeoutMs = *static_cast<const int*>(layer->sbiod_pvt);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd socket{fd, events, 0};
    int ready = ::poll(&socket, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (ready > 0) return true;  // ready, or an error the next layer will report
    if (ready == 0) {
      errno = ETIMEDOUT;
      return false;
    }
    if (errno != EINTR) return false;
  }
}

int layerSetup(Sockbuf_IO_Desc* layer, void* timeoutMs) {
  layer->sbiod_pvt = timeoutMs;
  return 0;
}

int layerRemove(Sockbuf_IO_Desc*) { return 0; }

int layerControl(Sockbuf_IO_Desc* layer, int option, void* argument) {
  return LBER_SBIOD_CTRL_NEXT(layer, option, argument);
}

ber_slen_t layerRead(Sockbuf_IO_Desc* layer, void* buffer, ber_len_t size) {
  bool buffered = LBER_SBIOD_CTRL_NEXT(layer, LBER_SB_OPT_DATA_READY, nullptr) > 0;
  if (!buffered && !waitUntilReady(layer, socketOf(layer), POLLIN)) return -1;
  return LBER_SBIOD_READ_NEXT(layer, buffer, size);
}

// Sends itself instead of through the TCP layer (which uses write()): MSG_NOSIGNAL turns a
// write to a connection the server dropped into EPIPE rather than a SIGPIPE for the process.
ber_slen_t layerWrite(Sockbuf_IO_Desc* layer, void* buffer, ber_len_t size) {
  int fd = socketOf(layer);
  if (!waitUntilReady(layer, fd, POLLOUT)) return -1;
  return ::send(fd, buffer, size, MSG_NOSIGNAL);
}

int layerClose(Sockbuf_IO_Desc*) { return 0; }

Sockbuf_IO deadlineLayer = {&layerSetup, &layerRemove, &layerControl,
                            &layerRead,  &layerWrite,  &layerClose};

}  // namespace

bool SocketDeadline::install(LDAP* handle) {
  callback_ = {&SocketDeadline::onConnect, &SocketDeadline::onDisconnect, &timeoutMs_};
  return ldap_set_option(handle, LDAP_OPT_CONNECT_CB, &callback_) == LDAP_OPT_SUCCESS;
}

int SocketDeadline::onConnect(LDAP*, Sockbuf* socket, LDAPURLDesc*, sockaddr*,
                              ldap_conncb* callback) {
  if (ber_sockbuf_add_io(socket, &deadlineLayer, kLayerLevel, callback->lc_arg) != 0) {
    return LDAP_LOCAL_ERROR;
  }
  return LDAP_SUCCESS;
}

void SocketDeadline::onDisconnect(LDAP*, Sockbuf*, ldap_conncb*) {}

}  // namespace authd
