#include "tests/support/samples.hpp"

#include "core/codec/order_codec.hpp"

namespace tally::testing {

namespace {

domain::Metadata sample_metadata() {
  return {{"a", domain::MetadataNull{}},
          {"b", std::string("text")},
          {"c", std::int64_t{-42}},
          {"d", true}};
}

domain::Posting sample_posting() {
  auto amount = domain::Amount::parse_decimal("123456789012345678901234567890");
  return {"world", "users:1", amount.value(), "USD/2"};
}

}  // namespace

domain::CreateTransaction with_account_metadata(domain::CreateTransaction create) {
  create.account_metadata = {{"users:1", sample_metadata()}, {"users:2", {{"k", true}}}};
  return create;
}

std::vector<domain::Order> sample_orders() {
  domain::CreateTransaction create{"main",           {sample_posting(), sample_posting()},
                                   "ref-1",          sample_metadata(),
                                   1700000000000000, true};
  domain::CreateTransaction scripted{"main", {}, "ref-2", sample_metadata(), std::nullopt, false};
  scripted.script =
      domain::Script{"vars { account $to }\nsend [USD/2 100] (source = @world destination = $to)",
                     {{"to", "users:2"}, {"unused", "x"}},
                     domain::ScriptRuntime::kExperimentalInterpreter};
  return {
      domain::CreateLedger{"main", sample_metadata()},
      domain::DeleteLedger{"main"},
      create,
      scripted,
      domain::RevertTransaction{"main", 7, true, true},
      domain::SetAccountMetadata{"main", "users:1", sample_metadata()},
      domain::DeleteAccountMetadata{"main", "users:1", "b"},
      domain::SetTransactionMetadata{"main", 7, sample_metadata()},
      domain::DeleteTransactionMetadata{"main", 7, "c"},
      domain::SetLedgerMetadata{"main", sample_metadata()},
      domain::DeleteLedgerMetadata{"main", "d"},
      domain::SetRotationThreshold{1000},
      with_account_metadata(create),
      domain::RevertTransaction{"main", 8, false, true, {{"why", std::string("refund")}}},
      with_account_metadata(scripted),
  };
}

domain::TransactionState sample_transaction() {
  return {3, {sample_posting()}, sample_metadata(), 1700000000000000, "ref-3", 4, 2};
}

plan::Proposal sample_proposal() {
  plan::Proposal proposal;
  for (const domain::Order& order : sample_orders()) {
    proposal.orders.push_back({order, Bytes{0x05}});
  }
  proposal.idempotency_key = "idem-1";
  proposal.timestamp_us = 1700000000000123;
  proposal.plan.base_index = 8;
  proposal.plan.epoch = 1;
  proposal.plan.predicted_index = 11;
  Bytes id(16, 0x11);
  proposal.plan.entries.push_back({1, id, 99, plan::EntrySource::kCacheHit, std::nullopt});
  id[15] = 0x12;
  proposal.plan.entries.push_back({2, id, 98, plan::EntrySource::kStoreSeed, Bytes{1, 2, 3}});
  proposal.plan.entries.push_back({3, id, 97, plan::EntrySource::kStoreAbsent, std::nullopt});
  return proposal;
}

audit::AuditEntry sample_audit_entry() {
  audit::AuditEntry entry;
  entry.sequence = 12;
  entry.log_index = 40;
  entry.timestamp_us = 1700000000000123;
  entry.idempotency_key = "idem-1";
  entry.outcome = domain::Outcome::success({{5, 6}, {std::nullopt, 7}});
  for (const domain::Order& order : sample_orders())
    entry.items.push_back(codec::encode_order(order));
  entry.previous_hash.fill(0xab);
  entry.hash.fill(0xcd);
  return entry;
}

plan::Proposal sample_per_order_proposal() {
  plan::Proposal proposal = sample_proposal();
  std::erase_if(proposal.orders, [](const plan::AdmittedOrder& admitted) {
    return std::holds_alternative<domain::SetRotationThreshold>(admitted.order);
  });  // no cluster configuration order among per-order orders
  proposal.idempotency_key.reset();
  proposal.mode = domain::BulkMode::kStopOnFailure;
  proposal.orders[1].idempotency_key = "order-1";
  proposal.orders[4].idempotency_key = "order-4";
  return proposal;
}

audit::AuditEntry sample_per_order_audit_entry() {
  audit::AuditEntry entry = sample_audit_entry();
  entry.idempotency_key.reset();
  entry.mode = domain::BulkMode::kContinueOnFailure;
  entry.items.resize(3);
  entry.order_keys = {std::string("k-0"), std::nullopt, std::string("k-2")};
  domain::Outcome replayed = domain::Outcome::success({{5, 6}});
  replayed.replay_of_sequence = 3;
  entry.outcome = domain::Outcome::each(
      {replayed, domain::Outcome::failure(0, make_error(Code::kAlreadyReverted, "twice")),
       domain::Outcome::not_applied()});
  return entry;
}

}  // namespace tally::testing
