// Tally's own node routes under /_tally/: the node's status (info), the checker (check),
// Prometheus metrics and the audit chain (log, for `tally trace export`).
#include <chrono>
#include <functional>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/check/checker.hpp"
#include "core/domain/timestamp.hpp"
#include "native/http/pool_job.hpp"
#include "native/http/route_table.hpp"
#include "native/json/request_json.hpp"
#include "native/raft/store_digest.hpp"

namespace tally::http {

using json::JsonWriter;

namespace {

std::string_view role_name(int role) {
  switch (role) {
    case RAFT_FOLLOWER: return "follower";
    case RAFT_CANDIDATE: return "candidate";
    case RAFT_LEADER: return "leader";
    default: return "unavailable";
  }
}

// What was built: a release build (assertions compiled out) or a debug one, and whether under
// the sanitizers. Timings read from this node (loop stalls, latencies) mean different things
// in each.
constexpr bool kReleaseBuild =
#ifdef NDEBUG
    true;
#else
    false;
#endif
constexpr bool kSanitizedBuild =
#ifdef TALLY_SANITIZED
    true;
#else
    false;
#endif

}  // namespace

void handle_node_info(Server::Impl& impl, const CallPtr& call) {
  replica::Node& node = *impl.node;
  JsonWriter out;
  out.begin_object();
  out.key("nodeId");
  out.u64(node.id());
  out.key("role");
  out.string(role_name(node.role()));
  out.key("leaderId");
  out.u64(node.leader_id());
  auto leader = impl.config.peer_http.find(node.leader_id());
  if (leader != impl.config.peer_http.end()) {
    out.key("leaderAddress");
    out.string(impl.scheme() + leader->second);
  }
  out.key("term");
  out.u64(node.term());
  out.key("appliedIndex");
  out.u64(node.applied_index());
  out.key("raftAppliedIndex");
  out.u64(node.raft_applied_index());
  // What the store holds: behind appliedIndex while a group commit is open (the Raft log
  // holds the rest, and a restart replays it).
  out.key("durableIndex");
  out.u64(node.durable_index());
  out.key("lastLogIndex");
  out.u64(node.last_log_index());
  out.key("generation");
  out.u64(node.generation());
  out.key("epoch");
  out.u64(node.epoch());
  out.key("rotationThreshold");
  out.u64(node.state_machine().state().rotation_threshold);
  out.key("cache");
  out.begin_object();
  out.key("gen0");
  out.u64(node.gen0_size());
  out.key("gen1");
  out.u64(node.gen1_size());
  out.end_object();
  if (impl.config.tokens) {
    // Each node reads its own list (auth/revoked_tokens.hpp): equal digests, equal lists.
    const auth::RevokedTokens& revoked = impl.config.tokens->revoked();
    out.key("revokedTokens");
    out.begin_object();
    out.key("count");
    out.u64(revoked.size());
    out.key("digest");
    out.string(revoked.digest_hex());
    out.end_object();
  }
  out.key("inFlight");
  out.u64(node.in_flight());
  out.key("raftLogMemoryBytes");
  out.u64(node.log_memory_bytes());
  out.key("snapshotsTaken");
  out.u64(node.stats().snapshots_taken);
  out.key("snapshotsInstalled");
  out.u64(node.stats().snapshots_installed);
  // The last digest computed (a snapshot, /_tally/digest), never a fresh hash of the store on
  // the loop: storeDigestIndex says which applied index it covers.
  if (const auto& known = node.known_digest()) {
    out.key("storeDigest");
    out.string(replica::digest_hex(known->digest));
    out.key("storeDigestIndex");
    out.u64(known->applied_index);
  }
  out.key("snapshotInFlight");
  out.boolean(node.snapshot_in_flight());
  out.key("walBytes");
  out.u64(node.wal_bytes());
  out.key("walLogBytes");  // what --view-wal-max-mb bounds
  out.u64(node.wal_log_bytes());
  out.key("loopStallMaxUs");  // the worst of the last minute
  out.u64(impl.loop_stalls.worst_last_minute_ns(uv_hrtime()) / 1000);
  out.key("loopBusyMaxUs");  // the most CPU the loop ran between two ticks
  out.u64(impl.loop_stalls.busiest_last_minute_ns(uv_hrtime()) / 1000);
  out.key("failed");
  out.boolean(node.failed());
  out.key("build");
  out.begin_object();
  out.key("mode");
  out.string(kReleaseBuild ? "release" : "debug");
  out.key("sanitizers");
  out.boolean(kSanitizedBuild);
  out.end_object();
  out.end_object();
  impl.respond_data(call, 200, out.take());
}

// GET /_tally/check[?full=true]: incremental from the last clean check's checkpoint, or a whole
// replay from genesis (the first check, ?full=true, or a checkpoint that does not fit the chain).
//
// A full check of 10^6 entries takes seconds, so it runs on libuv's thread pool, never on
// the loop (which also runs Raft: a stalled loop misses heartbeats and loses leadership).
// On the loop, first: the open group is committed and the store pinned (Node::pin_read_view:
// a second, read-only SQLite connection holding a read transaction), the live cache copied
// at the same instant (the checker compares it with the pinned mirror rows, so the two must
// be of one instant), the checkpoint moved out of the server, the key and cluster id copied.
// The worker touches only that job. Back on the loop, after the work: the checkpoint is handed
// back and the request answered (or not: the client may have gone). One check at a time: a
// second request meanwhile gets 503 CHECK_RUNNING with Retry-After (waiting could pile up
// requests that each hold a connection for seconds; a retrying client gets the next
// checkpoint's cheap incremental check anyway). The server's destructor cancels a job not yet
// started and waits for one running (finish_check), so nothing outlives what it points to.
namespace {

std::uint64_t micros_since(std::chrono::steady_clock::time_point started) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count());
}

