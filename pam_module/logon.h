#pragma once
// Context of one logon, from PAM items. Not secret; sent to authd for its audit log.

#include <string>

namespace authd::pam {

struct Logon {
  std::string user;
  std::string service;
  std::string rhost;
  std::string tty;
};

}  // namespace authd::pam
