#include "bench/workload.hpp"

namespace tally::bench {

std::string account_name(std::uint64_t account) {
  return "users:" + std::to_string(account);
}

std::vector<Transfer> draw_transfers(Prng& prng, std::uint64_t account_count, std::size_t count) {
  std::vector<Transfer> transfers;
  transfers.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t source = prng.below(account_count);
    std::uint64_t destination = prng.below(account_count - 1);
    if (destination >= source) ++destination;
    transfers.push_back({source, destination, 1 + prng.below(100)});
  }
  return transfers;
}

namespace {

domain::CreateTransaction scripted_transfer(const Transfer& transfer) {
  domain::CreateTransaction order;
  order.ledger = kLedger;
  order.script =
      domain::Script{kTransferScript,
                     {{"amount", std::string(kAsset) + " " + std::to_string(transfer.amount)},
                      {"from", account_name(transfer.source)},
                      {"to", account_name(transfer.destination)}},
                     domain::ScriptRuntime::kExperimentalInterpreter};
  return order;
}

}  // namespace

plan::Request make_request(const std::vector<Transfer>& transfers, std::size_t offset,
                           std::size_t bulk, std::size_t postings_per_tx, bool scripted) {
  plan::Request request;
  request.orders.reserve(bulk);
  for (std::size_t t = 0; t < bulk; ++t) {
    if (scripted) {
      request.orders.push_back(scripted_transfer(transfers[offset + t]));
      continue;
    }
    domain::CreateTransaction order;
    order.ledger = kLedger;
    for (std::size_t p = 0; p < postings_per_tx; ++p) {
      const Transfer& transfer = transfers[offset + t * postings_per_tx + p];
      order.postings.push_back({account_name(transfer.source), account_name(transfer.destination),
                                domain::Amount::from_u64(transfer.amount), kAsset});
    }
    request.orders.push_back(std::move(order));
  }
  return request;
}

}  // namespace tally::bench
