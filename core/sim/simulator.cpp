#include "core/sim/simulator.hpp"

#include <algorithm>

#include "core/cache/parity.hpp"
#include "core/check/checker.hpp"
#include "core/check/reference_ledger.hpp"
#include "core/check/row_description.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/sim/cluster.hpp"
#include "core/sim/node_snapshot.hpp"
#include "core/sim/proposal_view.hpp"
#include "core/sim/trace_recorder.hpp"
#include "core/sim/workload.hpp"

namespace tally::sim {

namespace {

constexpr std::uint64_t kStartTimestampUs = 1'700'000'000'000'000;

class Run {
 public:
  explicit Run(const SimOptions& options)
      : options_(options),
        prng_(options.seed),
        threshold_(options.threshold != 0 ? options.threshold : 2 + prng_.below(7)),
        cluster_(options.nodes, fsm_options()),
        workload_(prng_) {
    if (options.record_rows) {
      std::vector<std::string> names;
      for (std::size_t i = 0; i < options.nodes; ++i)
        names.push_back("node " + std::to_string(i));
      recorder_.emplace(std::move(names));
    }
    if (options.plant_divergence_at != 0)
      cluster_.plant_divergence(options.nodes - 1, options.plant_divergence_at);
  }

  SimResult execute();

 private:
  fsm::FsmOptions fsm_options() const {
    fsm::FsmOptions o;
    o.cluster_id = "sim";
    o.audit_key = audit::public_demo_audit_key();
    o.rotation_threshold = threshold_;
    if (options_.pre_fix) o.delete_mode = cache::DeleteMode::kPreFixForTeaching;
    // Most seeds commit in groups, so crashes land mid-group; taken from the seed,
    // not drawn, so every seed's run is otherwise the one it always was.
    o.group_entries_max =
        options_.group_entries != 0 ? options_.group_entries : 1 + options_.seed % 4;
    return o;
  }

  bool step();  // false once a violation is recorded
  void trace(std::string action, int node, std::uint64_t index, std::string detail);
  void record(int node);  // the tally-trace/4 step of the trace line just added
  NodeStep snapshot(std::size_t node) const;
  void record_admission(const plan::Proposal& proposal);
  void record_verdict(std::size_t node, const ApplyEvent& event, const std::string& detail);
  void record_lost_proposals();
  void fail(std::string what);
  std::size_t in_flight() const;

  bool admit(const plan::Request& request);
  bool explained_miss(const plan::Proposal& proposal, const domain::Order& order,
                      std::uint64_t index, const domain::Outcome& outcome);
  bool apply_on(std::size_t node);
  bool feed_model(const ApplyEvent& event);
  bool check_parity_all();
  bool run_checker(std::size_t node);
  bool compare_model(std::size_t node);
  bool periodic_checks();
  bool fault();
  bool drain();
  bool final_checks();
  std::size_t lagging_node();

  SimOptions options_;
  Prng prng_;
  std::uint64_t threshold_;
  Cluster cluster_;
  Workload workload_;
  check::ReferenceLedger model_;
  std::uint64_t model_index_ = 0;
  std::uint64_t clock_us_ = kStartTimestampUs;
  std::uint64_t step_ = 0;
  SimResult result_;
  // tally-trace/4 (SimOptions::record_rows): the recorder, readable key names, and each
  // admitted proposal's id by its admission timestamp (unique: the clock only moves on).
  std::optional<TraceRecorder> recorder_;
  KeyNames names_;
  std::map<std::uint64_t, int> proposal_ids_;
};

void Run::trace(std::string action, int node, std::uint64_t index, std::string detail) {
  TraceStep t{step_, std::move(action), node, index, std::move(detail), {}};
  if (options_.record_views) {
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
      NodeView view;
      view.up = cluster_.up(i);
      if (view.up) {
        const fsm::StateMachine& m = *cluster_.node(i).fsm;
        view.applied_index = m.applied_index();
        view.generation = m.cache().generation();
        view.epoch = m.cache().epoch();
        view.threshold = m.cache().threshold();
        view.gen0_entries = m.cache().gen0_size();
        view.gen1_entries = m.cache().gen1_size();
        auto parity = cache::check_parity(m.cache(), cluster_.view(i));
        view.parity_ok = parity.ok() && parity->ok;
      }
      t.nodes.push_back(view);
    }
  }
  result_.trace.push_back(std::move(t));
  if (recorder_) record(node);
}

NodeStep Run::snapshot(std::size_t i) const {
  const SimNode& n = cluster_.node(i);
  const store::KeyValueStore& disk = cluster_.up(i) ? cluster_.view(i) : n.store;
  return snapshot_node({"node " + std::to_string(i), n.fsm.get(), &disk, &names_, nullptr});
}

// The node acting, or every node on a cluster-wide line: the others did not change.
void Run::record(int node) {
  const TraceStep& line = result_.trace.back();
  std::vector<std::optional<NodeStep>> now(cluster_.size());
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    if (node < 0 || static_cast<std::size_t>(node) == i) now[i] = snapshot(i);
  }
  TraceStepRecord head;
  head.step = line.step;
  head.action = line.action;
  head.node = line.node;
  head.index = line.index;
  head.detail = line.detail;
  recorder_->add_step(std::move(head), now);
}

