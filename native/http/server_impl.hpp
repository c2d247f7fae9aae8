// Internals shared by the server's files (not part of the API): one request being answered
// (Call), the server's state (Server::Impl) and the answers every handler gives.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" {
#include <h2o.h>
}

#include "core/check/checkpoint.hpp"
#include "core/crypto/sha256.hpp"
#include "native/http/errors.hpp"
#include "native/http/open_connections.hpp"
#include "native/http/server.hpp"
#include "native/json/views_json.hpp"
#include "native/raft/loop_stall_watch.hpp"

namespace tally::http {

struct Route;

// One request being answered. Shared by the callbacks that may answer it later (writes,
// read waits); `alive` turns false when h2o disposes the request (the client went away),
// after which req must not be touched.
struct Call {
  Server::Impl* impl = nullptr;
  h2o_req_t* req = nullptr;
  std::shared_ptr<bool> alive;
  std::string method;
  std::vector<std::string> segments;        // the decoded path, without the /api/ledger prefix
  std::optional<ApiError> refusal;          // the path is not canonical (canonical_request.hpp)
  std::optional<auth::TokenClaims> claims;  // the caller's verified token, when auth is on
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> path_params;  // {ledger}, {id}, ...
  const Route* route = nullptr;
  std::string metric = "unknown";  // the route's name, for metrics
  std::uint64_t started_ns = 0;
  bool answered = false;

  std::optional<std::string> header(std::string_view name) const;  // lower-case name
  std::optional<std::string> param(std::string_view name) const;
  const std::string& path_param(std::string_view name) const;  // REQUIRES: the pattern has it
  std::string_view body() const;
  std::string path_and_query() const;
  json::RenderOptions render_options() const;  // Formance-Bigint-As-String
};
using CallPtr = std::shared_ptr<Call>;

using Headers = std::vector<std::pair<std::string, std::string>>;

class PoolJob;

struct Server::Impl {
  Server* owner = nullptr;
  replica::Node* node = nullptr;
  ServerConfig config;
  crypto::Digest cursor_key{};  // derive_cursor_key(config.audit_key), cursors.hpp
  uv_loop_t* loop = nullptr;
  h2o_globalconf_t globalconf{};
  h2o_context_t context{};
  h2o_accept_ctx_t accept_context{};
  uv_tcp_t listener{};
  OpenConnections connections;  // accepted, not yet closed by h2o
  bool listening = false;
  bool context_ready = false;
  // Where the next /_tally/check resumes (core/check/checkpoint.hpp): the replay state of the
  // last clean check, in memory only, so a restarted node's first check is full.
  // Absent while a check runs: its job holds it.
  std::optional<check::CheckCheckpoint> check_checkpoint;
  // The /_tally/check running on the thread pool, if any (node_routes.cpp).
  PoolJob* check_job = nullptr;
  // The /_tally/digest running on the thread pool, if any (node_digest.cpp).
  PoolJob* digest_job = nullptr;
  // How late the loop runs a timer: its stalls, for /_tally/info and /_tally/metrics.
  replica::LoopStallWatch loop_stalls;

  // Answers (no-ops once the client is gone or the call is answered).
  void respond(const CallPtr& call, int status, std::string body, const Headers& headers = {});
  void respond_data(const CallPtr& call, int status, const std::string& data_json,
                    const Headers& headers = {});
  // The one way an error is answered: errors.hpp classifies it.
  void respond_error(const CallPtr& call, const ApiError& error, const Headers& headers = {});
  void respond_error(const CallPtr& call, const Error& error, const Headers& headers = {});

  void dispatch(const CallPtr& call);
  // "https://" or "http://": how clients reach this node and, the scheme being the
  // cluster's, its peers.
  const char* scheme() const { return config.tls ? "https://" : "http://"; }
  void log(const std::string& event) const {
    if (config.log) config.log(event);
  }
};

}  // namespace tally::http
