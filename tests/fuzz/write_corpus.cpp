// Writes a seed corpus for decode_fuzzer: one valid encoding of every sample value, prefixed
// with the byte that selects its decoder, and a short simulator trace. Usage:
// tally-fuzz-corpus DIR
#include <string>

#include "core/audit/audit_entry.hpp"
#include "core/codec/order_codec.hpp"
#include "core/codec/proposal_codec.hpp"
#include "core/codec/value_codec.hpp"
#include "core/sim/simulator.hpp"
#include "core/sim/trace_file.hpp"
#include "core/store/packed_ops.hpp"
#include "tests/fuzz/seed_corpus.hpp"
#include "tests/support/samples.hpp"

namespace {

void write(const std::string& dir, int index, std::uint8_t selector, const tally::Bytes& body) {
  const char head = static_cast<char>(selector);
  tally::fuzz::write_seed(dir, "seed", index, {&head, 1},
                          {reinterpret_cast<const char*>(body.data()), body.size()});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tally;
  const auto corpus = fuzz::corpus_dir(argc, argv);
  if (!corpus) return 2;
  const std::string& dir = *corpus;
  int n = 0;
  write(dir, n++, 0, codec::encode_proposal(testing::sample_proposal()));
  for (const domain::Order& order : testing::sample_orders()) {
    write(dir, n++, 1, codec::encode_order(order));
  }
  write(dir, n++, 2, codec::encode_orders(testing::sample_orders()));
  write(dir, n++, 3,
        codec::ValueCodec<domain::TransactionState>::encode(testing::sample_transaction()));
  write(dir, n++, 4, codec::ValueCodec<domain::Volume>::encode({domain::Amount::max(), {}}));
  write(dir, n++, 5, codec::ValueCodec<domain::Metadata>::encode({{"k", true}}));
  write(dir, n++, 6, codec::ValueCodec<domain::LedgerInfo>::encode({"main", 1, false, 0}));
  write(dir, n++, 7, audit::encode_audit_entry(testing::sample_audit_entry()));
  write(dir, n++, 0, codec::encode_proposal(testing::sample_per_order_proposal()));
  write(dir, n++, 7, audit::encode_audit_entry(testing::sample_per_order_audit_entry()));
  sim::SimOptions run;  // a short simulator trace, as tally-sim export writes it
  run.seed = 3;
  run.steps = 40;
  run.record_rows = true;
  const std::string trace = sim::trace_file_json(*sim::simulate(run).recording);
  write(dir, n++, 10, Bytes(trace.begin(), trace.end()));
  Bytes pack;  // a generation table's pack: a put and a delete
  store::pack_put(pack, Bytes{2, 0, 1, 7}, Bytes{1, 2, 3});
  store::pack_delete(pack, Bytes{2, 0, 1, 8});
  write(dir, n++, 12, pack);
  std::printf("wrote %d seeds to %s\n", n, dir.c_str());
  return 0;
}