void Run::record_admission(const plan::Proposal& proposal) {
  int id = static_cast<int>(proposal_ids_.size());
  proposal_ids_[proposal.timestamp_us] = id;
  ProposalStep view = plan_view(proposal, names_, nullptr);
  view.id = id;
  view.label =
      "#" + std::to_string(id) + " " + std::string(domain::order_name(proposal.orders[0].order)) +
      (proposal.orders.size() > 1 ? " +" + std::to_string(proposal.orders.size() - 1) : "");
  const fsm::StateMachine& leader = *cluster_.node(cluster_.leader()).fsm;
  fill_admission(view, leader.cache(), leader.applied_index());
  recorder_->remember_labels(view);
  recorder_->last().admitted = std::move(view);
}

void Run::record_verdict(std::size_t node, const ApplyEvent& event, const std::string& detail) {
  const plan::Proposal& proposal = *cluster_.log()[event.index - 1].proposal;
  auto id = proposal_ids_.find(proposal.timestamp_us);
  if (id == proposal_ids_.end()) return;
  const fsm::ApplyReport& r = *event.report;
  std::string status = r.status == fsm::ApplyReport::Status::kStale          ? "stale"
                       : r.status == fsm::ApplyReport::Status::kRejectedPlan ? "rejected"
                       : r.outcome.ok()                                      ? "applied"
                                                                             : "failed";
  recorder_->last().verdicts.push_back({static_cast<int>(node), id->second, status, detail});
}

// A crashed leader's pending proposals never reach the log (clients would retry them).
void Run::record_lost_proposals() {
  for (const plan::Proposal& p : cluster_.pending()) {
    auto id = proposal_ids_.find(p.timestamp_us);
    if (id != proposal_ids_.end()) {
      recorder_->last().verdicts.push_back(
          {static_cast<int>(cluster_.leader()), id->second, "lost", "the leader crashed first"});
    }
  }
}

void Run::fail(std::string what) {
  if (!result_.ok) return;
  result_.ok = false;
  result_.violation = std::move(what);
  result_.failed_step = step_;
  trace("VIOLATION", -1, 0, result_.violation);
}

std::size_t Run::in_flight() const {
  const std::size_t leader = cluster_.leader();
  std::uint64_t applied = cluster_.up(leader) ? cluster_.applied(leader) : 0;
  return cluster_.pending().size() + (cluster_.log().size() - applied);
}

// A running node with entries left to apply, preferring the leader when it lags too far.
std::size_t Run::lagging_node() {
  std::size_t leader = cluster_.leader();
  if (cluster_.up(leader) && in_flight() >= options_.max_in_flight &&
      cluster_.applied(leader) < cluster_.log().size()) {
    return leader;
  }
  std::vector<std::size_t> behind;
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    if (cluster_.up(i) && cluster_.applied(i) < cluster_.log().size()) behind.push_back(i);
  }
  if (behind.empty()) return cluster_.size();
  return behind[prng_.below(behind.size())];
}

