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

// Format 2 adds each order's key and the bulk mode; a proposal answering one outcome for all
// is still written in format 1.
Bytes encode_proposal(const plan::Proposal& proposal) {
  const bool per_order = plan::answers_per_order(proposal);
  Writer w;
  w.u8(per_order ? kProposalPerOrderFormat : kProposalFormat);
  w.u32(static_cast<std::uint32_t>(proposal.orders.size()));
  for (const plan::AdmittedOrder& admitted : proposal.orders) {
    w.bytes(encode_order(admitted.order));
    w.bytes(admitted.coverage_bits);
    if (per_order) write_optional_string(w, admitted.idempotency_key);
  }
  write_optional_string(w, proposal.idempotency_key);
  w.u64(proposal.timestamp_us);
  write_plan(w, proposal.plan);
  if (per_order) w.u8(static_cast<std::uint8_t>(proposal.mode));
  return w.take();
}

Result<plan::Proposal> decode_proposal(ByteView bytes) {
  Reader r(bytes, "proposal");
  const std::uint8_t format = r.u8();
  const bool per_order = format == kProposalPerOrderFormat;
  if (format != kProposalFormat && !per_order) {
    r.fail("unknown proposal format " + std::to_string(format));
  }
  plan::Proposal proposal;
  std::uint32_t n = r.count(limits::kOrdersPerProposalMax, 8);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    Bytes order_bytes = r.bytes();
    Bytes coverage = r.bytes();
    std::optional<std::string> key;
    if (per_order) key = read_optional_string(r);
    if (!r.ok()) break;
    auto order = decode_order(order_bytes);
    if (!order.ok()) return std::move(order).error();
    proposal.orders.push_back({std::move(order).value(), std::move(coverage), std::move(key)});
  }
  proposal.idempotency_key = read_optional_string(r);
  proposal.timestamp_us = r.u64();
  proposal.plan = read_plan(r);
  if (per_order) {
    auto mode = domain::bulk_mode_from_byte(r.u8());
    if (!mode) r.fail("unknown bulk mode");
    proposal.mode = mode.value_or(domain::BulkMode::kAtomic);
  }
  TALLY_TRY(r.finish());
  // One encoding per proposal: format 2 only for what answers per order.
  if (per_order != plan::answers_per_order(proposal)) {
    return make_error(Code::kCorrupt, "proposal: format " + std::to_string(format) +
                                          " for a proposal of the other kind");
  }
  return proposal;
}

}  // namespace tally::codec
