#include "tests/cluster/fixture_cluster.hpp"

#include <catch2/catch.hpp>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_key.hpp"
#include "core/audit/audit_rows.hpp"
#include "native/raft/store_digest.hpp"
#include "tests/cluster/replica_checks.hpp"

namespace tally::testing {

namespace {

constexpr std::uint64_t kEpochUs = 1'700'000'000'000'000;

std::set<std::uint64_t> audited_indexes(const store::KeyValueStore& store) {
  std::set<std::uint64_t> indexes;
  Status scanned = store::scan_range(store, audit::audit_rows_begin(), audit::audit_rows_end(),
                                     [&](ByteView, ByteView value) {
                                       auto entry = audit::decode_audit_entry(value);
                                       REQUIRE(entry.ok());
                                       indexes.insert(entry->log_index);
                                       return true;
                                     });
  REQUIRE(scanned.ok());
  return indexes;
}

}  // namespace

FixtureCluster::FixtureCluster(const FixtureOptions& options) : options_(options) {
  REQUIRE(raft_fixture_initialize(&fixture_) == 0);
  for (unsigned i = 0; i < options.voters; ++i)
    add_node();
  struct raft_configuration configuration;
  REQUIRE(raft_fixture_configuration(&fixture_, options.voters, &configuration) == 0);
  REQUIRE(raft_fixture_bootstrap(&fixture_, &configuration) == 0);
  raft_configuration_close(&configuration);
  for (unsigned i = 0; i < options.voters; ++i) {
    struct raft* raft = raft_fixture_get(&fixture_, i);
    raft_set_snapshot_threshold(raft, options.snapshot_threshold);
    raft_set_snapshot_trailing(raft, options.snapshot_trailing);
    nodes_[i]->attach(raft);
  }
  REQUIRE(raft_fixture_start(&fixture_) == 0);
}

void FixtureCluster::add_node() {
  const unsigned i = static_cast<unsigned>(nodes_.size());
  replica::NodeConfig config;
  config.id = i + 1;
  config.fsm.rotation_threshold = options_.rotation_threshold;
  config.fsm.audit_key = audit::public_demo_audit_key();
  config.fsm.group_entries_max = options_.group_entries_max;
  config.in_flight_max = options_.in_flight_max;
  config.batch_entries_max = options_.batch_entries_max;
  config.batch_bytes_max = options_.batch_bytes_max;
  config.batches_in_flight_max = options_.batches_in_flight_max;
  config.snapshot_chunk_bytes = options_.snapshot_chunk_bytes;
  struct raft_fixture* f = &fixture_;
  config.clock_us = [f] { return kEpochUs + raft_fixture_time(f) * 1000; };
  std::unique_ptr<replica::StoreHost> host;
  if (options_.sqlite_dir != nullptr) {
    auto opened = replica::SqliteHost::open(
        options_.sqlite_dir->file("node-" + std::to_string(i + 1) + ".db"));
    REQUIRE(opened.ok());
    host = std::move(opened).value();
    memory_.push_back(nullptr);
  } else {
    auto opened = replica::MemoryHost::open();
    REQUIRE(opened.ok());
    memory_.push_back(&(*opened)->memory());
    host = std::move(opened).value();
  }
  auto node = replica::Node::open(std::move(config), std::move(host));
  REQUIRE(node.ok());
  nodes_.push_back(std::move(node).value());
  retired_.push_back(false);
  replica::declare_io_async_work(&fixture_.servers[fixture_.n].io);
  REQUIRE(raft_fixture_grow(&fixture_, nodes_.back()->fsm()) == 0);
  if (options_.pace_appends) {
    pacers_.push_back(std::make_unique<replica::AppendPacer>());
    pacers_.back()->install(raft_fixture_get(&fixture_, i)->io);
  }
}

unsigned FixtureCluster::grow() {
  add_node();
  const unsigned i = size() - 1;
  struct raft* raft = raft_fixture_get(&fixture_, i);
  raft_set_snapshot_threshold(raft, options_.snapshot_threshold);
  raft_set_snapshot_trailing(raft, options_.snapshot_trailing);
  nodes_[i]->attach(raft);
  if (raft_state(raft) == RAFT_UNAVAILABLE) REQUIRE(raft_start(raft) == 0);
  return i;
}

FixtureCluster::~FixtureCluster() {
  for (auto& node : nodes_)
    (void)node->stop();
  raft_fixture_close(&fixture_);
  for (auto& node : nodes_)
    node->closed();
}

unsigned FixtureCluster::leader() {
  for (unsigned i = 0; i < size(); ++i) {
    if (alive(i) && nodes_[i]->is_leader()) return i;
  }
  return size();
}

void FixtureCluster::isolate(unsigned i) {
  for (unsigned j = 0; j < size(); ++j) {
    if (j == i) continue;
    raft_fixture_disconnect(&fixture_, i, j);
    raft_fixture_disconnect(&fixture_, j, i);
  }
}

void FixtureCluster::reconnect(unsigned i) {
  for (unsigned j = 0; j < size(); ++j) {
    if (j == i) continue;
    raft_fixture_reconnect(&fixture_, i, j);
    raft_fixture_reconnect(&fixture_, j, i);
  }
}

void FixtureCluster::converge() {
  for (unsigned i = 0; i < size(); ++i) {
    if (retired_[i]) continue;
    if (!alive(i) && !nodes_[i]->failed()) revive(i);
    reconnect(i);
  }
  REQUIRE(raft_fixture_step_until_has_leader(&fixture_, 30000));
  // Settle: a new leader may still be appending its entries.
  raft_fixture_step_until_elapsed(&fixture_, 2000);
  REQUIRE(raft_fixture_step_until_has_leader(&fixture_, 30000));
  const raft_index last = raft_last_index(raft_fixture_get(&fixture_, leader()));
  for (unsigned i = 0; i < size(); ++i) {
    if (retired_[i]) continue;
    INFO("node " << i + 1 << " catching up to " << last);
    REQUIRE(raft_fixture_step_until_applied(&fixture_, i, last, 60000));
    REQUIRE(nodes_[i]->catch_up().ok());
    REQUIRE(nodes_[i]->commit_point().ok());
  }
}

void FixtureCluster::require_agreement(const std::set<std::uint64_t>& acknowledged) {
  unsigned first = 0;
  while (retired_[first])
    ++first;
  const std::string reference = digest_hex_of(*nodes_[first]);
  for (unsigned i = 0; i < size(); ++i) {
    if (retired_[i]) continue;
    replica::Node& node = *nodes_[i];
    REQUIRE(node.applied_index() == nodes_[first]->applied_index());
    require_replica_sound(node, reference);
    std::set<std::uint64_t> audited = audited_indexes(node.store());
    for (std::uint64_t index : acknowledged) {
      INFO("acknowledged index " << index);
      REQUIRE(audited.count(index) == 1);
    }
  }
}

WorkloadDriver::WorkloadDriver(FixtureCluster& cluster, std::uint64_t seed, std::size_t depth)
    : cluster_(&cluster), prng_(seed), workload_(prng_), depth_(depth) {
  setup_ = workload_.setup();
}

void WorkloadDriver::submit(unsigned leader) {
  plan::Request request;
  if (!setup_.empty()) {
    request = setup_.front();
  } else {
    request = workload_.next();
  }
  const bool setup = !setup_.empty();
  std::vector<domain::Order> orders = request.orders;
  cluster_->node(leader).submit(std::move(request), [this, orders, setup](replica::Reply reply) {
    if (reply.status != replica::Reply::Status::kApplied)
      ++reasons[std::string(code_name(reply.error->code))];
    switch (reply.status) {
      case replica::Reply::Status::kApplied:
        // Admission may refuse every order of a bulk: answered, nothing proposed or audited.
        if (reply.report->audit) acknowledged_.insert(reply.index);
        if (!reply.report->outcome.ok()) ++business_failures;
        workload_.observe(orders, reply.report->outcome);
        break;
      case replica::Reply::Status::kRetry: ++retried; break;
      case replica::Reply::Status::kUnknown: ++unknown; break;
      case replica::Reply::Status::kNotLeader: ++not_leader; break;
      case replica::Reply::Status::kRejected: ++rejected; break;
      case replica::Reply::Status::kFailed: FAIL("a node failed: " << reply.error->message);
    }
    (void)setup;
  });
  if (setup) setup_.erase(setup_.begin());
}

void WorkloadDriver::tick() {
  unsigned leader = cluster_->leader();
  if (leader < cluster_->size()) {
    while (cluster_->node(leader).in_flight() < depth_ && cluster_->node(leader).is_leader()) {
      std::size_t before = cluster_->node(leader).in_flight();
      submit(leader);
      if (cluster_->node(leader).in_flight() == before) break;  // answered at once
    }
  }
  cluster_->step();
}

void WorkloadDriver::run_until_acknowledged(std::size_t count, std::size_t max_steps) {
  const std::size_t target = acknowledged_.size() + count;
  for (std::size_t step = 0; acknowledged_.size() < target; ++step) {
    REQUIRE(step < max_steps);
    tick();
  }
}

}  // namespace tally::testing
