// Reads (GET): node endpoints and the ledger's views, answered from this node's store.
#include <chrono>
#include <functional>

#include "core/audit/audit_entry.hpp"
#include "core/audit/audit_rows.hpp"
#include "core/check/checker.hpp"
#include "core/crypto/hmac_sha256.hpp"
#include "core/domain/validation.hpp"
#include "core/limits.hpp"
#include "native/http/orders_json.hpp"
#include "native/http/server_impl.hpp"
#include "native/http/views_json.hpp"
#include "native/raft/store_digest.hpp"

namespace tally::http {
namespace {

std::string_view role_name(int role) {
  switch (role) {
    case RAFT_FOLLOWER: return "follower";
    case RAFT_CANDIDATE: return "candidate";
    case RAFT_LEADER: return "leader";
    default: return "unavailable";
  }
}

// Cursors leave the node signed (HMAC under the cluster's audit key, so every node accepts
// every node's cursors): one that was altered is refused instead of being read as another
// position. "<core cursor>.<16 hex digits>".
std::string cursor_tag(const Server::Impl& impl, const std::string& cursor) {
  const audit::AuditKey key = impl.config.audit_key.value_or(audit::public_demo_audit_key());
  const std::string message = "tally/cursor/v1:" + cursor;
  auto digest = crypto::hmac_sha256(
      key.view(), ByteView(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()));
  return to_hex(ByteView(digest.data(), 8));
}

std::optional<std::string> sign_cursor(const Server::Impl& impl,
                                       const std::optional<std::string>& cursor) {
  if (!cursor) return cursor;
  return *cursor + "." + cursor_tag(impl, *cursor);
}

Result<std::string> open_cursor(const Server::Impl& impl, const std::string& signed_cursor) {
  const std::size_t dot = signed_cursor.rfind('.');
  if (dot == std::string::npos ||
      cursor_tag(impl, signed_cursor.substr(0, dot)) != signed_cursor.substr(dot + 1))
    return field_error("cursor", "not a cursor this cluster issued (altered or truncated)");
  return signed_cursor.substr(0, dot);
}

template <class T>
query::Page<T> signed_page(const Server::Impl& impl, query::Page<T> page) {
  page.next = sign_cursor(impl, page.next);
  return page;
}

Result<query::PageRequest> page_request(const Server::Impl& impl, const Call& call) {
  query::PageRequest page;
  page.limit = limits::kPageSizeDefault;
  if (auto size = call.param("pageSize")) {
    auto parsed = parse_id(*size, "pageSize");
    if (!parsed.ok()) return std::move(parsed).error();
    if (parsed.value() == 0 || parsed.value() > limits::kPageSizeMax)
      return field_error("pageSize", "between 1 and " + std::to_string(limits::kPageSizeMax));
    page.limit = parsed.value();
  }
  if (auto cursor = call.param("cursor"); cursor && !cursor->empty()) {
    auto opened = open_cursor(impl, *cursor);
    if (!opened.ok()) return std::move(opened).error();
    page.cursor = opened.value();
  }
  return page;
}

// Answers one read; the route is known and the node has applied what the client saw.
void answer_read(Server::Impl& impl, const CallPtr& call) {
  const auto& s = call->segments;
  const store::KeyValueStore& store = impl.node->store();
  if (s.size() == 1) {
    call->route = "GET /v3";
    auto page = page_request(impl, *call);
    if (!page.ok()) return impl.respond_core_error(call, page.error());
    auto ledgers = query::list_ledgers(store, page.value());
    if (!ledgers.ok()) return impl.respond_core_error(call, ledgers.error());
    return impl.respond(
        call, 200,
        page_body(signed_page(impl, std::move(ledgers).value()), page.value().limit, write_ledger));
  }
  const std::string& ledger = s[1];
  call->route = "GET /v3/{ledger}";
  if (Status valid = domain::validate_ledger_name(ledger); !valid.ok())
    return impl.respond_core_error(call, field_error("ledger", valid.error().message));
  auto found = query::get_ledger(store, ledger);
  if (!found.ok()) return impl.respond_core_error(call, found.error());
  if (!found.value())
    return impl.respond_error(call, 404, "NOT_FOUND", "no ledger " + domain::quote_input(ledger));
  JsonWriter out;
  if (s.size() == 2) {
    write_ledger(out, *found.value());
    return impl.respond_data(call, 200, out.take());
  }
  const std::string& what = s[2];
  if (what == "transactions" && s.size() == 3) {
    call->route = "GET /v3/{ledger}/transactions";
    auto page = page_request(impl, *call);
    if (!page.ok()) return impl.respond_core_error(call, page.error());
    auto list = query::list_transactions(store, ledger, page.value());
    if (!list.ok()) return impl.respond_core_error(call, list.error());
    return impl.respond(call, 200,
                        page_body(signed_page(impl, std::move(list).value()), page.value().limit,
                                  write_transaction));
  }
  if (what == "transactions" && s.size() == 4) {
    call->route = "GET /v3/{ledger}/transactions/{id}";
    auto id = parse_id(s[3], "id");
    if (!id.ok()) return impl.respond_core_error(call, id.error());
    auto transaction = query::get_transaction(store, ledger, id.value());
    if (!transaction.ok()) return impl.respond_core_error(call, transaction.error());
    if (!transaction.value())
      return impl.respond_error(call, 404, "NOT_FOUND", "no transaction " + s[3]);
    write_transaction(out, *transaction.value());
    return impl.respond_data(call, 200, out.take());
  }
  if (what == "accounts" && s.size() == 3) {
    call->route = "GET /v3/{ledger}/accounts";
    auto page = page_request(impl, *call);
    if (!page.ok()) return impl.respond_core_error(call, page.error());
    auto list = query::list_accounts(store, ledger, page.value());
    if (!list.ok()) return impl.respond_core_error(call, list.error());
    return impl.respond(
        call, 200,
        page_body(signed_page(impl, std::move(list).value()), page.value().limit, write_account));
  }
  if (what == "accounts" && s.size() == 4) {
    call->route = "GET /v3/{ledger}/accounts/{address}";
    if (Status valid = domain::validate_account(s[3]); !valid.ok())
      return impl.respond_core_error(call, field_error("address", valid.error().message));
    auto account = query::get_account(store, ledger, s[3]);
    if (!account.ok()) return impl.respond_core_error(call, account.error());
    if (!account.value())
      return impl.respond_error(call, 404, "NOT_FOUND", "no account " + domain::quote_input(s[3]));
    write_account(out, *account.value());
    return impl.respond_data(call, 200, out.take());
  }
  if (what == "aggregate" && s.size() == 4 && s[3] == "balances") {
    call->route = "GET /v3/{ledger}/aggregate/balances";
    auto balances = query::aggregate_balances(store, ledger, call->param("address").value_or(""));
    if (!balances.ok()) return impl.respond_core_error(call, balances.error());
    write_balances(out, balances.value());
    return impl.respond_data(call, 200, out.take());
  }
  call->route = "unknown";
  impl.respond_error(call, 404, "NOT_FOUND", "no route GET " + call->path_and_query());
}

// Polls the node's applied index until the client's Tally-Applied-Index (bounded).
struct ReadWait {
  uv_timer_t timer{};
  CallPtr call;
  std::uint64_t target = 0;
  std::uint64_t deadline_ns = 0;
};

void poll_read_wait(uv_timer_t* timer) {
  auto* wait = static_cast<ReadWait*>(timer->data);
  Server::Impl& impl = *wait->call->impl;
  bool done = true;
  if (!*wait->call->alive) {
    // The client left: nothing to answer.
  } else if (impl.node->applied_index() >= wait->target) {
    answer_read(impl, wait->call);
  } else if (uv_hrtime() >= wait->deadline_ns) {
    impl.respond_unavailable(wait->call, "STALE_READ",
                             "this node has applied " + std::to_string(impl.node->applied_index()) +
                                 ", not yet " + std::to_string(wait->target));
  } else {
    done = false;
  }
  if (done) {
    uv_timer_stop(timer);
    uv_close(reinterpret_cast<uv_handle_t*>(timer),
             [](uv_handle_t* handle) { delete static_cast<ReadWait*>(handle->data); });
  }
}

}  // namespace

void handle_read(Server::Impl& impl, const CallPtr& call) {
  // An index recorded from another cluster's write (Tally-Cluster-Id names it) means nothing
  // here: the read does not wait for it.
  const auto cluster = call->header("tally-cluster-id");
  const bool ours = !cluster || *cluster == impl.config.cluster_id;
  if (auto seen = call->header("tally-applied-index"); seen && ours) {
    auto target = parse_id(*seen, "Tally-Applied-Index");
    if (!target.ok()) return impl.respond_core_error(call, target.error());
    if (impl.node->applied_index() < target.value()) {
      auto* wait = new ReadWait();
      wait->call = call;
      wait->target = target.value();
      wait->deadline_ns = uv_hrtime() + impl.config.read_wait_ms * 1000000;
      uv_timer_init(impl.loop, &wait->timer);
      wait->timer.data = wait;
      uv_timer_start(&wait->timer, poll_read_wait, 2, 2);
      return;
    }
  }
  answer_read(impl, call);
}

void handle_info(Server::Impl& impl, const CallPtr& call) {
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
    out.string("http://" + leader->second);
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
  out.key("inFlight");
  out.u64(node.in_flight());
  out.key("snapshotsTaken");
  out.u64(node.snapshots_taken());
  out.key("snapshotsInstalled");
  out.u64(node.snapshots_installed());
  auto digest = node.digest();
  if (digest.ok()) {
    out.key("storeDigest");
    out.string(replica::digest_hex(digest.value()));
  }
  out.key("failed");
  out.boolean(node.failed());
  out.end_object();
  impl.respond_data(call, 200, out.take());
}

// GET /v3/_check[?full=true]: incremental from the last clean check's checkpoint, or a whole
// replay from genesis (the first check, ?full=true, or a checkpoint that no longer fits).
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
struct CheckJob {
  uv_work_t work{};
  Server::Impl* impl = nullptr;
  CallPtr call;
  bool full = false;
  // Inputs, pinned or copied on the loop.
  std::unique_ptr<store::KeyValueStore> view;
  std::optional<cache::Cache> cache;
  std::string cluster_id;
  std::optional<audit::AuditKey> audit_key;
  std::optional<check::CheckCheckpoint> from;
  std::function<void()> worker_hook;
  std::uint64_t applied_index = 0;  // the view's
  std::uint64_t pin_us = 0;         // the loop's share: commit, pin, cache copy
  // Outputs, written by the worker, read on the loop once it is done.
  std::optional<Result<check::CheckRun>> run;
  std::uint64_t check_us = 0;
};

namespace {

std::uint64_t micros_since(std::chrono::steady_clock::time_point started) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - started)
                                        .count());
}

