// Writes a seed corpus for entry_fuzzer: wire entries of every sample order, the sample
// proposal, a no-op. Usage: tally-entry-corpus DIR
#include <string>

#include "native/codec/entry_codec.hpp"
#include "native/codec/snapshot_codec.hpp"
#include "tests/fuzz/seed_corpus.hpp"
#include "tests/support/samples.hpp"

namespace {

void write(const std::string& dir, int index, const tally::Bytes& body) {
  tally::fuzz::write_seed(dir, "entry", index, {},
                          {reinterpret_cast<const char*>(body.data()), body.size()});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tally;
  const auto corpus = fuzz::corpus_dir(argc, argv);
  if (!corpus) return 2;
  const std::string& dir = *corpus;
  int n = 0;
  write(dir, n++, wire::encode_entry({testing::sample_proposal(), 1}));
  write(dir, n++, wire::encode_entry({testing::sample_per_order_proposal(), 1}));
  write(dir, n++, wire::encode_entry({std::nullopt, 2}));
  for (const domain::Order& order : testing::sample_orders()) {
    plan::Proposal proposal;
    proposal.orders.push_back({order, Bytes{1}});
    write(dir, n++, wire::encode_entry({proposal, 3}));
  }
  // Snapshots for the same target's snapshot reader: format 2 (an envelope and three small
  // chunks) and format 1 (the image inside the envelope).
  const Bytes image = wire::encode_rows({{Bytes{1, 2}, Bytes{3}}, {Bytes{4}, Bytes(40, 5)}});
  wire::SnapshotHeader header;
  header.applied_index = 9;
  header.term = 2;
  header.image_kind = wire::ImageKind::kRows;
  header.image_bytes = image.size();
  header.chunk_bytes = 24;
  header.chunk_count =
      static_cast<std::uint32_t>(wire::snapshot_chunk_count(image.size(), header.chunk_bytes));
  header.image_digest = crypto::sha256(image);
  Bytes chunked = wire::encode_snapshot_header(header);
  chunked.insert(chunked.end(), image.begin(), image.end());
  write(dir, n++, chunked);
  write(dir, n++, wire::encode_single_snapshot(header, image));
  return 0;
}
