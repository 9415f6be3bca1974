#pragma once
// Debian 12's libldap (2.5.13) runs the TLS handshake (ldaps:// and after StartTLS) in a loop
// without a deadline: with LDAP_OPT_NETWORK_TIMEOUT set it spins at 100% CPU for ever on a server
// that accepted TCP and then stays silent; without it, it blocks for ever. This sockbuf layer
// sits below TLS on every socket libldap opens for a handle and bounds each read and write: the
// socket must become ready within `timeoutMs`, else the call fails with ETIMEDOUT, which GnuTLS
// and liblber both treat as a broken connection. Writes use MSG_NOSIGNAL: a dropped connection
// never raises SIGPIPE.

#include <ldap.h>

namespace authd {

class SocketDeadline {
 public:
  explicit SocketDeadline(int timeoutMs) : timeoutMs_(timeoutMs) {}
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // Adds the layer to every connection `handle` opens from now on (LDAP_OPT_CONNECT_CB; libldap
  // keeps a pointer: this object must outlive the handle). False when libldap refused.
  bool install(LDAP* handle);

 private:
  static int onConnect(LDAP* handle, Sockbuf* socket, LDAPURLDesc* server, sockaddr* address,
                       ldap_conncb* callback);
  static void onDisconnect(LDAP* handle, Sockbuf* socket, ldap_conncb* callback);

  int timeoutMs_;
  ldap_conncb callback_{};
};

}  // namespace authd
