#include "core/sim/workload.hpp"

namespace tally::sim {

namespace {

const std::vector<std::string> kLedgers = {"main", "side"};
const std::vector<const char*> kAccounts = {"world", "a", "b", "c", "d:1"};
const std::vector<const char*> kAssets = {"USD", "EUR/2"};
const std::vector<const char*> kKeys = {"k1", "k2", "k3"};
const std::vector<const char*> kReferences = {"r1", "r2", "r3", "r4"};

}  // namespace

std::vector<plan::Request> Workload::setup() const {
  std::vector<plan::Request> requests;
  for (const std::string& ledger : kLedgers) {
    requests.push_back({{domain::CreateLedger{ledger, {}}}, std::nullopt});
  }
  return requests;
}

const char* Workload::pick(const std::vector<const char*>& from) {
  return from[prng_->below(from.size())];
}

const std::string& Workload::ledger() {
  // The side ledger sees a tenth of the traffic, and may be deleted.
  return prng_->chance(90) ? kLedgers[0] : kLedgers[1];
}

std::uint64_t Workload::transaction_id(const std::string& ledger) {
  // Mostly existing transactions, sometimes one just ahead (in flight, or unknown).
  return prng_->below(transactions_[ledger] + 2);
}

domain::Metadata Workload::metadata() {
  domain::Metadata out;
  std::uint64_t count = 1 + prng_->below(2);
  // One draw per statement: C++ leaves the order of an overloaded operator's operands
  // unspecified, and GCC and Clang (hence WebAssembly) differ (docs/toolchain.md).
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t type = prng_->below(4);
    domain::MetadataValue value = domain::MetadataNull{};
    if (type == 1) value = std::string("v") + std::to_string(prng_->below(5));
    if (type == 2) value = static_cast<std::int64_t>(prng_->below(100)) - 50;
    if (type == 3) value = prng_->chance(50);
    const char* key = pick(kKeys);  // after the value: the order GCC chose before this was fixed
    out[key] = std::move(value);
  }
  return out;
}

// Numscript transfers of six shapes over the same accounts and assets: plain, cascading with
// an overdraft and an allotment, metadata-driven (the destination is whatever account
// metadata k1 holds, so in-flight metadata orders move the footprint), send-all with a cap and
// kept funds, setting account and transaction metadata, and save with balance().
std::string Workload::script_text(std::uint64_t shape, const std::string& asset,
                                  const std::string& from, const std::string& to,
                                  std::uint64_t amount) const {
  std::string sent = "[" + asset + " " + std::to_string(amount) + "]";
  switch (shape) {
    case 0:
      return "vars { account $from account $to }\nsend " + sent +
             " (source = $from destination = $to)";
    case 1:
      return "send " + sent + " (\n  source = { @" + from + " allowing overdraft up to [" + asset +
             " 5] @world }\n  destination = { 1/3 to @" + to + " remaining to @b }\n)";
    case 2:  // from holds the account to pay in its metadata k1 ("a": the usual router)
      return "vars { account $to = meta(@" + from + ", \"k1\") }\nsend " + sent +
             " (source = @world destination = $to)";
    case 3:
      return "send [" + asset + " *] (source = @" + from + " destination = { max [" + asset +
             " 7] to @" + to + " remaining kept })";
    case 4:
      return "send " + sent + " (source = @world destination = @" + to + ")\nset_account_meta(@" +
             to + ", \"k2\", " + sent + ")\nset_tx_meta(\"k1\", @" + from + ")";
    default:
      return "vars { monetary $held = balance(@" + from + ", " + asset + ") }\nsave [" + asset +
             " 2] from @" + from + "\nsend " + sent + " (source = { @" + from +
             " @world } destination = @" + to + ")\nset_tx_meta(\"held\", $held)";
  }
}

domain::Order Workload::scripted_transaction() {
  domain::CreateTransaction order;
  order.ledger = ledger();
  // One draw per statement (docs/toolchain.md: argument evaluation order differs across compilers).
  std::uint64_t shape = prng_->below(8);
  if (shape >= 6) shape = 2;  // metadata-driven, the shape in-flight orders can make stale
  std::string asset = pick(kAssets);
  std::string from = shape == 2 && prng_->chance(70) ? std::string("a") : pick(kAccounts);
  std::string to = pick(kAccounts);
  std::uint64_t amount = prng_->below(30);
  domain::Script script;
  script.plain = script_text(shape, asset, from, to, amount);
  if (shape == 0) script.vars = {{"from", from}, {"to", to}};
  script.runtime = prng_->chance(50) ? domain::ScriptRuntime::kMachine
                                     : domain::ScriptRuntime::kExperimentalInterpreter;
  order.script = std::move(script);
  if (prng_->chance(15)) order.reference = pick(kReferences) + std::string("s");
  if (prng_->chance(20)) order.metadata = metadata();
  return order;
}

