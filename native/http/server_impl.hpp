// Internals shared by server.cpp (h2o plumbing, answers, dispatch) and the route handlers
// (routes_read.cpp, routes_write.cpp). Not part of the API.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" {
#include <h2o.h>
}

#include "core/check/checkpoint.hpp"
#include "native/http/server.hpp"

namespace tally::http {

// One request being answered. Shared by the callbacks that may answer it later (writes,
// read waits); `alive` turns false when h2o disposes the request (the client went away),
// after which req must not be touched.
struct Call {
  Server::Impl* impl = nullptr;
  h2o_req_t* req = nullptr;
  std::shared_ptr<bool> alive;
  std::string method;
  std::vector<std::string> segments;  // the decoded path after /v3
  std::vector<std::pair<std::string, std::string>> query;
  std::string route;  // the pattern, for metrics
  std::uint64_t started_ns = 0;
  bool answered = false;

  std::optional<std::string> header(std::string_view name) const;  // lower-case name
  std::optional<std::string> param(std::string_view name) const;
  std::string_view body() const;
  std::string path_and_query() const;
};
using CallPtr = std::shared_ptr<Call>;

struct CheckJob;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Server::Impl {
  Server* owner = nullptr;
  replica::Node* node = nullptr;
  ServerConfig config;
  uv_loop_t* loop = nullptr;
  h2o_globalconf_t globalconf{};
  h2o_context_t context{};
  h2o_accept_ctx_t accept_context{};
  uv_tcp_t listener{};
  bool listening = false;
  bool context_ready = false;
  // Where the next /v3/_check resumes (core/check/checkpoint.hpp): the replay state of the
  // last clean check, in memory only, so a restarted node's first check is full.
  // Absent while a check runs: its job holds it.
  std::optional<check::CheckCheckpoint> check_checkpoint;
  // The /v3/_check running on the thread pool, if any (routes_read.cpp).
  CheckJob* check_job = nullptr;

  // Answers (no-ops once the client is gone or the call is answered).
  void respond(const CallPtr& call, int status, std::string body, const Headers& headers = {});
  void respond_data(const CallPtr& call, int status, const std::string& data_json,
                    const Headers& headers = {});
  void respond_error(const CallPtr& call, int status, std::string_view code,
                     std::string_view message, const Headers& headers = {});
  void respond_core_error(const CallPtr& call, const Error& error, const Headers& headers = {});
  void respond_unavailable(const CallPtr& call, std::string_view code, std::string_view message);

  void dispatch(const CallPtr& call);
  void log(const std::string& event) const {
    if (config.log) config.log(event);
  }
};

// Handlers (routes_read.cpp, routes_write.cpp). Each answers the call exactly once, now or
// from a later callback.
void handle_info(Server::Impl& impl, const CallPtr& call);
void handle_check(Server::Impl& impl, const CallPtr& call);
void handle_metrics(Server::Impl& impl, const CallPtr& call);
// Cancels the check job not yet started, or runs the loop until the running one is done
// (and answered): the server's destructor calls it before its state goes.
void finish_check(Server::Impl& impl);
// The applied audit chain, oldest first: ?after=SEQUENCE&pageSize=N (trace export).
void handle_log(Server::Impl& impl, const CallPtr& call);
void handle_trace(Server::Impl& impl, const CallPtr& call);  // routes_trace.cpp
// Reads: wait for Tally-Applied-Index first (bounded), then answer from the local store.
void handle_read(Server::Impl& impl, const CallPtr& call);
// Writes: redirect to the leader, validate, pre-check, submit, answer on apply.
void handle_write(Server::Impl& impl, const CallPtr& call);

// The HTTP status and errorCode of a core error.
std::pair<int, std::string_view> http_status_of(Code code);

}  // namespace tally::http
