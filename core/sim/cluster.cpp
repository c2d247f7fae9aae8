#include "core/sim/cluster.hpp"

namespace tally::sim {

Cluster::Cluster(std::size_t node_count, fsm::FsmOptions options) : options_(std::move(options)) {
  for (std::size_t i = 0; i < node_count; ++i) {
    nodes_.push_back(std::make_unique<SimNode>());
    Status opened = restart(i);
    TALLY_INVARIANT(opened.ok(), "a new node opens on an empty store");
  }
}

std::uint64_t Cluster::applied(std::size_t i) const {
  TALLY_INVARIANT(up(i), "applied index of a crashed node");
  return nodes_[i]->fsm->applied_index();
}

Result<plan::Proposal> Cluster::admit(const plan::Request& request, std::uint64_t timestamp_us,
                                      plan::Verdicts* verdicts) {
  SimNode& leader = *nodes_[leader_];
  TALLY_INVARIANT(leader.fsm != nullptr, "admission on a crashed leader");
  std::uint64_t predicted = log_.size() + pending_.size() + 1;
  // Misses read through the group view: the store may lag memory by an open group.
  return plan::admit(
      request, {leader.fsm->cache(), leader.fsm->read_view(), predicted, timestamp_us}, verdicts);
}

void Cluster::deliver_one() {
  TALLY_INVARIANT(!pending_.empty(), "nothing pending");
  log_.push_back(LogEntry{std::move(pending_.front())});
  pending_.pop_front();
}

Result<ApplyEvent> Cluster::apply_next(std::size_t i) {
  SimNode& node = *nodes_[i];
  TALLY_INVARIANT(node.fsm != nullptr, "apply on a crashed node");
  ApplyEvent event;
  event.index = node.fsm->applied_index() + 1;
  TALLY_INVARIANT(event.index <= log_.size(), "apply past the end of the log");
  const LogEntry& entry = log_[event.index - 1];
  Error failure{Code::kInvariantViolation, ""};
  // The planted skip waits for an entry that applies where admission predicted it: skipping
  // a stale one changes nothing.
  const bool planted = planted_index_ != 0 && i == planted_node_ && event.index >= planted_index_ &&
                       entry.proposal.has_value() &&
                       entry.proposal->plan.predicted_index == event.index;
  if (planted) planted_index_ = 0;
  if (!entry.proposal || planted) {
    event.configuration = true;
    auto advanced = node.fsm->apply_noop(event.index);
    if (advanced.ok()) return event;
    failure = std::move(advanced).error();
  } else {
    auto report = node.fsm->apply(event.index, *entry.proposal);
    if (report.ok()) {
      event.report = std::move(report).value();
      return event;
    }
    failure = std::move(report).error();
  }
  if (failure.code != Code::kStorage) return failure;
  // The batch never reached the store: the node is down and will replay the entry.
  crash(i);
  event.lost_batch = true;
  return event;
}

Status Cluster::restart(std::size_t i) {
  nodes_[i]->fsm.reset();
  auto opened = fsm::StateMachine::open(nodes_[i]->store, options_);
  if (!opened.ok()) return std::move(opened).error();
  nodes_[i]->fsm = std::move(opened).value();
  return ok_status();
}

void Cluster::change_leader(std::size_t new_leader) {
  leader_ = new_leader;
  append_configuration();
}

const store::KeyValueStore& Cluster::view(std::size_t i) const {
  TALLY_INVARIANT(up(i), "the view of a crashed node");
  return nodes_[i]->fsm->read_view();
}

Status Cluster::install_snapshot(std::size_t source, std::size_t target) {
  TALLY_INVARIANT(up(source), "a snapshot from a crashed node");
  TALLY_TRY(nodes_[source]->fsm->commit_group());
  nodes_[target]->fsm.reset();
  nodes_[target]->store.set_rows(nodes_[source]->store.rows());
  return restart(target);
}

}  // namespace tally::sim