bool Run::admit(const plan::Request& request) {
  clock_us_ += 1000 + prng_.below(1000);
  plan::Verdicts verdicts;
  auto proposal = cluster_.admit(request, clock_us_, &verdicts);
  if (!proposal.ok()) {
    if (proposal.error().code == Code::kCacheHorizonExceeded) {
      ++result_.stats.horizon_refusals;
      trace("refuse", static_cast<int>(cluster_.leader()), 0, proposal.error().message);
      return true;
    }
    if (is_business(proposal.error().code) && proposal.error().code != Code::kValidation) {
      // A refusal rule (admission_rules.hpp): nothing proposed, as a node answers it.
      ++result_.stats.admission_refusals;
      trace("refuse", static_cast<int>(cluster_.leader()), 0, proposal.error().message);
      return true;
    }
    fail("admission failed: " + proposal.error().message);
    return false;
  }
  for (const plan::OrderVerdict& verdict : verdicts) {
    if (verdict.kind == plan::OrderVerdict::Kind::kRefused) ++result_.stats.admission_refusals;
  }
  if (proposal->orders.empty()) {
    trace("refuse", static_cast<int>(cluster_.leader()), 0,
          domain::describe_outcome(plan::answer_per_order(verdicts, nullptr)));
    return true;
  }
  std::size_t seeds = 0, hits = 0;
  for (const plan::PlanEntry& e : proposal->plan.entries) {
    seeds += e.source == plan::EntrySource::kStoreSeed;
    hits += e.source == plan::EntrySource::kCacheHit;
  }
  const domain::Order& first = proposal->orders.front().order;
  const std::size_t count = proposal->orders.size();
  std::string detail = std::string(domain::order_name(first)) +
                       (count > 1 ? " +" + std::to_string(count - 1) : "") +
                       (plan::answers_per_order(*proposal)
                            ? " " + std::string(domain::bulk_mode_name(proposal->mode))
                            : std::string()) +
                       " plan " + std::to_string(proposal->plan.entries.size()) + " (" +
                       std::to_string(hits) + " hit, " + std::to_string(seeds) + " seed)";
  if (recorder_) {
    for (const domain::Order& order : request.orders)
      names_.remember_order(order);
  }
  trace("admit", static_cast<int>(cluster_.leader()), proposal->plan.predicted_index, detail);
  if (recorder_) record_admission(*proposal);
  cluster_.enqueue(std::move(proposal).value());
  ++result_.stats.admitted;
  return true;
}

bool Run::apply_on(std::size_t node) {
  auto event = cluster_.apply_next(node);
  if (!event.ok()) {
    fail("node " + std::to_string(node) + " stopped: " + event.error().message);
    return false;
  }
  if (event->lost_batch) {
    ++result_.stats.lost_batches;
    trace("lost", static_cast<int>(node), event->index,
          "injected write failure: batch lost, node down");
    return true;
  }
  ++result_.stats.entries_applied;
  std::string detail = "configuration entry";
  if (event->report) {
    const fsm::ApplyReport& r = *event->report;
    if (r.advance.kind != cache::AdvanceKind::kNone) ++result_.stats.rotations;
    if (r.status == fsm::ApplyReport::Status::kApplied) {
      detail = domain::describe_outcome(r.outcome);
    } else {
      detail = r.rejection->message;
    }
    if (r.advance.kind != cache::AdvanceKind::kNone) {
      detail += " [generation " + std::to_string(r.advance.to_generation) + "]";
    }
  }
  trace("apply", static_cast<int>(node), event->index, detail);
  if (recorder_ && event->report) record_verdict(node, *event, detail);
  return feed_model(*event);
}

// The first node to apply an entry feeds it to the reference model, whose outcome must agree.
bool Run::feed_model(const ApplyEvent& event) {
  if (event.index != model_index_ + 1) return true;
  model_index_ = event.index;
  if (event.configuration) {
    ++result_.stats.configuration_entries;
    return true;
  }
  const fsm::ApplyReport& report = *event.report;
  if (report.status == fsm::ApplyReport::Status::kStale) ++result_.stats.stale;
  if (report.status != fsm::ApplyReport::Status::kApplied) {
    if (report.status == fsm::ApplyReport::Status::kRejectedPlan) {
      fail("the leader proposed a malformed plan: " + report.rejection->message);
      return false;
    }
    return true;
  }
  const plan::Proposal& proposal = *cluster_.log()[event.index - 1].proposal;
  std::vector<domain::Order> orders = plan::orders_of(proposal);
  const domain::Outcome& outcome = report.outcome;
  workload_.observe(orders, outcome);
  if (outcome.is_replay()) ++result_.stats.replays;
  if (outcome.ok()) ++result_.stats.successes;
  if (outcome.ok() && std::holds_alternative<domain::SetRotationThreshold>(orders[0])) {
    ++result_.stats.threshold_changes;
  }
  const bool per_order = plan::answers_per_order(proposal);
  if (per_order) {
    ++result_.stats.per_order_entries;
    for (std::size_t i = 0; i < outcome.per_order.size(); ++i) {
      const domain::Outcome& one = outcome.per_order[i];
      if (!one.ok() && one.code == Code::kCoverageMiss) {
        if (!explained_miss(proposal, orders[i], event.index, one)) return false;
      } else if (!one.ok() && one.kind == domain::Outcome::Kind::kFailure) {
        ++result_.stats.business_failures;
      }
    }
  } else if (!outcome.ok() && outcome.code == Code::kCoverageMiss) {
    return explained_miss(proposal, orders[outcome.failed_order], event.index, outcome);
  } else if (!outcome.ok()) {
    ++result_.stats.business_failures;
  }
  domain::Outcome expected =
      per_order ? model_.apply_per_order(orders, proposal.mode, plan::order_keys_of(proposal),
                                         proposal.timestamp_us, report.audit->sequence, &outcome)
                : model_.apply(orders, proposal.idempotency_key, proposal.timestamp_us,
                               report.audit->sequence, &outcome);
  if (!domain::outcomes_agree(expected, outcome)) {
    fail("outcome at index " + std::to_string(event.index) + " is " +
         domain::describe_outcome(outcome) + ", the reference model says " +
         domain::describe_outcome(expected) + (outcome.ok() ? "" : " (" + outcome.message + ")"));
    return false;
  }
  return true;
}

