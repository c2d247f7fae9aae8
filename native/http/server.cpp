#include "native/http/server.hpp"

#include <chrono>
#include <cstring>
#include <new>

#include "core/domain/validation.hpp"
#include "native/http/canonical_request.hpp"
#include "native/http/cursors.hpp"
#include "native/http/pool_job.hpp"
#include "native/http/reads.hpp"
#include "native/http/route_access.hpp"
#include "native/http/route_table.hpp"
#include "native/http/server_impl.hpp"
#include "native/json/json.hpp"

namespace tally::http {
namespace {

struct H2oHandler {
  h2o_handler_t super;
  Server::Impl* impl;
};

// h2o answers some requests itself before any handler runs (a body over
// max_request_entity_size: 413; a malformed request: 400), in plain text, through the host's
// fallback path (h2o_send_error_generic binds it). This filter on that path turns those
// answers into the API's JSON error shape, so a client sees {"errorCode","errorMessage"} for
// every error. Only h2o's own errors reach the fallback path: our handler serves "/".
struct JsonErrorFilter {
  h2o_filter_t super;
  Server::Impl* impl;
};

struct JsonErrorStream {
  h2o_ostream_t super;
  Server::Impl* impl;
  std::string* text;  // h2o's plain-text body, gathered until the final send (pool-owned)
};

void json_error_dispose(void* text) {
  static_cast<std::string*>(text)->~basic_string();
}

void json_error_send(h2o_ostream_t* self, h2o_req_t* req, h2o_iovec_t* bufs, size_t count,
                     h2o_send_state_t state) {
  auto* stream = reinterpret_cast<JsonErrorStream*>(self);
  for (size_t i = 0; i < count; ++i)
    stream->text->append(bufs[i].base, bufs[i].len);
  if (h2o_send_state_is_in_progress(state)) {
    h2o_ostream_send_next(&stream->super, req, nullptr, 0, state);
    return;
  }
  std::string message = *stream->text;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  if (req->res.status == 413) {
    message += " (the limit is " + std::to_string(stream->impl->config.body_bytes_max) + " bytes)";
  }
  const std::string json = error_body(ApiError{req->res.status, "VALIDATION", message, ""});
  h2o_iovec_t body = h2o_strdup(&req->pool, json.data(), json.size());
  req->res.content_length = body.len;  // read when the headers go out, on this first send
  stream->impl->owner->metrics().record_request("refused by h2o", req->res.status, 0);
  h2o_ostream_send_next(&stream->super, req, &body, 1, state);
}

void json_error_setup(h2o_filter_t* self, h2o_req_t* req, h2o_ostream_t** slot) {
  if (req->res.status >= 400) {
    auto* filter = reinterpret_cast<JsonErrorFilter*>(self);
    auto* stream =
        reinterpret_cast<JsonErrorStream*>(h2o_add_ostream(req, sizeof(JsonErrorStream), slot));
    stream->super.do_send = json_error_send;
    stream->impl = filter->impl;
    void* memory = h2o_mem_alloc_shared(&req->pool, sizeof(std::string), json_error_dispose);
    stream->text = new (memory) std::string();
    static constexpr char kJson[] = "application/json";
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, kJson, sizeof kJson - 1,
                   1);
    slot = &stream->super.next;
  }
  h2o_setup_next_ostream(req, slot);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() + 0 && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else if (plus_is_space && text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> split_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t at = 0;
  while (at < query.size()) {
    std::size_t amp = query.find('&', at);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(at, amp - at);
    std::size_t equals = pair.find('=');
    if (!pair.empty()) {
      out.emplace_back(percent_decode(pair.substr(0, equals), true),
                       equals == std::string_view::npos
                           ? std::string()
                           : percent_decode(pair.substr(equals + 1), true));
    }
    at = amp + 1;
  }
  return out;
}

std::uint64_t wall_clock_s() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// A body must say it is JSON (canonical_request.hpp).
std::optional<ApiError> refuse_content_type(const Call& call) {
  if (call.body().empty()) return std::nullopt;
  const auto type = call.header("content-type");
  if (type && is_json_media_type(*type)) return std::nullopt;
  return ApiError{415, "VALIDATION",
                  "a request body must be sent as Content-Type: application/json, not " +
                      (type ? domain::quote_input(*type) : std::string("without one")),
                  ""};
}

// A browser sends Origin with every cross-site write, and no origin is allowed here (no CORS
// header is ever sent): a web page open on the same machine cannot post through a node, even
// one that runs without tokens. Other clients send no Origin.
std::optional<ApiError> refuse_cross_origin(const Call& call) {
  if (call.method == "GET" || call.method == "HEAD") return std::nullopt;
  const auto origin = call.header("origin");
  if (!origin) return std::nullopt;
  return ApiError{403, "FORBIDDEN",
                  "cross-origin writes are refused (Origin " + domain::quote_input(*origin) + ")",
                  ""};
}

const char* reason_of(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

// The pool's dispose hook: h2o is done with the request (answered, or the client left).
void dispose_alive(void* memory) {
  auto* alive = static_cast<std::shared_ptr<bool>*>(memory);
  **alive = false;
  alive->~shared_ptr();
}

int on_request(h2o_handler_t* self, h2o_req_t* req) {
  Server::Impl* impl = reinterpret_cast<H2oHandler*>(self)->impl;
  auto call = std::make_shared<Call>();
  call->impl = impl;
  call->req = req;
  call->alive = std::make_shared<bool>(true);
  void* memory = h2o_mem_alloc_shared(&req->pool, sizeof(std::shared_ptr<bool>), dispose_alive);
  new (memory) std::shared_ptr<bool>(call->alive);
  call->method = std::string(req->method.base, req->method.len);
  // The raw target, never h2o's normalized path (canonical_request.hpp).
  const std::size_t path_bytes = req->query_at == SIZE_MAX ? req->path.len : req->query_at;
  auto segments = canonical_segments(std::string_view(req->path.base, path_bytes));
  if (segments.ok()) {
    call->segments = std::move(segments).value();
  } else {
    call->refusal = api_error(segments.error());
  }
  // The SDKs' gateway prefix: /api/ledger/v2/... is /v2/..., /api/ledger/_/info is /_/info.
  if (call->segments.size() >= 2 && call->segments[0] == "api" && call->segments[1] == "ledger") {
    call->segments.erase(call->segments.begin(), call->segments.begin() + 2);
  }
  if (req->query_at != SIZE_MAX) {
    call->query = split_query(
        std::string_view(req->path.base + req->query_at + 1, req->path.len - req->query_at - 1));
  }
  call->started_ns = uv_hrtime();
  impl->dispatch(call);
  return 0;
}

void on_accept(uv_stream_t* listener, int status) {
  if (status != 0) return;
  auto* impl = static_cast<Server::Impl*>(listener->data);
  const bool over = impl->connections.size() >= impl->config.connections_max;
  uv_tcp_t* connection = impl->connections.open(listener->loop);
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(connection)) != 0 || over) {
    uv_close(reinterpret_cast<uv_handle_t*>(connection), &OpenConnections::on_closed);
    return;
  }
  uv_tcp_nodelay(connection, 1);
  h2o_socket_t* socket =
      h2o_uv_socket_create(reinterpret_cast<uv_stream_t*>(connection), &OpenConnections::on_closed);
  h2o_accept(&impl->accept_context, socket);
}

Result<std::pair<std::string, int>> split_address(const std::string& address) {
  std::size_t colon = address.rfind(':');
  if (colon == std::string::npos)
    return make_error(Code::kConfiguration, "expected HOST:PORT, got " + address);
  int port = std::atoi(address.c_str() + colon + 1);
  if (port < 0 || port > 65535) return make_error(Code::kConfiguration, "bad port in " + address);
  return std::make_pair(address.substr(0, colon), port);
}

}  // namespace

