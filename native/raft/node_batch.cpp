// The leader's queue and batches (node.hpp, "Leader batching"): submit, admission when a
// batch leaves, one raft_apply per batch, and the answers as entries apply.
#include <cstring>
#include <vector>

#include "core/plan/admission.hpp"
#include "native/raft/node_batch.hpp"

namespace tally::replica {

namespace {

// The callback of a request answering per order: the applied outcome, with admission's
// refusals merged in at their places.
ReplyCallback with_refusals(plan::Verdicts verdicts, ReplyCallback done) {
  return [verdicts = std::move(verdicts), done = std::move(done)](Reply reply) {
    if (reply.status == Reply::Status::kApplied && reply.report) {
      reply.report->outcome = plan::answer_per_order(verdicts, &reply.report->outcome);
    }
    done(std::move(reply));
  };
}

Reply not_leader_reply(std::uint64_t leader_id, const char* message) {
  Reply reply = refusal(Reply::Status::kNotLeader, make_error(Code::kNotLeader, message));
  reply.leader_id = leader_id;
  return reply;
}

}  // namespace

void Node::submit(plan::Request request, ReplyCallback done) {
  if (failure_) {
    done(refusal(Reply::Status::kFailed, *failure_));
    return;
  }
  if (!is_leader() || batch_failing_) {
    done(not_leader_reply(leader_id(), "not the leader"));
    return;
  }
  if (in_flight() >= config_.in_flight_max) {
    stats_.count(AdmissionVerdict::kBusy);
    done(refusal(Reply::Status::kRetry,
                 make_error(Code::kBusy, "busy: " + std::to_string(in_flight()) +
                                             " requests queued or in flight")));
    return;
  }
  queue_.push_back(std::make_unique<Queued>(Queued{std::move(request), std::move(done)}));
  flush();
}

void Node::flush() {
  // Re-entrant calls (a callback answered below submitting again) return at once: this loop
  // sees what they queued.
  if (flushing_) return;
  flushing_ = true;
  while (batches_.size() < config_.batches_in_flight_max && !queue_.empty()) {
    if (failure_) {
      drain_queue(refusal(Reply::Status::kFailed, *failure_));
    } else if (raft_ == nullptr || !is_leader()) {
      drain_queue(not_leader_reply(leader_id(), "leadership lost before the request left"));
    } else {
      propose_batch();
    }
  }
  flushing_ = false;
}

void Node::drain_queue(const Reply& reply) {
  while (!queue_.empty()) {
    std::unique_ptr<Queued> next = std::move(queue_.front());
    queue_.pop_front();
    next->done(reply);
  }
}

bool Node::refuse_admission(Queued& queued, const Error& error) {
  Reply::Status status = Reply::Status::kRejected;
  AdmissionVerdict verdict = AdmissionVerdict::kRejected;
  if (error.code == Code::kCacheHorizonExceeded) {
    status = Reply::Status::kRetry;
    verdict = AdmissionVerdict::kCacheHorizonExceeded;
  }
  const bool fatal = !is_business(error.code);
  if (fatal) {
    fail(error);
    status = Reply::Status::kFailed;
    verdict = AdmissionVerdict::kFailed;
  }
  stats_.count(verdict);
  queued.done(refusal(status, error));
  return !fatal;
}

void Node::answer_refused_orders(Queued& queued, const plan::Verdicts& verdicts) {
  stats_.count(AdmissionVerdict::kRejected);
  Reply reply;
  reply.status = Reply::Status::kApplied;
  reply.index = applied_index();
  reply.report.emplace();
  reply.report->outcome = plan::answer_per_order(verdicts, nullptr);
  queued.done(std::move(reply));
}

std::vector<std::unique_ptr<Node::Pending>> Node::admit_batch(std::uint64_t first_index,
                                                              std::vector<Bytes>& payloads) {
  std::vector<std::unique_ptr<Pending>> entries;
  std::size_t bytes = 0;
  const std::uint64_t now_us = config_.clock_us();
  while (!queue_.empty() && entries.size() < config_.batch_entries_max) {
    std::unique_ptr<Queued> next = std::move(queue_.front());
    queue_.pop_front();
    // Entry k of the batch gets index first_index + k: a refused request takes no index.
    const std::uint64_t predicted = first_index + entries.size();
    plan::Verdicts verdicts;
    auto admitted =
        plan::admit(next->request, {fsm_->cache(), *reads_, predicted, now_us}, &verdicts);
    if (!admitted.ok()) {
      if (!refuse_admission(*next, admitted.error())) break;
      continue;
    }
    const bool per_order = plan::answers_per_order(next->request);
    if (per_order && admitted->orders.empty()) {
      answer_refused_orders(*next, verdicts);
      continue;
    }
    Bytes payload = wire::encode_entry({*admitted, config_.id});
    TALLY_INVARIANT(payload.size() % 8 == 0, "libraft entries are whole 8-byte words");
    if (!entries.empty() && bytes + payload.size() > config_.batch_bytes_max) {
      queue_.push_front(std::move(next));  // admitted again, at its own index, next batch
      break;
    }
    stats_.count(AdmissionVerdict::kAdmitted);
    for (const plan::PlanEntry& entry : admitted->plan.entries)
      stats_.count(entry.source);
    bytes += payload.size();
    payloads.push_back(std::move(payload));
    auto pending = std::make_unique<Pending>();
    pending->index = predicted;
    pending->proposal = std::move(admitted).value();
    pending->done = per_order ? with_refusals(std::move(verdicts), std::move(next->done))
                              : std::move(next->done);
    entries.push_back(std::move(pending));
  }
  return entries;
}

void Node::propose_batch() {
  // The cache must be at the generation of the applied index before admission (§3).
  if (Status caught_up = catch_up(); !caught_up.ok()) {
    drain_queue(refusal(Reply::Status::kFailed, caught_up.error()));
    return;
  }
  const std::uint64_t first_index = raft_last_index(raft_) + 1;
  std::vector<Bytes> payloads;
  std::vector<std::unique_ptr<Pending>> entries = admit_batch(first_index, payloads);
  if (failure_) {  // an admission failed the node: nothing more leaves
    for (auto& entry : entries)
      entry->done(refusal(Reply::Status::kFailed, *failure_));
    return;
  }
  if (entries.empty()) return;
  auto batch = std::make_unique<Batch>();
  batch->node = this;
  batch->serial = ++batch_serial_;
  batch->first_index = first_index;
  batch->entry_count = entries.size();
  batch->request.data = batch.get();
  std::vector<struct raft_buffer> buffers(payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    buffers[i].len = payloads[i].size();
    buffers[i].base = raft_malloc(buffers[i].len);
    TALLY_INVARIANT(buffers[i].base != nullptr, "raft_malloc failed");
    std::memcpy(buffers[i].base, payloads[i].data(), payloads[i].size());
  }
  int rv = raft_apply(raft_, &batch->request, buffers.data(), static_cast<unsigned>(buffers.size()),
                      &Node::batch_done);
  if (rv != 0) {
    for (struct raft_buffer& buffer : buffers)
      raft_free(buffer.base);
    Reply reply =
        rv == RAFT_NOTLEADER
            ? not_leader_reply(leader_id(), "raft_apply: not the leader")
            : refusal(Reply::Status::kRetry,
                      make_error(Code::kBusy, std::string("raft_apply: ") + raft_strerror(rv)));
    reply.leader_id = leader_id();
    for (auto& entry : entries)
      entry->done(reply);
    return;
  }
  TALLY_INVARIANT(batch->request.index == first_index,
                  "the leader appended at the index admission predicted");
  ++stats_.batches_proposed;
  stats_.batch_entries_proposed += entries.size();
  for (auto& entry : entries) {
    entry->batch_serial = batch->serial;
    const std::uint64_t index = entry->index;
    auto [at, inserted] = pending_.emplace(index, std::move(entry));
    TALLY_INVARIANT(inserted, "one pending request per log index");
  }
  batches_.emplace(batch->serial, std::move(batch));
}

void Node::batch_done(struct raft_apply* req, int status, void* /*result*/) {
  auto* batch = static_cast<Batch*>(req->data);
  Node* node = batch->node;
  const std::uint64_t serial = batch->serial;
  // Status 0: the batch's first entry applied here (and was answered); the others are
  // answered as they apply, and another batch may leave.
  if (status == 0) {
    node->batches_.erase(serial);
    node->flush();
    return;
  }
  // libraft failed the whole batch (leadership lost, a failed append): its entries may or
  // may not commit under another leader. libraft is tearing down its leader state around
  // this callback, so nothing is proposed from here: the queued requests, which never left,
  // are told to go to the leader.
  const std::uint64_t first_index = batch->first_index, entry_count = batch->entry_count;
  node->batches_.erase(serial);
  node->batch_failing_ = true;  // a request submitted from a callback below is refused
  for (std::uint64_t i = 0; i < entry_count; ++i) {
    auto found = node->pending_.find(first_index + i);
    if (found == node->pending_.end() || found->second->batch_serial != serial) continue;
    Reply reply =
        refusal(Reply::Status::kUnknown,
                make_error(Code::kLeadershipLost,
                           std::string("leadership lost in flight: ") + raft_strerror(status)));
    reply.leader_id = node->leader_id();
    node->answer(found, std::move(reply));
  }
  node->drain_queue(not_leader_reply(node->leader_id(), "leadership lost before the request left"));
  node->batch_failing_ = false;
}

void Node::answer(std::map<std::uint64_t, std::unique_ptr<Pending>>::iterator found, Reply reply) {
  std::unique_ptr<Pending> owned = std::move(found->second);
  pending_.erase(found);
  owned->done(std::move(reply));
}

void Node::record(std::uint64_t index, const plan::Proposal* proposal, fsm::ApplyReport report) {
  auto found = pending_.find(index);
  if (found == pending_.end()) return;
  // The entry at this index is ours only if it carries our proposal (a new leader may have
  // replaced it); settle_applied answers it either way.
  if (proposal == nullptr || !(*proposal == found->second->proposal)) return;
  found->second->report = std::move(report);
}

void Node::settle_applied() {
  while (!pending_.empty() && pending_.begin()->first <= fsm_->applied_index()) {
    auto first = pending_.begin();
    Reply reply =
        first->second->report
            ? reply_of(*first->second->report, first->first)
            : refusal(Reply::Status::kUnknown,
                      make_error(Code::kLeadershipLost,
                                 "its index was applied without it (replaced by another leader's "
                                 "entry, skipped, or installed by a snapshot)"));
    answer(first, std::move(reply));
  }
}

void Node::closed() {
  raft_ = nullptr;
  batches_.clear();  // libraft has answered every request before raft_close's callback
  drain_queue(
      refusal(Reply::Status::kRetry, make_error(Code::kStopped, "node stopped before proposing")));
  while (!pending_.empty())
    answer(pending_.begin(),
           refusal(Reply::Status::kUnknown, make_error(Code::kStopped, "node stopped in flight")));
}

}  // namespace tally::replica
