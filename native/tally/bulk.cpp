#include "native/tally/bulk.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "core/crypto/sha256.hpp"
#include "native/tally/json_tree.hpp"

namespace tally::cli {
namespace {

// Formance's v2 bulk route: atomic, or each element on its own (stopping at the first
// failure unless continue_on_failure), all in one request and one log entry.
std::string bulk_path(const std::string& ledger, bool atomic, bool continue_on_failure) {
  std::string path = "/v2/" + path_segment(ledger) + "/_bulk";
  if (atomic) return path + "?atomic=true";
  return path + (continue_on_failure ? "?continueOnFailure=true" : "?continueOnFailure=false");
}

// A hash of length-prefixed parts (no two part lists share an encoding), as a key.
std::string derived_key(const std::vector<std::string>& parts) {
  crypto::Sha256 hash;
  for (const auto& part : parts) {
    const std::string length = std::to_string(part.size()) + ":";
    hash.update(length);
    hash.update(part);
  }
  const auto digest = hash.finish();
  return "bulk-" + to_hex(ByteView(digest.data(), digest.size())).substr(0, 32);
}

Result<json::Json> read_elements(const std::string& file) {
  std::ifstream input(file);
  if (!input) return make_error(Code::kValidation, "cannot read " + file);
  std::stringstream text;
  text << input.rdbuf();
  auto json = json::parse_json(text.str());
  if (!json.ok()) return make_error(Code::kValidation, file + ": " + json.error().message);
  if (json.value().type != json::Json::Type::kArray)
    return make_error(Code::kValidation, file + ": not a JSON array of bulk elements");
  for (std::size_t i = 0; i < json.value().items.size(); ++i) {
    if (!json.value().items[i].is_object())
      return make_error(Code::kValidation,
                        file + ": element " + std::to_string(i) + " is not an object");
  }
  return json;
}

std::string text_of(const json::Json* json) {
  return json == nullptr ? std::string() : json->text;
}

// What became of one element.
struct ElementResult {
  enum class Kind { kApplied, kReplayed, kFailed, kSkipped } kind = Kind::kSkipped;
  json::Json answer;   // the API's result for it (skipped: {"responseType": "SKIPPED"})
  std::string reason;  // failed: "CODE: message"
};

ElementResult failed(std::string code, std::string message) {
  ElementResult result;
  result.kind = ElementResult::Kind::kFailed;
  result.reason = code + ": " + message;
  result.answer.type = json::Json::Type::kObject;
  result.answer.members.emplace_back("responseType", json_string("ERROR"));
  result.answer.members.emplace_back("errorCode", json_string(std::move(code)));
  result.answer.members.emplace_back("errorDescription", json_string(std::move(message)));
  return result;
}

// One element's result from its item of the node's answer.
ElementResult element_result(const json::Json& item) {
  if (text_of(item.find("responseType")) == "ERROR") {
    return failed(text_of(item.find("errorCode")), text_of(item.find("errorDescription")));
  }
  ElementResult result;
  const json::Json* hit = item.find("idempotencyHit");
  result.kind = hit != nullptr && hit->boolean ? ElementResult::Kind::kReplayed
                                               : ElementResult::Kind::kApplied;
  result.answer = item;
  return result;
}

void print_line(std::size_t index, const json::Json& element, const ElementResult& result) {
  std::string line = "[" + std::to_string(index) + "] " + text_of(element.find("action")) + ": ";
  const json::Json* data = result.answer.find("data");
  const std::string id = data != nullptr ? text_of(data->find("id")) : "";
  switch (result.kind) {
    case ElementResult::Kind::kApplied: line += "ok"; break;
    case ElementResult::Kind::kReplayed: line += "replayed (applied before)"; break;
    case ElementResult::Kind::kFailed: line += "FAILED " + result.reason; break;
    case ElementResult::Kind::kSkipped:
      line += "not applied (an element before it failed; --continue-on-failure runs the rest)";
      break;
  }
  if (!id.empty() && result.kind != ElementResult::Kind::kFailed) line += ", tx " + id;
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// Each element with its key, in file order: its own "ik", else bulk_element_key().
std::vector<json::Json> keyed_elements(const json::Json& elements, const BulkOptions& options) {
  std::map<std::string, std::size_t> seen;  // canonical element -> occurrences so far
  std::vector<json::Json> keyed;
  for (const auto& element : elements.items) {
    keyed.push_back(element);
    const std::string canonical = json_text(element, KeyOrder::kSorted);
    const std::size_t occurrence = seen[canonical]++;
    if (element.find("ik") != nullptr) continue;
    keyed.back().members.emplace_back(
        "ik",
        json_string(bulk_element_key(options.ledger, options.run_key, canonical, occurrence)));
  }
  return keyed;
}

void print_json(const std::vector<ElementResult>& results, std::optional<std::size_t> first) {
  json::Json out;
  out.type = json::Json::Type::kObject;
  json::Json data;
  data.type = json::Json::Type::kArray;
  for (const auto& result : results)
    data.items.push_back(result.answer);
  out.members.emplace_back("data", std::move(data));
  if (first) {
    json::Json index;
    index.type = json::Json::Type::kNumber;
    index.text = std::to_string(*first);
    out.members.emplace_back("firstFailure", std::move(index));
  }
  std::printf("%s\n", json_text(out, KeyOrder::kDocument).c_str());
}

// Every element in one request, each keyed, applied on its own in order: the node stops at
// the first failure unless told to go on, and answers one result per element.
int send_each(const Client& client, const BulkOptions& options, const json::Json& elements) {
  Client sender = client;
  sender.auto_key = false;  // each element carries its own; the request has none
  const std::vector<json::Json> keyed = keyed_elements(elements, options);
  std::string body = "[";
  for (std::size_t i = 0; i < keyed.size(); ++i)
    body += (i ? "," : "") + json_text(keyed[i], KeyOrder::kDocument);
  body += "]";
  const auto response =
      sender.call("POST", bulk_path(options.ledger, false, options.continue_on_failure), body);
  if (!response.ok()) {
    std::fprintf(stderr, "tally: bulk: %s\n", response.error().message.c_str());
    return 1;
  }
  auto answer = json::parse_json(response.value().body);
  const json::Json* data = answer.ok() ? answer.value().find("data") : nullptr;
  if (data == nullptr || data->type != json::Json::Type::kArray ||
      data->items.size() != keyed.size()) {
    // The request as a whole was refused (an unknown ledger, a malformed element).
    return client.print(response.value());
  }
  ElementResult skipped;
  skipped.answer.type = json::Json::Type::kObject;
  skipped.answer.members.emplace_back("responseType", json_string("SKIPPED"));
  std::vector<ElementResult> results(keyed.size(), skipped);
  std::optional<std::size_t> first_failure;
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    // After a failure without continue-on-failure, the node ran nothing more.
    if (first_failure && !options.continue_on_failure) break;
    results[i] = element_result(data->items[i]);
    if (results[i].kind == ElementResult::Kind::kFailed && !first_failure) first_failure = i;
  }
  if (client.json) {
    print_json(results, first_failure);
  } else {
    for (std::size_t i = 0; i < keyed.size(); ++i)
      print_line(i, keyed[i], results[i]);
  }
  if (!first_failure) return 0;
  std::fprintf(stderr, "tally: bulk element %zu (%s) failed: %s\n", *first_failure,
               text_of(keyed[*first_failure].find("action")).c_str(),
               results[*first_failure].reason.c_str());
  return 1;
}

}  // namespace

std::string bulk_element_key(const std::string& ledger, const std::string& run_key,
                             const std::string& element, std::size_t occurrence) {
  return derived_key(
      {"tally-bulk-element/1", ledger, run_key, element, std::to_string(occurrence)});
}

int send_bulk(const Client& client, const BulkOptions& options) {
  auto elements = read_elements(options.file);
  if (!elements.ok()) {
    std::fprintf(stderr, "tally: %s\n", elements.error().message.c_str());
    return 2;
  }
  if (options.atomic) {
    const std::string body = json_text(elements.value(), KeyOrder::kDocument);
    const std::string key = !options.run_key.empty()
                                ? options.run_key
                                : derived_key({"tally-bulk-atomic/1", options.ledger,
                                               json_text(elements.value(), KeyOrder::kSorted)});
    return client.run("POST", bulk_path(options.ledger, true, false), body,
                      {{"Idempotency-Key", key}});
  }
  if (elements.value().items.empty()) {
    std::printf("%s\n", client.json ? "{\"data\":[]}" : "the file holds no elements");
    return 0;
  }
  return send_each(client, options, elements.value());
}

}  // namespace tally::cli