std::string millis(std::uint64_t us) {
  return std::to_string(us / 1000) + "." + std::to_string(1000 + us % 1000).substr(1);
}

// Inputs, pinned or copied on the loop.
struct CheckInputs {
  bool full = false;
  std::unique_ptr<store::KeyValueStore> view;
  std::optional<cache::Cache> cache;
  std::string cluster_id;
  audit::AuditKey audit_key;
  std::optional<check::CheckCheckpoint> from;
  std::function<void()> worker_hook;
  std::uint64_t applied_index = 0;  // the view's
  std::uint64_t pin_us = 0;         // the loop's share: commit, pin, cache copy
};

class CheckJob final : public PoolJob {
 public:
  CheckJob(Server::Impl& impl, CallPtr call, CheckInputs in)
      : PoolJob(impl, std::move(call)), in_(std::move(in)) {}

 private:
  void run() override {
    if (in_.worker_hook) in_.worker_hook();
    const auto started = std::chrono::steady_clock::now();
    run_.emplace(check::run_check_from(
        {*in_.view, in_.cache ? &*in_.cache : nullptr, in_.cluster_id, in_.audit_key},
        std::move(in_.from), [this] { return should_stop(); }));
    in_.view.reset();  // ends the read transaction: the WAL may be checkpointed again
    in_.cache.reset();
    check_us_ = micros_since(started);
  }

  void done(bool cancelled) override {
    Server::Impl& server = impl();
    if (cancelled) {
      server.log("event=check cancelled=true");
      return server.respond_error(
          call(), unavailable("NODE_STOPPING", "the node stopped before the check"));
    }
    TALLY_INVARIANT(run_.has_value(), "a check job that ran");
    Result<check::CheckRun>& run = *run_;
    if (!run.ok() && run.error().code == Code::kStopped) {
      server.log(std::string("event=check stopped=true") +
                 (view_expired() ? " reason=wal_bytes" : ""));
      if (view_expired()) return server.respond_error(call(), view_expired_error());
    }
    if (!run.ok()) return server.respond_error(call(), run.error());
    check::CheckReport& report = run->report;
    if (in_.full) report.full_reason = "requested";
    server.check_checkpoint = std::move(run->checkpoint);
    const char* mode = report.incremental ? "incremental" : "full";
    server.log("event=check ok=" + std::string(report.ok() ? "true" : "false") + " mode=" + mode +
               " from=" + std::to_string(report.from_sequence) +
               " to=" + std::to_string(report.to_sequence) +
               " entries=" + std::to_string(report.entries_verified) +
               " us=" + std::to_string(check_us_) + " pin_us=" + std::to_string(in_.pin_us));
    JsonWriter out;
    json::write_check_report(out, report);
    std::string body = out.take();
    body.pop_back();  // the report's object gains the node's fields
    body += ",\"appliedIndex\":" + std::to_string(in_.applied_index) +
            ",\"durationMs\":" + millis(check_us_) + ",\"pinMs\":" + millis(in_.pin_us) + "}";
    server.respond_data(call(), 200, body);
  }

