// The simulator's workload: requests of every order kind, Numscript transfers included, over a
// deliberately small key space, so that deletes, re-saves, reverts, idempotency keys and
// script footprints collide all the time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/domain/outcome.hpp"
#include "core/plan/proposal.hpp"
#include "core/sim/prng.hpp"

namespace tally::sim {

class Workload {
 public:
  explicit Workload(Prng& prng) : prng_(&prng) {}

  // The requests that create the ledgers the workload writes to.
  std::vector<plan::Request> setup() const;
  plan::Request next();
  // Learns transaction ids from applied outcomes, so reverts and metadata aim at real ones.
  void observe(const std::vector<domain::Order>& orders, const domain::Outcome& outcome);

 private:
  domain::Order random_order();
  domain::Order transaction();
  domain::Order scripted_transaction();
  std::string script_text(std::uint64_t shape, const std::string& asset, const std::string& from,
                          const std::string& to, std::uint64_t amount) const;
  domain::Metadata metadata();
  const std::string& ledger();
  std::uint64_t transaction_id(const std::string& ledger);
  const char* pick(const std::vector<const char*>& from);
  void add_idempotency(plan::Request& request);
  plan::Request bulk();  // orders each with its outcome (domain/bulk.hpp), some with keys
  std::optional<std::string> order_key(domain::Order& order);

  Prng* prng_;
  std::map<std::string, std::uint64_t> transactions_;  // per ledger: ids seen so far
  std::vector<plan::Request> keyed_;                   // requests sent with a key, to replay
  // Orders sent with a key of their own in a bulk, to replay or to conflict with.
  std::vector<std::pair<domain::Order, std::string>> keyed_orders_;
  std::uint64_t next_key_ = 0;
};

}  // namespace tally::sim