domain::Order Workload::transaction() {
  if (prng_->chance(25)) return scripted_transaction();
  domain::CreateTransaction order;
  order.ledger = ledger();
  std::uint64_t postings = 1 + prng_->below(3);
  for (std::uint64_t i = 0; i < postings; ++i) {
    order.postings.push_back({prng_->chance(40) ? "world" : pick(kAccounts), pick(kAccounts),
                              domain::Amount::from_u64(prng_->below(30)), pick(kAssets)});
  }
  if (prng_->chance(15)) {
    std::string suffix = std::to_string(prng_->below(8));  // the suffix first, as GCC drew it
    order.reference = pick(kReferences) + suffix;
  }
  if (prng_->chance(20)) order.metadata = metadata();
  if (prng_->chance(10)) order.timestamp_us = 1'600'000'000'000'000 + prng_->below(1000);
  order.force = prng_->chance(10);
  return order;
}

domain::Order Workload::random_order() {
  std::uint64_t roll = prng_->below(1000);
  const std::string& l = ledger();
  if (roll < 400) return transaction();
  if (roll < 500) {
    return domain::RevertTransaction{l, transaction_id(l), prng_->chance(30), prng_->chance(30)};
  }
  if (roll < 600) {
    // Often a re-pointing of the router "a", which metadata-driven scripts in flight read.
    if (prng_->chance(30)) {
      std::string target = "v" + std::to_string(prng_->below(3));
      return domain::SetAccountMetadata{l, "a", {{"k1", target}}};
    }
    return domain::SetAccountMetadata{l, pick(kAccounts), metadata()};
  }
  if (roll < 720) return domain::DeleteAccountMetadata{l, pick(kAccounts), pick(kKeys)};
  if (roll < 770) return domain::SetTransactionMetadata{l, transaction_id(l), metadata()};
  if (roll < 810) return domain::DeleteTransactionMetadata{l, transaction_id(l), pick(kKeys)};
  if (roll < 850) return domain::SetLedgerMetadata{l, metadata()};
  if (roll < 880) return domain::DeleteLedgerMetadata{l, pick(kKeys)};
  if (roll < 890) return domain::CreateLedger{kLedgers[prng_->below(kLedgers.size())], metadata()};
  if (roll < 893) return domain::DeleteLedger{"side"};
  return transaction();
}

void Workload::add_idempotency(plan::Request& request) {
  std::uint64_t roll = prng_->below(100);
  if (roll < 10) {
    request.idempotency_key = "idem-" + std::to_string(next_key_++);
    keyed_.push_back(request);
    if (keyed_.size() > 16) keyed_.erase(keyed_.begin());
  } else if (roll < 14 && !keyed_.empty()) {
    request = keyed_[prng_->below(keyed_.size())];  // a client retry: same key, same intent
  } else if (roll < 16 && !keyed_.empty()) {
    request.idempotency_key = keyed_[prng_->below(keyed_.size())].idempotency_key;  // conflict
  }
}

// A key for an order of a bulk: none, a new one, or one used before with the same order (a
// retry: the order is replaced by the remembered one) or with another (a conflict).
std::optional<std::string> Workload::order_key(domain::Order& order) {
  std::uint64_t roll = prng_->below(100);
  if (roll < 25) {
    std::string key = "order-" + std::to_string(next_key_++);
    keyed_orders_.emplace_back(order, key);
    if (keyed_orders_.size() > 16) keyed_orders_.erase(keyed_orders_.begin());
    return key;
  }
  if (roll < 40 && !keyed_orders_.empty()) {
    const auto& [remembered, key] = keyed_orders_[prng_->below(keyed_orders_.size())];
    if (roll < 33) order = remembered;
    return key;
  }
  return std::nullopt;
}

plan::Request Workload::bulk() {
  plan::Request request;
  std::uint64_t mode = prng_->below(3);
  request.mode = mode == 0   ? domain::BulkMode::kAtomic
                 : mode == 1 ? domain::BulkMode::kContinueOnFailure
                             : domain::BulkMode::kStopOnFailure;
  std::uint64_t orders = 2 + prng_->below(4);
  domain::OrderKeys keys;
  for (std::uint64_t i = 0; i < orders; ++i) {
    domain::Order order = random_order();
    std::optional<std::string> key = order_key(order);
    for (const auto& used : keys) {
      if (key && used == key) key.reset();  // one order per key in a request
    }
    request.orders.push_back(std::move(order));
    keys.push_back(std::move(key));
  }
  for (const auto& key : keys) {
    if (key) request.order_keys = keys;
  }
  return request;
}

plan::Request Workload::next() {
  plan::Request request;
  if (prng_->chance(1)) {
    request.orders.push_back(domain::SetRotationThreshold{2 + prng_->below(7)});
    return request;
  }
  if (prng_->chance(8)) return bulk();
  std::uint64_t orders = prng_->chance(10) ? 2 + prng_->below(2) : 1;
  for (std::uint64_t i = 0; i < orders; ++i)
    request.orders.push_back(random_order());
  add_idempotency(request);
  return request;
}

void Workload::observe(const std::vector<domain::Order>& orders, const domain::Outcome& outcome) {
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const std::string* l = domain::order_ledger(orders[i]);
    const auto result = domain::result_of(outcome, i);
    if (l != nullptr && result && result->transaction_id) {
      transactions_[*l] = std::max(transactions_[*l], *result->transaction_id + 1);
    }
  }
}

}  // namespace tally::sim
