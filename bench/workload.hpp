// The benchmark's workload: N funded accounts in one ledger and transfers between accounts
// drawn by a seeded PRNG, so every run and every configuration sees the same sequence.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/plan/proposal.hpp"

namespace tally::bench {

inline constexpr const char* kLedger = "main";
inline constexpr const char* kAsset = "USD/2";
inline constexpr std::uint64_t kOpeningBalance = 1'000'000'000'000ULL;  // never overdrawn here

// splitmix64: small, fast, deterministic.
class Prng {
 public:
  explicit Prng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

 private:
  std::uint64_t state_;
};

std::string account_name(std::uint64_t account);

// One transfer between two distinct accounts.
struct Transfer {
  std::uint64_t source;
  std::uint64_t destination;
  std::uint64_t amount;
};

// transfers_per_tx postings per transaction, drawn from accounts in [0, account_count).
std::vector<Transfer> draw_transfers(Prng& prng, std::uint64_t account_count, std::size_t count);

// A request of bulk CreateTransaction orders, postings_per_tx postings each, taken from
// transfers starting at offset. scripted: each transaction is kTransferScript with its
// transfer as variables (postings_per_tx must be 1).
plan::Request make_request(const std::vector<Transfer>& transfers, std::size_t offset,
                           std::size_t bulk, std::size_t postings_per_tx, bool scripted = false);

// A client's transfer template: one text for every transfer, so it is parsed once.
inline constexpr const char* kTransferScript =
    "vars {\n  account $from\n  account $to\n  monetary $amount\n}\n"
    "send $amount (\n  source = $from\n  destination = $to\n)\n";

}  // namespace tally::bench
