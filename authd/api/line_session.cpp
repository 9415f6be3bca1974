#include "authd/api/line_session.h"

#include "authd/api/error_answer.h"

namespace authd {

std::string tooLargeLineAnswer() {
  return errorAnswer(
             nullptr, protocol::error::kTooLarge,
             "request line longer than " + std::to_string(protocol::kMaxLineBytes) + " bytes")
             .dump() +
         "\n";
}

}  // namespace authd