  CheckInputs in_;
  // Written by the worker, read on the loop once it is done.
  std::optional<Result<check::CheckRun>> run_;
  std::uint64_t check_us_ = 0;
};

}  // namespace

void handle_node_check(Server::Impl& impl, const CallPtr& call) {
  replica::Node& node = *impl.node;
  const auto full_param = call->param("full");
  if (full_param && *full_param != "true" && *full_param != "false") {
    return impl.respond_error(call, json::field_error("full", "true or false"));
  }
  if (impl.check_job != nullptr) {
    return impl.respond_error(
        call, unavailable("CHECK_RUNNING", "a check is already running on this node; retry later"));
  }
  const auto started = std::chrono::steady_clock::now();
  CheckInputs in;
  auto view = node.pin_read_view();
  if (!view.ok()) return impl.respond_error(call, view.error());
  in.view = std::move(view).value();
  in.cache.emplace(node.state_machine().cache());
  in.applied_index = node.applied_index();
  in.full = full_param && *full_param == "true";
  in.cluster_id = impl.config.cluster_id;
  in.audit_key = impl.config.audit_key;
  in.worker_hook = impl.config.check_worker_hook;
  if (!in.full) in.from = std::move(impl.check_checkpoint);
  impl.check_checkpoint.reset();  // the job owns it now; done() hands the next one back
  in.pin_us = micros_since(started);
  PoolJob::start(impl, impl.check_job, std::make_unique<CheckJob>(impl, call, std::move(in)));
}

void handle_node_log(Server::Impl& impl, const CallPtr& call) {
  std::uint64_t after = 0;
  std::size_t limit = 1000;
  if (auto text = call->param("after")) {
    auto parsed = json::parse_id(*text, "after");
    if (!parsed.ok()) return impl.respond_error(call, parsed.error());
    after = parsed.value();
  }
  if (auto text = call->param("pageSize")) {
    auto parsed = json::parse_id(*text, "pageSize");
    if (!parsed.ok()) return impl.respond_error(call, parsed.error());
    if (parsed.value() == 0 || parsed.value() > 10000)
      return impl.respond_error(call, json::field_error("pageSize", "between 1 and 10000"));
    limit = parsed.value();
  }
  JsonWriter out;
  out.begin_array();
  std::size_t count = 0;
  Status failure = ok_status();
  Status scanned =
      store::scan_range(impl.node->store(), audit::audit_row_key(after + 1),
                        audit::audit_rows_end(), [&](ByteView, ByteView value) {
                          auto entry = audit::decode_audit_entry(value);
                          if (!entry.ok()) {
                            failure = entry.error();
                            return false;
                          }
                          out.begin_object();
                          out.key("sequence");
                          out.u64(entry.value().sequence);
                          out.key("logIndex");
                          out.u64(entry.value().log_index);
                          out.key("timestamp");
                          out.string(domain::format_rfc3339(entry.value().timestamp_us));
                          out.key("orders");
                          out.u64(entry.value().items.size());
                          out.key("outcome");
                          out.string(domain::describe_outcome(entry.value().outcome));
                          if (entry.value().idempotency_key) {
                            out.key("idempotencyKey");
                            out.string(*entry.value().idempotency_key);
                          }
                          out.end_object();
                          return ++count < limit;
                        });
  if (!scanned.ok()) return impl.respond_error(call, scanned.error());
  if (!failure.ok()) return impl.respond_error(call, failure.error());
  out.end_array();
  impl.respond_data(call, 200, out.take());
}

void handle_node_metrics(Server::Impl& impl, const CallPtr& call) {
  impl.respond(call, 200, impl.owner->metrics().render(*impl.node, impl.loop_stalls));
}

}  // namespace tally::http