std::string millis(std::uint64_t us) {
  return std::to_string(us / 1000) + "." + std::to_string(1000 + us % 1000).substr(1);
}

void check_work(uv_work_t* work) {  // on a pool thread: the job only
  auto* job = static_cast<CheckJob*>(work->data);
  if (job->worker_hook) job->worker_hook();
  const auto started = std::chrono::steady_clock::now();
  job->run.emplace(check::run_check_from(
      {*job->view, job->cache ? &*job->cache : nullptr, job->cluster_id, job->audit_key},
      std::move(job->from)));
  job->view.reset();  // ends the read transaction: the WAL may be checkpointed again
  job->cache.reset();
  job->check_us = micros_since(started);
}

void check_done(uv_work_t* work, int status) {  // on the loop
  std::unique_ptr<CheckJob> job(static_cast<CheckJob*>(work->data));
  Server::Impl& impl = *job->impl;
  TALLY_INVARIANT(impl.check_job == job.get(), "the server's one check job");
  impl.check_job = nullptr;
  const CallPtr& call = job->call;
  if (status == UV_ECANCELED) {
    impl.log("event=check cancelled=true");
    return impl.respond_unavailable(call, "NODE_STOPPING", "the node stopped before the check");
  }
  TALLY_INVARIANT(status == 0 && job->run.has_value(), "a check job that ran");
  Result<check::CheckRun>& run = *job->run;
  if (!run.ok()) return impl.respond_core_error(call, run.error());
  check::CheckReport& report = run->report;
  if (job->full) report.full_reason = "requested";
  impl.check_checkpoint = std::move(run->checkpoint);
  const char* mode = report.incremental ? "incremental" : "full";
  impl.log("event=check ok=" + std::string(report.ok() ? "true" : "false") + " mode=" + mode +
           " from=" + std::to_string(report.from_sequence) +
           " to=" + std::to_string(report.to_sequence) +
           " entries=" + std::to_string(report.entries_verified) +
           " us=" + std::to_string(job->check_us) + " pin_us=" + std::to_string(job->pin_us));
  JsonWriter out;
  write_check_report(out, report);
  std::string body = out.take();
  body.pop_back();  // the report's object gains the node's fields
  body += ",\"appliedIndex\":" + std::to_string(job->applied_index) +
          ",\"durationMs\":" + millis(job->check_us) + ",\"pinMs\":" + millis(job->pin_us) + "}";
  impl.respond_data(call, 200, body);
}

}  // namespace

