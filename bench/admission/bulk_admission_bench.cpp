// Admission cost per order as a bulk of creates and reverts grows: a revert of a
// transaction admission cannot see must declare the volumes the bulk's transactions may
// move; declared once per bulk, the cost per order stays flat. A benchmark, not a test:
// it prints figures and asserts nothing about time.
//   tally-bench-admission [rounds]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/audit/audit_key.hpp"
#include "core/fsm/state_machine.hpp"
#include "core/plan/admission.hpp"
#include "core/store/memory_store.hpp"

namespace {

using namespace tally;

plan::Request bulk_of(std::size_t orders) {
  plan::Request request;
  std::size_t creates = orders / 2;
  for (std::size_t i = 0; i < creates; ++i) {
    domain::CreateTransaction create;
    create.ledger = "main";
    create.postings = {{"world", "users:" + std::to_string(i), domain::Amount::from_u64(1), "USD"}};
    request.orders.push_back(std::move(create));
  }
  for (std::size_t i = creates; i < orders; ++i) {
    request.orders.push_back(domain::RevertTransaction{"main", i - creates, false, false});
  }
  return request;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
  store::MemoryStore store;
  fsm::FsmOptions options;
  options.audit_key = audit::public_demo_audit_key();
  auto machine = fsm::StateMachine::open(store, options).value();
  plan::Request setup{{domain::CreateLedger{"main", {}}}, std::nullopt};
  auto created = plan::admit(setup, {machine->cache(), store, 1, 1}).value();
  (void)machine->apply(1, created).value();

  std::printf("bulk admission: half creates, half reverts of transactions the bulk creates\n");
  std::printf("%8s %14s %14s %10s\n", "orders", "plan entries", "ns per order", "vs 16");
  double base = 0;
  for (std::size_t orders : {16u, 32u, 64u, 128u, 256u}) {
    plan::Request request = bulk_of(orders);
    std::vector<double> per_order;
    std::size_t entries = 0;
    for (int round = 0; round < rounds; ++round) {
      auto start = std::chrono::steady_clock::now();
      auto proposal = plan::admit(request, {machine->cache(), store, 2, 2});
      auto stop = std::chrono::steady_clock::now();
      if (!proposal.ok()) {
        std::fprintf(stderr, "admission failed: %s\n", proposal.error().message.c_str());
        return 1;
      }
      entries = proposal->plan.entries.size();
      per_order.push_back(std::chrono::duration<double, std::nano>(stop - start).count() /
                          static_cast<double>(orders));
    }
    std::sort(per_order.begin(), per_order.end());
    double median = per_order[per_order.size() / 2];
    if (base == 0) base = median;
    std::printf("%8zu %14zu %14.0f %9.2fx\n", orders, entries, median, median / base);
  }
  return 0;
}