// A coverage miss is legitimate only for a revert of a transaction admission did not see
// (created by a proposal still in flight): its postings' volumes could not be declared.
bool Run::explained_miss(const plan::Proposal& proposal, const domain::Order& order,
                         std::uint64_t index, const domain::Outcome& outcome) {
  const auto* revert = std::get_if<domain::RevertTransaction>(&order);
  bool explained = false;
  if (revert != nullptr) {
    auto key = keys::transaction_key(revert->ledger, revert->transaction_id);
    auto id = keys::attribute_id(key.canonical).to_bytes();
    for (const plan::PlanEntry& e : proposal.plan.entries) {
      if (e.kind == keys::kind_byte(key.kind) && e.id == Bytes(id.begin(), id.end())) {
        explained = e.source == plan::EntrySource::kStoreAbsent;
      }
    }
  }
  if (!explained) {
    fail("unexplained coverage miss at index " + std::to_string(index) + ": " + outcome.message);
    return false;
  }
  ++result_.stats.coverage_misses;
  return true;
}

bool Run::check_parity_all() {
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.up(i)) continue;
    // Against the view: the store as it will be when the node's open group commits.
    auto parity = cache::check_parity(cluster_.node(i).fsm->cache(), cluster_.view(i));
    if (!parity.ok() || !parity->ok) {
      fail("parity broken on node " + std::to_string(i) + " at index " +
           std::to_string(cluster_.applied(i)) + ": " +
           (parity.ok() ? parity->first_difference : parity.error().message));
      return false;
    }
  }
  return true;
}

bool Run::run_checker(std::size_t node) {
  ++result_.stats.checker_runs;
  const SimNode& n = cluster_.node(node);
  auto report = check::run_check(
      {cluster_.view(node), &n.fsm->cache(), "sim", audit::public_demo_audit_key()});
  if (recorder_ && recorder_->steps() > 0) {
    bool clean = report.ok() && report->ok();
    recorder_->last().checks.push_back(
        {static_cast<int>(node), clean,
         clean ? std::to_string(report->entries_verified) + " audit entries verified, " +
                     std::to_string(report->rows_compared) + " rows compared"
               : (report.ok() ? report->describe() : report.error().message)});
  }
  if (!report.ok() || !report->ok()) {
    fail("checker on node " + std::to_string(node) + ": " +
         (report.ok() ? report->describe() : report.error().message));
    return false;
  }
  return true;
}

bool Run::compare_model(std::size_t node) {
  ++result_.stats.model_comparisons;
  std::map<Bytes, Bytes> expected = model_.expected_rows();
  std::map<Bytes, Bytes> actual;
  Status scanned =
      store::scan_range(cluster_.view(node), Bytes{}, Bytes{}, [&](ByteView k, ByteView v) {
        if (check::is_derived_row(k)) actual.emplace(k.to_bytes(), v.to_bytes());
        return true;
      });
  if (!scanned.ok()) {
    fail("node " + std::to_string(node) + " unreadable: " + scanned.error().message);
    return false;
  }
  check::CheckReport report;
  check::compare_projections(expected, actual, report);
  if (!report.ok()) {
    fail("node " + std::to_string(node) + " differs from the reference model at index " +
         std::to_string(model_index_) + ": " + report.describe());
    return false;
  }
  return true;
}