std::optional<std::string> Call::header(std::string_view name) const {
  for (std::size_t i = 0; i < req->headers.size; ++i) {
    const h2o_header_t& entry = req->headers.entries[i];
    if (lower(std::string_view(entry.name->base, entry.name->len)) == name)
      return std::string(entry.value.base, entry.value.len);
  }
  return std::nullopt;
}

std::optional<std::string> Call::param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

const std::string& Call::path_param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  TALLY_INVARIANT(false, "a handler asked for a parameter its route's pattern lacks");
  static const std::string kNone;
  return kNone;
}

json::RenderOptions Call::render_options() const {
  json::RenderOptions options;
  if (auto value = header("formance-bigint-as-string")) {
    std::string v = lower(*value);
    options.bigint_as_string = v == "true" || v == "yes" || v == "y" || v == "1";
  }
  return options;
}

std::string_view Call::body() const {
  if (req->entity.base == nullptr) return {};
  return std::string_view(req->entity.base, req->entity.len);
}

std::string Call::path_and_query() const {
  return std::string(req->path.base, req->path.len);
}

void Server::Impl::respond(const CallPtr& call, int status, std::string body,
                           const Headers& headers) {
  if (call->answered || !*call->alive) return;
  call->answered = true;
  h2o_req_t* req = call->req;
  req->res.status = status;
  req->res.reason = reason_of(status);
  if (!body.empty()) {
    const char* type =
        body[0] == '{' || body[0] == '[' ? "application/json" : "text/plain; version=0.0.4";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, nullptr, type,
                   std::strlen(type));
  }
  for (const auto& [name, value] : headers) {
    char* name_copy = h2o_strdup(&req->pool, name.data(), name.size()).base;
    char* value_copy = h2o_strdup(&req->pool, value.data(), value.size()).base;
    h2o_add_header_by_str(&req->pool, &req->res.headers, name_copy, name.size(), 1, nullptr,
                          value_copy, value.size());
  }
  // Every answer names the cluster, so a client that records a write's Tally-Applied-Index
  // can tell which cluster it belongs to (the CLI's read-your-writes, native/tally/client.hpp).
  h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("tally-cluster-id"), 1, nullptr,
                        config.cluster_id.data(), config.cluster_id.size());
  req->res.content_length = body.size();
  const double seconds = static_cast<double>(uv_hrtime() - call->started_ns) / 1e9;
  owner->metrics().record_request(call->metric, status, seconds);
  h2o_send_inline(req, body.data(), body.size());
}

