#include "core/codec/proposal_codec.hpp"

#include "core/codec/domain_fields.hpp"
#include "core/codec/order_codec.hpp"
#include "core/limits.hpp"

namespace tally::codec {

namespace {

void write_plan(Writer& w, const plan::Plan& p) {
  w.u64(p.base_index);
  w.u64(p.epoch);
  w.u64(p.predicted_index);
  w.u32(static_cast<std::uint32_t>(p.entries.size()));
  for (const plan::PlanEntry& e : p.entries) {
    w.u8(e.kind);
    w.bytes(e.id);
    w.u64(e.tag);
    w.u8(static_cast<std::uint8_t>(e.source));
    w.optional(e.seed, [&](const Bytes& seed) { w.bytes(seed); });
  }
}

plan::Plan read_plan(Reader& r) {
  plan::Plan p;
  p.base_index = r.u64();
  p.epoch = r.u64();
  p.predicted_index = r.u64();
  std::uint32_t n = r.count(limits::kPlanEntriesMax, 15);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    plan::PlanEntry e;
    e.kind = r.u8();
    e.id = r.bytes();
    e.tag = r.u64();
    std::uint8_t source = r.u8();
    if (source > static_cast<std::uint8_t>(plan::EntrySource::kStoreAbsent)) {
      r.fail("unknown plan entry source " + std::to_string(source));
    }
    e.source = static_cast<plan::EntrySource>(source);
    if (r.has_value()) e.seed = r.bytes();
    p.entries.push_back(std::move(e));
  }
  return p;
}

}  // namespace

Bytes encode_proposal(const plan::Proposal& proposal) {
  Writer w;
  w.u8(kProposalFormat);
  w.u32(static_cast<std::uint32_t>(proposal.orders.size()));
  for (const plan::AdmittedOrder& admitted : proposal.orders) {
    w.bytes(encode_order(admitted.order));
    w.bytes(admitted.coverage_bits);
  }
  write_optional_string(w, proposal.idempotency_key);
  w.u64(proposal.timestamp_us);
  write_plan(w, proposal.plan);
  return w.take();
}

Result<plan::Proposal> decode_proposal(ByteView bytes) {
  Reader r(bytes, "proposal");
  expect_format(r, kProposalFormat);
  plan::Proposal proposal;
  std::uint32_t n = r.count(limits::kOrdersPerProposalMax, 8);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    Bytes order_bytes = r.bytes();
    Bytes coverage = r.bytes();
    if (!r.ok()) break;
    auto order = decode_order(order_bytes);
    if (!order.ok()) return std::move(order).error();
    proposal.orders.push_back({std::move(order).value(), std::move(coverage)});
  }
  proposal.idempotency_key = read_optional_string(r);
  proposal.timestamp_us = r.u64();
  proposal.plan = read_plan(r);
  TALLY_TRY(r.finish());
  return proposal;
}

}  // namespace tally::codec
