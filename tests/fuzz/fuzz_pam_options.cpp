// Fuzzes the PAM module's argument parser: the input is split at NUL bytes into argv words.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pam_module/options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (c == '\0') {
      words.push_back(word);
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  words.push_back(word);
  if (words.size() > 64) return 0;
  std::vector<const char*> argv;
  for (const auto& w : words) argv.push_back(w.c_str());
  std::string error;
  auto options = authd::pam::parseOptions(argv, &error);
  if (!options && error.empty()) __builtin_trap();
  if (options && (options->timeout < authd::pam::kMinTimeout ||
                  options->timeout > authd::pam::kMaxTimeout)) {
    __builtin_trap();
  }
  return 0;
}
