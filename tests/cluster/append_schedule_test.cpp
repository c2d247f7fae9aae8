// [raft] The hold rule of the append pacer (native/raft/append_pacer.hpp): the leader's
// completed appends reach libraft only once every earlier entry of its term has committed,
// in the order they were asked; nothing else is held.
#include <catch2/catch.hpp>

#include "native/raft/append_pacer.hpp"

namespace tally::testing {
namespace {

using replica::AppendSchedule;
using State = AppendSchedule::RaftState;

State leader(std::uint64_t term, std::uint64_t commit) {
  return {true, term, commit};
}

// Appends asked as the leader of term 2 with 9 committed, {first index, count} each, and
// completed by the backend; their tickets.
std::vector<std::uint64_t> stored(
    AppendSchedule& schedule,
    std::initializer_list<std::pair<std::uint64_t, std::uint64_t>> appends) {
  std::vector<std::uint64_t> tickets;
  for (const auto& [first, count] : appends)
    tickets.push_back(schedule.asked(first, count, leader(2, 9)));
  for (std::uint64_t ticket : tickets)
    schedule.completed(ticket, 0);
  return tickets;
}

// The tickets due now, each taken out of the schedule.
std::vector<std::uint64_t> take_due(AppendSchedule& schedule, const State& now) {
  std::vector<std::uint64_t> tickets;
  AppendSchedule::Due due;
  while (schedule.next_due(now, &due))
    tickets.push_back(due.ticket);
  return tickets;
}

TEST_CASE("a leader's second batch is stored but reaches libraft after the first commits",
          "[raft]") {
  AppendSchedule schedule;
  // Term 2's first append (its barrier at 10) and two batches: 11-18, then 19-26.
  const auto tickets = stored(schedule, {{10, 1}, {11, 8}, {19, 8}});
  const auto barrier = tickets[0], first = tickets[1], second = tickets[2];
  // The barrier is the term's first append: due at once, with nothing of the term committed.
  CHECK(take_due(schedule, leader(2, 9)) == std::vector<std::uint64_t>{barrier});
  // 11-18 waits for the barrier's commit, 19-26 for 11-18's.
  CHECK(take_due(schedule, leader(2, 9)).empty());
  CHECK(schedule.completed_not_due() == 2);
  CHECK(take_due(schedule, leader(2, 10)) == std::vector<std::uint64_t>{first});
  CHECK(take_due(schedule, leader(2, 17)).empty());  // 11-18 part committed: still held
  CHECK(take_due(schedule, leader(2, 18)) == std::vector<std::uint64_t>{second});
  CHECK(schedule.outstanding() == 0);
}

TEST_CASE("completions reach libraft in asking order, a later one waiting for an earlier",
          "[raft]") {
  AppendSchedule schedule;
  const auto a = schedule.asked(5, 1, leader(3, 4));
  const auto b = schedule.asked(6, 1, leader(3, 4));
  schedule.completed(b, 0);  // the later append completes first
  CHECK(take_due(schedule, leader(3, 100)).empty());
  schedule.completed(a, 0);
  CHECK(take_due(schedule, leader(3, 5)) == std::vector<std::uint64_t>{a, b});
}

TEST_CASE("a follower's appends, failed appends and a lost leadership are never held", "[raft]") {
  SECTION("a follower's append") {
    AppendSchedule schedule;
    const auto a = schedule.asked(20, 4, {false, 5, 1});
    const auto b = schedule.asked(24, 4, {false, 5, 1});
    schedule.completed(a, 0);
    schedule.completed(b, 0);
    CHECK(take_due(schedule, {false, 5, 1}) == std::vector<std::uint64_t>{a, b});
  }
  SECTION("a failed append of the leader's") {
    AppendSchedule schedule;
    const auto a = schedule.asked(10, 1, leader(2, 9));
    const auto b = schedule.asked(11, 4, leader(2, 9));
    schedule.completed(a, 0);
    schedule.completed(b, RAFT_IOERR);
    CHECK(take_due(schedule, leader(2, 9)) == std::vector<std::uint64_t>{a, b});
  }
  SECTION("the leader stepped down, or a new term began") {
    AppendSchedule schedule;
    const auto a = schedule.asked(10, 1, leader(2, 9));
    const auto b = schedule.asked(11, 4, leader(2, 9));
    schedule.completed(a, 0);
    schedule.completed(b, 0);
    CHECK(take_due(schedule, leader(2, 9)) == std::vector<std::uint64_t>{a});
    CHECK(take_due(schedule, {false, 2, 9}) == std::vector<std::uint64_t>{b});
  }
  SECTION("a new term: its first append is due whatever the commit index") {
    AppendSchedule schedule;
    const auto old_batch = schedule.asked(11, 4, leader(2, 9));
    schedule.completed(old_batch, 0);
    (void)take_due(schedule, leader(2, 9));
    // Re-elected in term 4 with 11-14 uncommitted: the barrier at 15 commits them.
    const auto barrier = schedule.asked(15, 1, leader(4, 9));
    schedule.completed(barrier, 0);
    CHECK(take_due(schedule, leader(4, 9)) == std::vector<std::uint64_t>{barrier});
  }
}

TEST_CASE("before the backend closes, every completed append is handed over", "[raft]") {
  AppendSchedule schedule;
  const auto b = stored(schedule, {{10, 1}, {11, 1}})[1];
  const auto c = schedule.asked(12, 1, leader(2, 9));
  (void)take_due(schedule, leader(2, 9));  // 10, the term's first
  const auto drained = schedule.drain_completed();
  REQUIRE(drained.size() == 1);  // b; c is still in the backend
  CHECK(drained[0].ticket == b);
  schedule.completed(c, RAFT_CANCELED);
  CHECK(take_due(schedule, {false, 2, 9}) == std::vector<std::uint64_t>{c});
}

TEST_CASE("an append the backend refused is withdrawn and never completes", "[raft]") {
  AppendSchedule schedule;
  const auto a = schedule.asked(10, 1, leader(2, 9));
  const auto refused = schedule.asked(11, 1, leader(2, 9));
  schedule.withdraw(refused);
  CHECK(schedule.outstanding() == 1);
  schedule.completed(a, 0);
  CHECK(take_due(schedule, leader(2, 9)) == std::vector<std::uint64_t>{a});
}

}  // namespace
}  // namespace tally::testing
