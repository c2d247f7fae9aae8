// What the seed-corpus writers share: their one argument, the corpus directory, and one
// file per seed named NAME-INDEX.
#pragma once

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace tally::fuzz {

// argv[1], or none (after printing the usage line) when there is not exactly one argument.
inline std::optional<std::string> corpus_dir(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return std::nullopt;
  }
  return std::string(argv[1]);
}

// Writes DIR/NAME-INDEX: head (a selector byte, or nothing), then body.
inline void write_seed(const std::string& dir, std::string_view name, int index,
                       std::string_view head, std::string_view body) {
  std::ofstream out(dir + "/" + std::string(name) + "-" + std::to_string(index), std::ios::binary);
  out.write(head.data(), static_cast<std::streamsize>(head.size()));
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
}

}  // namespace tally::fuzz