// Draws nothing from the PRNG, so how often checks run never changes the run itself: a
// failure seen at a periodic check can be re-run with checks at every step to find its
// first step (locate_first_failure).
bool Run::periodic_checks() {
  std::size_t node = (step_ / options_.check_every) % cluster_.size();
  for (std::size_t i = 0; i < cluster_.size() && !cluster_.up(node); ++i)
    node = (node + 1) % cluster_.size();
  if (cluster_.up(node) && !run_checker(node)) return false;
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    if (cluster_.up(i) && cluster_.applied(i) == model_index_ && !compare_model(i)) return false;
  }
  return true;
}

bool Run::fault() {
  std::uint64_t roll = prng_.below(100);
  std::size_t node = prng_.below(cluster_.size());
  if (roll < 40) {
    ++result_.stats.crashes;
    cluster_.crash(node);
    trace("crash", static_cast<int>(node), 0, "memory lost; the store stays");
    if (node == cluster_.leader()) {
      // A crashed leader loses what it had not appended (clients retry); another takes over.
      if (recorder_) record_lost_proposals();
      std::size_t dropped = cluster_.pending().size();
      cluster_.drop_pending();
      ++result_.stats.leader_changes;
      cluster_.change_leader((node + 1) % cluster_.size());
      trace("leader", static_cast<int>(cluster_.leader()), cluster_.log().size(),
            "new term after a crash; " + std::to_string(dropped) + " pending proposals lost");
    }
    return true;
  }
  if (roll < 60) {
    if (!cluster_.up(node)) return true;
    cluster_.node(node).store.fail_next_writes(1);
    trace("inject", static_cast<int>(node), 0, "the next batch will fail to commit");
    return true;
  }
  if (roll < 80) {
    std::size_t source = cluster_.leader();
    if (!cluster_.up(source) || node == source) return true;
    if (cluster_.up(node) && cluster_.applied(node) >= cluster_.applied(source)) return true;
    // A snapshot is taken at a group boundary; an injected write failure there crashes the
    // source instead, as it would crash a node committing its group.
    if (!cluster_.commit_group(source).ok()) {
      ++result_.stats.lost_batches;
      cluster_.crash(source);
      trace("lost", static_cast<int>(source), 0, "injected write failure: group lost, node down");
      return true;
    }
    Status installed = cluster_.install_snapshot(source, node);
    if (!installed.ok()) {
      fail("snapshot install failed: " + installed.error().message);
      return false;
    }
    ++result_.stats.snapshots;
    trace("snapshot", static_cast<int>(node), cluster_.applied(node),
          "installed node " + std::to_string(source) + "'s store image");
    return true;
  }
  std::size_t next = (cluster_.leader() + 1 + prng_.below(cluster_.size() - 1)) % cluster_.size();
  if (!cluster_.up(next) || next == cluster_.leader()) return true;
  ++result_.stats.leader_changes;
  std::size_t forwarded = cluster_.pending().size();
  cluster_.change_leader(next);
  trace("leader", static_cast<int>(next), cluster_.log().size(),
        "new term; " + std::to_string(forwarded) + " pending proposals shift by one index");
  return true;
}

bool Run::step() {
  ++step_;
  ++result_.stats.steps;
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.up(i) && prng_.chance(30)) {
      Status restarted = cluster_.restart(i);
      if (!restarted.ok()) {
        fail("restart of node " + std::to_string(i) + " failed: " + restarted.error().message);
        return false;
      }
      trace("restart", static_cast<int>(i), cluster_.applied(i), "recovered from the store");
      return check_parity_all();
    }
  }
  // Each roll picks an action; one that cannot happen now applies an entry instead.
  std::uint64_t roll = prng_.below(100);
  bool done = false;
  if (roll < 35) {
    if (cluster_.up(cluster_.leader()) && in_flight() < options_.max_in_flight) {
      if (!admit(workload_.next())) return false;
      done = true;
    }
  } else if (roll < 55) {
    if (!cluster_.pending().empty()) {
      cluster_.deliver_one();
      trace("deliver", -1, cluster_.log().size(), "appended to the log");
      done = true;
    }
  } else if (roll < 57) {
    cluster_.append_configuration();
    trace("config", -1, cluster_.log().size(), "a configuration entry the FSM never sees");
    done = true;
  } else if (roll < 60 && options_.faults) {
    if (!fault()) return false;
    done = true;
  }
  if (!done) {
    std::size_t node = lagging_node();
    if (node < cluster_.size() && !apply_on(node)) return false;
  }
  return check_parity_all();
}

