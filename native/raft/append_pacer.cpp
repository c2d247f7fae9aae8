#include "native/raft/append_pacer.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "core/invariant.hpp"

namespace tally::replica {

std::uint64_t AppendSchedule::asked(std::uint64_t first_index, std::uint64_t count,
                                    const RaftState& now) {
  TALLY_INVARIANT(count > 0, "an append of no entries");
  if (now.leader && now.term != leader_term_) {
    leader_term_ = now.term;
    term_first_index_ = first_index;
  }
  Append append;
  append.ticket = next_ticket_++;
  append.first_index = first_index;
  append.term = now.term;
  append.as_leader = now.leader;
  appends_.push_back(append);
  return append.ticket;
}

void AppendSchedule::withdraw(std::uint64_t ticket) {
  TALLY_INVARIANT(!appends_.empty() && appends_.back().ticket == ticket && !appends_.back().done,
                  "only the latest append asked is withdrawn");
  appends_.pop_back();
}

void AppendSchedule::completed(std::uint64_t ticket, int status) {
  auto found = std::find_if(appends_.begin(), appends_.end(),
                            [ticket](const Append& append) { return append.ticket == ticket; });
  TALLY_INVARIANT(found != appends_.end() && !found->done, "a completion of an append not asked");
  found->done = true;
  found->status = status;
}

bool AppendSchedule::must_hold(const Append& append, const RaftState& now) const {
  // Held: the leader's own append, still in its term, after entries of that term that have
  // not all committed. Anything else reaches libraft as the backend completed it.
  if (!append.as_leader || append.status != 0 || !now.leader || now.term != append.term)
    return false;
  if (append.term != leader_term_ || append.first_index <= term_first_index_) return false;
  return now.commit_index + 1 < append.first_index;
}

bool AppendSchedule::next_due(const RaftState& now, Due* due) {
  if (appends_.empty()) return false;
  const Append& front = appends_.front();
  if (!front.done || must_hold(front, now)) return false;
  *due = {front.ticket, front.status};
  appends_.pop_front();
  return true;
}

std::vector<AppendSchedule::Due> AppendSchedule::drain_completed() {
  std::vector<Due> completed;
  while (!appends_.empty() && appends_.front().done) {
    completed.push_back({appends_.front().ticket, appends_.front().status});
    appends_.pop_front();
  }
  return completed;
}

std::size_t AppendSchedule::completed_not_due() const {
  return static_cast<std::size_t>(std::count_if(appends_.begin(), appends_.end(),
                                                [](const Append& append) { return append.done; }));
}

namespace {

// The pacers of this thread's loops, by io, and the requests in flight, by request: the
// backend's callbacks name only these.
thread_local std::vector<std::pair<struct raft_io*, AppendPacer*>> pacers_by_io;
thread_local std::unordered_map<struct raft_io_append*, AppendPacer*> pacers_by_request;

}  // namespace

AppendPacer::~AppendPacer() {
  TALLY_INVARIANT(requests_.empty(), "a pacer destroyed with appends in flight");
  auto& all = pacers_by_io;
  all.erase(
      std::remove_if(all.begin(), all.end(), [this](const auto& p) { return p.second == this; }),
      all.end());
}

void AppendPacer::install(struct raft_io* io) {
  TALLY_INVARIANT(io_ == nullptr, "a pacer installed twice");
  io_ = io;
  backend_append_ = io->append;
  backend_start_ = io->start;
  backend_close_ = io->close;
  io->append = &AppendPacer::append;
  io->start = &AppendPacer::start;
  io->close = &AppendPacer::close;
  pacers_by_io.emplace_back(io, this);
}

AppendPacer* AppendPacer::of(struct raft_io* io) {
  for (const auto& [known, pacer] : pacers_by_io)
    if (known == io) return pacer;
  TALLY_INVARIANT(false, "a raft_io without its pacer");
  return nullptr;
}

AppendSchedule::RaftState AppendPacer::state() const {
  const auto* raft = static_cast<const struct raft*>(io_->data);
  TALLY_INVARIANT(raft != nullptr, "the pacer's io is used before raft_init");
  return {raft->state == RAFT_LEADER, raft->current_term, raft->commit_index};
}

int AppendPacer::append(struct raft_io* io, struct raft_io_append* req,
                        const struct raft_entry entries[], unsigned n, raft_io_append_cb cb) {
  AppendPacer* pacer = of(io);
  const auto* raft = static_cast<const struct raft*>(io->data);
  // libraft has put the entries at the end of its in-memory log before it asks to store them.
  const std::uint64_t last = raft_last_index(const_cast<struct raft*>(raft));
  TALLY_INVARIANT(n > 0 && last >= n, "an append of entries at the end of the log");
  const std::uint64_t ticket = pacer->schedule_.asked(last - n + 1, n, pacer->state());
  pacer->requests_.emplace_back(ticket, Request{req, cb});
  pacers_by_request.emplace(req, pacer);
  const int rv = pacer->backend_append_(io, req, entries, n, &AppendPacer::append_done);
  if (rv != 0) {
    pacers_by_request.erase(req);
    pacer->requests_.pop_back();
    pacer->schedule_.withdraw(ticket);
  }
  return rv;
}

void AppendPacer::append_done(struct raft_io_append* req, int status) {
  auto found = pacers_by_request.find(req);
  TALLY_INVARIANT(found != pacers_by_request.end(), "a completion of an append not asked");
  AppendPacer* pacer = found->second;
  auto request = std::find_if(pacer->requests_.begin(), pacer->requests_.end(),
                              [req](const auto& entry) { return entry.second.req == req; });
  TALLY_INVARIANT(request != pacer->requests_.end(), "a completion of an append not asked");
  pacer->schedule_.completed(request->first, status);
  pacer->deliver_due();
}

int AppendPacer::start(struct raft_io* io, unsigned msecs, raft_io_tick_cb tick,
                       raft_io_recv_cb recv) {
  AppendPacer* pacer = of(io);
  pacer->tick_ = tick;
  pacer->recv_ = recv;
  return pacer->backend_start_(io, msecs, &AppendPacer::tick, &AppendPacer::recv);
}

void AppendPacer::tick(struct raft_io* io) {
  AppendPacer* pacer = of(io);
  pacer->tick_(io);
  pacer->deliver_due();
}

void AppendPacer::recv(struct raft_io* io, struct raft_message* message) {
  AppendPacer* pacer = of(io);
  pacer->recv_(io, message);
  pacer->deliver_due();
}

void AppendPacer::close(struct raft_io* io, raft_io_close_cb cb) {
  AppendPacer* pacer = of(io);
  // raft_close has made the instance unavailable: libraft takes these as stored and drops
  // them. Appends still in the backend complete through it as it closes, and are due at once.
  for (const AppendSchedule::Due& due : pacer->schedule_.drain_completed())
    pacer->deliver(due);
  pacer->backend_close_(io, cb);
}

void AppendPacer::deliver_due() {
  // A completion handed over may re-enter (libraft's callback asks for another append, which
  // completes later, never inside the call): one loop at a time hands them over.
  if (delivering_) return;
  delivering_ = true;
  AppendSchedule::Due due;
  while (schedule_.next_due(state(), &due))
    deliver(due);
  delivering_ = false;
}

void AppendPacer::deliver(const AppendSchedule::Due& due) {
  TALLY_INVARIANT(!requests_.empty() && requests_.front().first == due.ticket,
                  "completions reach libraft in the order their appends were asked");
  Request request = requests_.front().second;
  requests_.pop_front();
  pacers_by_request.erase(request.req);
  request.cb(request.req, due.status);
}

}  // namespace tally::replica