void Server::Impl::respond_data(const CallPtr& call, int status, const std::string& data_json,
                                const Headers& headers) {
  respond(call, status, json::data_body(data_json), headers);
}

void Server::Impl::respond_error(const CallPtr& call, const ApiError& error,
                                 const Headers& headers) {
  Headers all = headers;
  if (retryable(error)) all.emplace_back("retry-after", std::to_string(config.retry_after_seconds));
  respond(call, error.status, error_body(error), all);
}

void Server::Impl::respond_error(const CallPtr& call, const Error& error, const Headers& headers) {
  respond_error(call, api_error(error), headers);
}

void Server::Impl::dispatch(const CallPtr& call) {
  if (call->refusal) return respond_error(call, *call->refusal);
  std::string allow;
  const Route* route = match_route(*call, allow);
  if (route == nullptr) {
    if (!allow.empty())
      return respond_error(call, method_not_allowed(call->method), {{"allow", allow}});
    return respond_error(call, route_not_found(call->method, call->path_and_query()));
  }
  call->route = route;
  call->metric = metric_name(*route);
  if (config.tokens) {
    if (auto refused = refuse_access(*call, *route, *config.tokens, wall_clock_s())) {
      Headers headers;
      if (refused->status == 401)
        headers.emplace_back("www-authenticate", "Bearer realm=\"tally\"");
      return respond_error(call, *refused, headers);
    }
  }
  if (auto refused = refuse_cross_origin(*call)) return respond_error(call, *refused);
  const std::size_t body_max =
      route->body_bytes_max != 0 ? route->body_bytes_max : config.body_bytes_max;
  if (call->body().size() > body_max) {
    return respond(call, 413,
                   error_body(ApiError{413, "VALIDATION",
                                       "body of " + std::to_string(call->body().size()) +
                                           " bytes, over the limit of " + std::to_string(body_max),
                                       ""}));
  }
  if (auto refused = refuse_content_type(*call)) return respond_error(call, *refused);
  if (route->kind == RouteKind::kRead) return run_read(*this, call, route->handler);
  route->handler(*this, call);
}

