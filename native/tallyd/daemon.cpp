#include "native/tallyd/daemon.hpp"

#include <csignal>

#include "native/tallyd/client_auth.hpp"
#include "native/tallyd/log.hpp"

namespace tally::tallyd {

Daemon::Daemon() {
  uv_loop_init(&loop_);
}

Daemon::~Daemon() = default;

void Daemon::close_loop() {
  uv_run(&loop_, UV_RUN_NOWAIT);
  uv_loop_close(&loop_);
}

std::optional<int> Daemon::start(NodeSetup setup) {
  const std::string data_dir = setup.raft.data_dir;
  const std::string cluster_id = setup.node.fsm.cluster_id;
  const std::size_t voters = setup.raft.voters.size();
  auto host = replica::UvHost::start(&loop_, setup.raft, std::move(setup.node));
  if (!host.ok()) {
    Fields fields{{"data_dir", data_dir},
                  {"code", std::string(code_name(host.error().code))},
                  {"reason", host.error().message}};
    if (host.error().code == Code::kCorrupt)
      fields.push_back({"note",
                        "damaged data dir left as it was: restore it from a backup, or "
                        "wipe this node and add it back to the cluster"});
    log_event("error", "data_dir_refused", fields);
    close_loop();
    return exit_code_of(host.error().code);
  }
  host_ = std::move(host).value();
  revoked_tokens_file_ = setup.revoked_tokens_file;
  const std::string http_address = setup.server.http_address;
  const char* const scheme = setup.server.tls ? "https" : "http";
  auto started = http::Server::start(&loop_, std::move(setup.server), host_->node());
  if (!started.ok()) {
    log_event("error", "http_refused", {{"reason", started.error().message}});
    host_->close([this] { uv_stop(&loop_); });
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_run(&loop_, UV_RUN_NOWAIT);
    host_.reset();
    uv_loop_close(&loop_);
    return kExitConfiguration;
  }
  server_ = std::move(started).value();
  log_event("info", "started",
            {{"raft", setup.raft.address},
             {"http", http_address},
             {"scheme", scheme},
             {"data_dir", data_dir},
             {"cluster", cluster_id},
             {"voters", std::to_string(voters)},
             {"applied_index", std::to_string(host_->node().applied_index())}});
  return std::nullopt;
}

void Daemon::serve() {
  auto on_signal = [](uv_signal_t* handle, int signal) {
    static_cast<Daemon*>(handle->data)->stop(0, signal == SIGTERM ? "SIGTERM" : "SIGINT");
  };
  // A failed node has its host close libraft at once (UvHost); the daemon then stops too,
  // with the failure's exit code (the watchdog would notice within 100 ms anyway).
  host_->on_failure_closed([this] {
    const auto& failure = host_->node().failure();
    stop(kExitFailure, "node failed: " + (failure ? failure->message : std::string()));
  });
  uv_signal_init(&loop_, &sigterm_);
  uv_signal_init(&loop_, &sigint_);
  sigterm_.data = sigint_.data = this;
  uv_signal_start(&sigterm_, on_signal, SIGTERM);
  uv_signal_start(&sigint_, on_signal, SIGINT);
  uv_signal_init(&loop_, &sighup_);
  sighup_.data = this;
  uv_signal_start(
      &sighup_, [](uv_signal_t* handle, int) { static_cast<Daemon*>(handle->data)->reload(); },
      SIGHUP);
  uv_timer_init(&loop_, &watchdog_);
  watchdog_.data = this;
  uv_timer_start(
      &watchdog_, [](uv_timer_t* timer) { static_cast<Daemon*>(timer->data)->watch(); }, 100, 100);
  uv_run(&loop_, UV_RUN_DEFAULT);
}

void Daemon::reload() {
  if (revoked_tokens_file_.empty()) {
    log_event("info", "sighup", {{"note", "no --revoked-tokens-file: nothing to read again"}});
    return;
  }
  reload_revoked_tokens(revoked_tokens_file_, *server_);
}

void Daemon::watch() {
  replica::Node& node = host_->node();
  if (node.failed()) return stop(kExitFailure, "node failed: " + node.failure()->message);
  if (node.leader_id() == last_leader_) return;
  last_leader_ = node.leader_id();
  log_event("info", "leader",
            {{"leader", std::to_string(last_leader_)},
             {"term", std::to_string(node.term())},
             {"applied_index", std::to_string(node.applied_index())}});
}

void Daemon::stop(int code, const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  exit_code_ = code;
  log_event(code == 0 ? "info" : "error", "stopping", {{"reason", why}});
  server_->close_connections();
  uv_signal_stop(&sigterm_);
  uv_signal_stop(&sigint_);
  uv_signal_stop(&sighup_);
  uv_timer_stop(&watchdog_);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sighup_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog_), nullptr);
  // The host answers every pending write (kUnknown -> 503) and closes libraft and the store.
  host_->close([this] { uv_stop(&loop_); });
}

int Daemon::shut_down() {
  // Let the answers to the last requests go out, then take h2o down.
  for (int i = 0; i < 10; ++i)
    uv_run(&loop_, UV_RUN_NOWAIT);
  const std::uint64_t applied = host_->node().applied_index();
  server_.reset();  // waits for a /_tally/check still running on the thread pool
  uv_run(&loop_, UV_RUN_NOWAIT);
  host_.reset();
  uv_loop_close(&loop_);
  log_event(
      "info", "stopped",
      {{"applied_index", std::to_string(applied)}, {"exit_code", std::to_string(exit_code_)}});
  return exit_code_;
}

}  // namespace tally::tallyd
