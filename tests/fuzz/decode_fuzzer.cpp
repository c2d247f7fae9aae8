// libFuzzer target: every decoder of untrusted bytes (docs/design.md §8). The first input byte
// picks the decoder; the rest is its input. A decoder must return an error or a value, never
// crash, hang or leak; a value it accepts must re-encode to exactly the input (one encoding
// per value), which catches decoders that accept more than the encoder can write. A proposal
// the decoder accepts must also go through apply without a crash: as it is (most
// are stale), and re-aimed at the next index so that validation, preload and the orders run.
// A trace file the reader accepts must also build a timeline that shows its steps.
#include <cstdint>
#include <cstdlib>

#include "core/audit/audit_entry.hpp"
#include "core/cache/cache_mirror.hpp"
#include "core/codec/order_codec.hpp"
#include "core/codec/proposal_codec.hpp"
#include "core/codec/value_codec.hpp"
#include "core/fsm/fsm_state.hpp"
#include "core/fsm/idempotency_record.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "core/sim/trace_reader.hpp"
#include "core/sim/trace_timeline.hpp"
#include "core/store/memory_store.hpp"
#include "core/store/packed_ops.hpp"

namespace {

using namespace tally;

template <class T, class Decode, class Encode>
void round_trip(ByteView input, Decode decode, Encode encode) {
  Result<T> decoded = decode(input);
  if (!decoded.ok()) return;
  Bytes again = encode(*decoded);
  if (!(ByteView(again) == input)) std::abort();  // a second encoding of one value
}

template <class T>
void value(ByteView input) {
  round_trip<T>(input, codec::ValueCodec<T>::decode, codec::ValueCodec<T>::encode);
}

// A node holding a ledger "main" with one transfer, then the proposal at index 3. Apply may
// refuse it, reject it or stop the machine with an error; it must never abort.
void apply_untrusted(const plan::Proposal& decoded) {
  for (bool aimed : {false, true}) {
    store::MemoryStore store;
    fsm::FsmOptions options;
    options.audit_key = audit::public_demo_audit_key();
    options.rotation_threshold = 2;
    auto machine = fsm::StateMachine::open(store, options).value();
    domain::CreateTransaction pay;
    pay.ledger = "main";
    pay.postings = {{"world", "a", domain::Amount::from_u64(5), "USD"}};
    plan::Request setup[] = {{{domain::CreateLedger{"main", {}}}, std::nullopt},
                             {{pay}, std::nullopt}};
    for (std::uint64_t index = 1; index <= 2; ++index) {
      auto proposal = plan::admit(setup[index - 1], {machine->cache(), store, index, index});
      if (!proposal.ok() || !machine->apply(index, *proposal).ok()) std::abort();
    }
    plan::Proposal proposal = decoded;
    if (aimed) {
      proposal.plan.predicted_index = 3;
      proposal.plan.epoch = machine->cache().epoch();
      proposal.plan.base_index = machine->cache().gen0_base_index();
    }
    (void)machine->apply(3, proposal);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ByteView input(data + 1, size - 1);
  switch (data[0] % 13) {
    case 0: {
      round_trip<plan::Proposal>(input, codec::decode_proposal, codec::encode_proposal);
      auto decoded = codec::decode_proposal(input);
      if (decoded.ok()) apply_untrusted(*decoded);
      break;
    }
    case 1: round_trip<domain::Order>(input, codec::decode_order, codec::encode_order); break;
    case 2:
      round_trip<std::vector<domain::Order>>(input, codec::decode_orders, codec::encode_orders);
      break;
    case 3: value<domain::TransactionState>(input); break;
    case 4: value<domain::Volume>(input); break;
    case 5: value<domain::Metadata>(input); break;
    case 6: value<domain::LedgerInfo>(input); break;
    case 7:
      round_trip<audit::AuditEntry>(input, audit::decode_audit_entry, audit::encode_audit_entry);
      break;
    case 8: round_trip<fsm::FsmState>(input, fsm::decode_fsm_state, fsm::encode_fsm_state); break;
    case 9:
      round_trip<fsm::IdempotencyRecord>(input, fsm::decode_idempotency_record,
                                         fsm::encode_idempotency_record);
      break;
    case 10: {
      auto file =
          sim::read_trace(std::string_view(reinterpret_cast<const char*>(input.data), input.size));
      if (!file.ok() || file->steps.empty()) break;
      sim::TraceTimeline timeline(std::move(file).value());
      (void)timeline.state_at(0);
      (void)timeline.state_at(timeline.size() - 1);
      break;
    }
    case 12: {
      // A SQLite generation table's pack: what decodes re-packs to the same bytes.
      auto ops = store::unpack_ops(input);
      if (!ops.ok()) break;
      Bytes again;
      for (const store::PackedOp& op : *ops) {
        if (op.put) {
          store::pack_put(again, op.key, op.value);
        } else {
          store::pack_delete(again, op.key);
        }
      }
      if (!(ByteView(again) == input)) std::abort();
      break;
    }
    default: {
      // A cache mirror row: key and value split at the first byte's position.
      if (input.size < 1) return 0;
      std::size_t split = input[0] % (input.size);
      ByteView rest = input.sub(1, input.size - 1);
      split = std::min(split, rest.size);
      Bytes key{0x02};
      append(key, rest.sub(0, split));
      auto row = cache::decode_cache_row(key, rest.sub(split, rest.size - split));
      if (row.ok() &&
          !(ByteView(cache::cache_row_value(row->entry)) == rest.sub(split, rest.size - split))) {
        std::abort();
      }
      (void)cache::decode_cache_meta(input);
    }
  }
  return 0;
}