Result<std::unique_ptr<Server>> Server::start(uv_loop_t* loop, ServerConfig config,
                                              replica::Node& node) {
  auto address = split_address(config.http_address);
  if (!address.ok()) return std::move(address).error();
  if (!config.tokens && !config.auth_off)
    return make_error(Code::kConfiguration, "no token key for client tokens, and auth not off");
  if (!config.audit_key.is_set())
    return make_error(Code::kConfiguration, "no audit key: the checker and cursors need it");
  std::unique_ptr<Server> server(new Server());
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  impl.owner = server.get();
  impl.node = &node;
  impl.loop = loop;
  impl.config = std::move(config);
  impl.cursor_key = derive_cursor_key(impl.config.audit_key);

  h2o_config_init(&impl.globalconf);
  // h2o refuses what is far over the limit as soon as it sees the Content-Length (413, made
  // JSON by JsonErrorFilter), without buffering it; the handler refuses the rest (it has read
  // the whole body, so the client reads the answer before the connection closes).
  impl.globalconf.max_request_entity_size = impl.config.body_bytes_max * 2;
  impl.globalconf.http1.upgrade_to_http2 = 0;
  impl.globalconf.http1.req_timeout = impl.config.request_timeout_ms;
  impl.globalconf.handshake_timeout = impl.config.request_timeout_ms;
  h2o_hostconf_t* host =
      h2o_config_register_host(&impl.globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
  h2o_pathconf_t* path = h2o_config_register_path(host, "/", 0);
  auto* handler = reinterpret_cast<H2oHandler*>(h2o_create_handler(path, sizeof(H2oHandler)));
  handler->super.on_req = on_request;
  handler->impl = &impl;
  auto* filter = reinterpret_cast<JsonErrorFilter*>(
      h2o_create_filter(&host->fallback_path, sizeof(JsonErrorFilter)));
  filter->super.on_setup_ostream = json_error_setup;
  filter->impl = &impl;
  h2o_context_init(&impl.context, loop, &impl.globalconf);
  impl.context_ready = true;
  impl.accept_context.ctx = &impl.context;
  impl.accept_context.hosts = impl.globalconf.hosts;
  impl.accept_context.ssl_ctx = impl.config.tls.get();  // h2o_accept handshakes first

  sockaddr_in bind_address{};
  if (uv_ip4_addr(address.value().first.c_str(), address.value().second, &bind_address) != 0)
    return make_error(Code::kConfiguration, "bad HTTP address " + impl.config.http_address);
  uv_tcp_init(loop, &impl.listener);
  impl.listener.data = &impl;
  impl.listening = true;
  int rv = uv_tcp_bind(&impl.listener, reinterpret_cast<const sockaddr*>(&bind_address), 0);
  if (rv == 0) rv = uv_listen(reinterpret_cast<uv_stream_t*>(&impl.listener), 1024, on_accept);
  if (rv != 0) {
    server->stop_listening();
    uv_run(loop, UV_RUN_NOWAIT);  // the listener's close callback, before the memory goes
    return make_error(Code::kConfiguration,
                      "cannot listen on " + impl.config.http_address + ": " + uv_strerror(rv));
  }
  sockaddr_in bound{};
  int length = sizeof bound;
  uv_tcp_getsockname(&impl.listener, reinterpret_cast<sockaddr*>(&bound), &length);
  server->port_ = ntohs(bound.sin_port);
  impl.loop_stalls.start(loop);
  return server;
}

void Server::stop_listening() {
  if (!impl_ || !impl_->listening) return;
  impl_->listening = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&impl_->listener), nullptr);
}

bool Server::set_revoked_tokens(auth::RevokedTokens revoked) {
  if (!impl_ || !impl_->config.tokens) return false;
  impl_->config.tokens->set_revoked(std::move(revoked));
  return true;
}

void Server::close_connections() {
  if (!impl_) return;
  PoolJob::request_stop(impl_->check_job);  // a running check ends at its next step
  PoolJob::request_stop(impl_->digest_job);
  impl_->loop_stalls.close();
  stop_listening();
  impl_->connections.drain();
}

Server::~Server() {
  if (!impl_) return;
  PoolJob::finish(impl_->loop, impl_->check_job);
  PoolJob::finish(impl_->loop, impl_->digest_job);
  close_connections();
  uv_run(impl_->loop, UV_RUN_NOWAIT);  // the listener's close callback
  if (!impl_->connections.wait_closed(impl_->loop, impl_->config.close_deadline_ms)) {
    // h2o's context still lists these connections: disposing it would abort, so it stays
    // (the process is ending); the connections close with the process.
    impl_->log("event=connections_left count=" + std::to_string(impl_->connections.size()));
    return;
  }
  if (impl_->context_ready) h2o_context_dispose(&impl_->context);
  h2o_config_dispose(&impl_->globalconf);
}

}  // namespace tally::http
