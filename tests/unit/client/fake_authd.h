#pragma once
// A scripted stand-in for authd on a real Unix socket in a private temp directory: it accepts
// one connection per scripted reply, reads one request line, records it and answers with the
// reply, in which "{id}" is replaced by the request's id. Synchronisation is by join only.

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace authd::test {

class FakeAuthd {
 public:
  explicit FakeAuthd(std::vector<std::string> replies) : replies_(std::move(replies)) {
    char dir[] = "/tmp/authd-fake-XXXXXX";
    if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir;
    path_ = dir_ + "/s";
    listenFd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    if (listenFd_ < 0 || ::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listenFd_, 8) != 0) {
      throw std::runtime_error("cannot listen on " + path_);
    }
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeAuthd() {
    stop();
    std::filesystem::remove_all(dir_);
  }

  FakeAuthd(const FakeAuthd&) = delete;
  FakeAuthd& operator=(const FakeAuthd&) = delete;

  const std::string& path() const { return path_; }

  // Stops accepting, waits for the server thread and returns the request lines it received.
  const std::vector<std::string>& stop() {
    if (thread_.joinable()) {
      ::shutdown(listenFd_, SHUT_RDWR);  // wakes a blocked accept() when fewer calls came
      thread_.join();
      ::close(listenFd_);
    }
    return received_;
  }

 private:
  void serve() {
    for (const std::string& reply : replies_) {
      int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      answerOne(fd, reply);
      ::close(fd);
    }
  }

  void answerOne(int fd, std::string reply) {
    std::string line;
    char c = 0;
    while (::recv(fd, &c, 1, 0) == 1 && c != '\n') line.push_back(c);
    received_.push_back(line);
    auto request = nlohmann::json::parse(line, nullptr, false);
    std::string id = request.is_object() && request.contains("id") ? request["id"].dump() : "null";
    for (auto at = reply.find("{id}"); at != std::string::npos; at = reply.find("{id}")) {
      reply.replace(at, 4, id);
    }
    reply += "\n";
    (void)::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  std::vector<std::string> replies_;
  std::vector<std::string> received_;
  std::string dir_;
  std::string path_;
  int listenFd_ = -1;
  std::thread thread_;
};

}  // namespace authd::test
