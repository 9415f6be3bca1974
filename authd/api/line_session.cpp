#include "authd/api/line_session.h"

namespace authd {

std::string tooLargeLineAnswer() {
  const nlohmann::json answer = {
      {"v", protocol::kVersion},
      {"id", nullptr},
      {"ok", false},
      {"error", protocol::error::kTooLarge},
      {"message",
       "request line longer than " + std::to_string(protocol::kMaxLineBytes) + " bytes"}};
  return answer.dump() + "\n";
}

}  // namespace authd
