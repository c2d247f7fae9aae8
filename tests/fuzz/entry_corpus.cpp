// Writes a seed corpus for entry_fuzzer: wire entries of every sample order, the sample
// proposal, a no-op. Usage: tally-entry-corpus DIR
#include <cstdio>
#include <fstream>
#include <string>

#include "native/codec/entry_codec.hpp"
#include "tests/support/samples.hpp"

namespace {

void write(const std::string& dir, int index, const tally::Bytes& body) {
  std::ofstream out(dir + "/entry-" + std::to_string(index), std::ios::binary);
  out.write(reinterpret_cast<const char*>(body.data()), static_cast<std::streamsize>(body.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  using namespace tally;
  std::string dir = argv[1];
  int n = 0;
  write(dir, n++, wire::encode_entry({testing::sample_proposal(), 1}));
  write(dir, n++, wire::encode_entry({std::nullopt, 2}));
  for (const domain::Order& order : testing::sample_orders()) {
    plan::Proposal proposal;
    proposal.orders.push_back({order, Bytes{1}});
    write(dir, n++, wire::encode_entry({proposal, 3}));
  }
  return 0;
}