bool Run::drain() {
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.up(i)) {
      Status restarted = cluster_.restart(i);
      if (!restarted.ok()) {
        fail("restart failed in the drain: " + restarted.error().message);
        return false;
      }
    }
  }
  while (!cluster_.pending().empty())
    cluster_.deliver_one();
  for (std::size_t round = 0; round < 4; ++round) {  // bounded: lost batches crash a node
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
      if (!cluster_.up(i) && !cluster_.restart(i).ok()) return false;
      while (cluster_.up(i) && cluster_.applied(i) < cluster_.log().size()) {
        if (!apply_on(i) || !check_parity_all()) return false;
      }
    }
  }
  return true;
}

bool Run::final_checks() {
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    // Each node's last group; an injected write failure loses it: restart and replay once.
    if (!cluster_.up(i) || cluster_.commit_group(i).ok()) continue;
    if (!cluster_.restart(i).ok()) return false;
    while (cluster_.applied(i) < cluster_.log().size()) {
      if (!apply_on(i) || !cluster_.up(i)) {
        fail("node " + std::to_string(i) + " could not replay its lost group");
        return false;
      }
    }
    if (!cluster_.commit_group(i).ok()) {
      fail("node " + std::to_string(i) + " could not commit its last group");
      return false;
    }
  }
  for (std::size_t i = 0; i < cluster_.size(); ++i) {
    if (!cluster_.up(i) || cluster_.applied(i) != cluster_.log().size()) {
      fail("node " + std::to_string(i) + " did not catch up with the log");
      return false;
    }
    if (cluster_.node(i).store.rows() != cluster_.node(0).store.rows()) {
      fail("node " + std::to_string(i) + "'s store differs from node 0's at index " +
           std::to_string(cluster_.log().size()));
      return false;
    }
    if (!run_checker(i) || !compare_model(i)) return false;
  }
  return true;
}

SimResult Run::execute() {
  trace("start", -1, 0,
        "seed " + std::to_string(options_.seed) + ", " + std::to_string(cluster_.size()) +
            " nodes, threshold " + std::to_string(threshold_));
  for (const plan::Request& request : workload_.setup()) {
    if (!admit(request)) return result_;
  }
  while (step_ < options_.steps && step()) {
    if (options_.check_every > 0 && step_ % options_.check_every == 0 && !periodic_checks()) break;
  }
  if (result_.ok && drain()) final_checks();
  result_.stats.log_length = cluster_.log().size();
  if (result_.ok) trace("end", -1, cluster_.log().size(), "all nodes equal, checker clean");
  if (recorder_) {
    result_.recording = recorder_->finish(
        "Simulator run of seed " + std::to_string(options_.seed) +
            (options_.pre_fix ? ", pre-fix delete" : "") +
            (options_.plant_divergence_at != 0
                 ? ", divergence planted at index " + std::to_string(options_.plant_divergence_at)
                 : ""),
        result_.ok, result_.violation);
    result_.recording->seed = options_.seed;
  }
  return std::move(result_);
}

}  // namespace

std::string SimResult::reproduce_command(const SimOptions& options) const {
  std::string command = "tally-sim run --seed " + std::to_string(options.seed) + " --steps " +
                        std::to_string(options.steps);
  if (options.threshold != 0) command += " --threshold " + std::to_string(options.threshold);
  if (options.nodes != 3) command += " --nodes " + std::to_string(options.nodes);
  if (options.pre_fix) command += " --pre-fix";
  if (!options.faults) command += " --no-faults";
  if (options.group_entries != 0) command += " --group " + std::to_string(options.group_entries);
  if (options.plant_divergence_at != 0)
    command += " --plant-divergence " + std::to_string(options.plant_divergence_at);
  return command;
}

SimResult locate_first_failure(const SimOptions& options, const SimResult& failed) {
  TALLY_INVARIANT(!failed.ok, "locating the failure of a clean run");
  if (options.check_every == 1) return failed;
  SimOptions every_step = options;
  every_step.check_every = 1;
  every_step.steps = failed.failed_step;
  SimResult located = simulate(every_step);
  return located.ok ? failed : located;  // a failure only the drain saw stays where it was
}

SimResult simulate(const SimOptions& options) {
  TALLY_INVARIANT(options.nodes >= 1, "a cluster needs a node");
  return Run(options).execute();
}

}  // namespace tally::sim
