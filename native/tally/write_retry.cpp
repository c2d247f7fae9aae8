// Writes through leader changes (client.hpp: Client::send_write). A follower answers a write
// with a redirect to the leader it knows (docs/design.md §9); right after that leader died, the
// redirect points at a node that is gone, and until an election ends every node answers 503
// NO_LEADER. The write is then sent again, with backoff, through the node the user named and
// the cluster's other known nodes, until a bounded budget has passed. Each try carries the
// same Idempotency-Key, so a write that did apply before its answer was lost is answered from
// its record on the retry and never applies twice.
#include <chrono>
#include <random>
#include <thread>

#include "native/tally/client.hpp"

namespace tally::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kRedirectsMax = 5;  // per try: a follower, then the leader
constexpr int kBackoffFirstMs = 100;
constexpr int kBackoffMaxMs = 1000;

struct Attempt {
  std::string url;
  std::string outcome;
};

// "http[s]://host:port" of a URL: the node, without the path.
std::string origin_of(const std::string& url) {
  const std::size_t scheme = url.find("://");
  return url.substr(0, url.find('/', scheme == std::string::npos ? 0 : scheme + 3));
}

// A base URL without trailing slashes, as join_url() uses it.
std::string base_of(const std::string& url) {
  return join_url(url, "");
}

std::string error_code_of(const HttpResponse& response) {
  auto json = json::parse_json(response.body);
  if (json.ok()) {
    if (const json::Json* code = json.value().find("errorCode")) return code->text;
  }
  return "";
}

// The requests sent, one line per node in the order first tried, with how many and the last
// outcome.
std::string summary(const std::vector<Attempt>& attempts) {
  std::vector<std::pair<std::string, std::pair<int, std::string>>> by_node;
  for (const auto& attempt : attempts) {
    const std::string node = origin_of(attempt.url);
    auto it = by_node.begin();
    while (it != by_node.end() && it->first != node)
      ++it;
    if (it == by_node.end()) it = by_node.insert(by_node.end(), {node, {0, ""}});
    it->second.first += 1;
    it->second.second = attempt.outcome;
  }
  std::string out;
  for (const auto& [node, tries] : by_node) {
    out += "\n  " + node + ": " + tries.second;
    if (tries.first > 1) out += " (" + std::to_string(tries.first) + " requests)";
  }
  return out;
}

// The nodes to try in turn: the one the user named first, then the others known.
std::vector<std::string> candidates_of(const Client& client) {
  std::vector<std::string> candidates{base_of(client.node)};
  for (const auto& peer : client.peers) {
    bool known = false;
    for (const auto& candidate : candidates)
      known = known || candidate == base_of(peer);
    if (!known) candidates.push_back(base_of(peer));
  }
  return candidates;
}

enum class Verdict { kAnswer, kRetry };

// One try: the request to `url`, redirects followed by hand. An answer to return as is, or a
// reason to retry (recorded in `attempts`).
Verdict try_once(HttpRequest request, std::vector<Attempt>& attempts, Result<HttpResponse>& last) {
  for (int hop = 0; hop <= kRedirectsMax; ++hop) {
    last = http_call(request);
    if (!last.ok() && last.error().code == Code::kConfiguration) return Verdict::kAnswer;
    if (!last.ok()) {
      attempts.push_back({request.url, last.error().message});
      return Verdict::kRetry;
    }
    const HttpResponse& answer = last.value();
    if (answer.status == 307 || answer.status == 308) {
      const std::string location = answer.header("location");
      if (!follows_redirect(request.url, location)) return Verdict::kAnswer;
      attempts.push_back({request.url, "redirected to the leader " + origin_of(location)});
      request.url = location;
      continue;
    }
    if (answer.status == 503) {
      const std::string code = error_code_of(answer);
      attempts.push_back({request.url, "503 " + (code.empty() ? "unavailable" : code)});
      return Verdict::kRetry;
    }
    return Verdict::kAnswer;
  }
  attempts.push_back({request.url, "more than " + std::to_string(kRedirectsMax) + " redirects"});
  return Verdict::kRetry;
}

}  // namespace

std::string random_hex(std::size_t digits) {
  static const char* hex = "0123456789abcdef";
  std::random_device device;
  std::string out;
  while (out.size() < digits) {
    std::uint32_t bits = device();
    for (int digit = 0; digit < 8 && out.size() < digits; ++digit, bits >>= 4)
      out += hex[bits & 15];
  }
  return out;
}

std::string generated_idempotency_key() {
  return "cli-" + random_hex(32);
}

Result<HttpResponse> Client::send_write(HttpRequest request, const std::string& path) const {
  request.redirects_max = 0;
  const std::vector<std::string> candidates = candidates_of(*this);
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::milliseconds(write_retry_ms);
  std::vector<Attempt> attempts;
  Result<HttpResponse> last = make_error(Code::kStorage, "not sent");
  int backoff_ms = kBackoffFirstMs;
  for (std::size_t turn = 0;; ++turn) {
    request.url = candidates[turn % candidates.size()] + path;
    if (try_once(request, attempts, last) == Verdict::kAnswer) return last;
    // The node the user named cannot be reached and no other is known: say so at once.
    if (turn == 0 && attempts.size() == 1 && !last.ok() && candidates.size() == 1) return last;
    // The last wait is cut to what is left of the budget, so the last try comes at its end.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < kBackoffFirstMs) break;
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(backoff_ms)));
    backoff_ms = std::min(backoff_ms * 2, kBackoffMaxMs);
  }
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  std::string key;
  for (const auto& [name, value] : request.headers) {
    if (name == "Idempotency-Key") key = value;
  }
  std::string message = "no leader took the write after " + std::to_string(attempts.size()) +
                        " requests in " + std::to_string(waited) + " ms:" + summary(attempts);
  if (!key.empty()) {
    message +=
        "\nit may have applied: the same command with --ik " + key + " applies it at most once";
  }
  return make_error(Code::kStorage, message);
}

}  // namespace tally::cli