void handle_check(Server::Impl& impl, const CallPtr& call) {
  replica::Node& node = *impl.node;
  const auto full_param = call->param("full");
  if (full_param && *full_param != "true" && *full_param != "false") {
    return impl.respond_core_error(call, field_error("full", "true or false"));
  }
  if (impl.check_job != nullptr) {
    return impl.respond_unavailable(call, "CHECK_RUNNING",
                                    "a check is already running on this node; retry later");
  }
  const auto started = std::chrono::steady_clock::now();
  auto job = std::make_unique<CheckJob>();
  auto view = node.pin_read_view();
  if (!view.ok()) return impl.respond_core_error(call, view.error());
  job->view = std::move(view).value();
  job->cache.emplace(node.state_machine().cache());
  job->applied_index = node.applied_index();
  job->impl = &impl;
  job->call = call;
  job->full = full_param && *full_param == "true";
  job->cluster_id = impl.config.cluster_id;
  job->audit_key = impl.config.audit_key;
  job->worker_hook = impl.config.check_worker_hook;
  if (!job->full) job->from = std::move(impl.check_checkpoint);
  impl.check_checkpoint.reset();  // the job owns it now; check_done hands the next one back
  job->pin_us = micros_since(started);
  job->work.data = job.get();
  const int queued = uv_queue_work(impl.loop, &job->work, check_work, check_done);
  TALLY_INVARIANT(queued == 0, "uv_queue_work takes a job with both callbacks");
  impl.check_job = job.release();
}

void finish_check(Server::Impl& impl) {
  if (impl.check_job == nullptr) return;
  uv_cancel(reinterpret_cast<uv_req_t*>(&impl.check_job->work));  // fails once it runs: fine
  while (impl.check_job != nullptr)
    uv_run(impl.loop, UV_RUN_ONCE);
}

void handle_log(Server::Impl& impl, const CallPtr& call) {
  std::uint64_t after = 0;
  std::size_t limit = 1000;
  if (auto text = call->param("after")) {
    auto parsed = parse_id(*text, "after");
    if (!parsed.ok()) return impl.respond_core_error(call, parsed.error());
    after = parsed.value();
  }
  if (auto text = call->param("pageSize")) {
    auto parsed = parse_id(*text, "pageSize");
    if (!parsed.ok()) return impl.respond_core_error(call, parsed.error());
    if (parsed.value() == 0 || parsed.value() > 10000)
      return impl.respond_core_error(call, field_error("pageSize", "between 1 and 10000"));
    limit = parsed.value();
  }
  JsonWriter out;
  out.begin_array();
  std::size_t count = 0;
  Status failure = ok_status();
  Status scanned = store::scan_range(impl.node->store(), audit::audit_row_key(after + 1),
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
                                       out.string(format_timestamp(entry.value().timestamp_us));
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
  if (!scanned.ok()) return impl.respond_core_error(call, scanned.error());
  if (!failure.ok()) return impl.respond_core_error(call, failure.error());
  out.end_array();
  impl.respond_data(call, 200, out.take());
}

void handle_metrics(Server::Impl& impl, const CallPtr& call) {
  impl.respond(call, 200, impl.owner->metrics().render(*impl.node));
}

}  // namespace tally::http
