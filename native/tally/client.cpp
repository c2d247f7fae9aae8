#include "native/tally/client.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "native/tally/arguments.hpp"
#include "native/tally/json_tree.hpp"

namespace tally::cli {
namespace {

std::string scalar(const json::Json& json) {
  switch (json.type) {
    case json::Json::Type::kNull: return "null";
    case json::Json::Type::kBool: return json.boolean ? "true" : "false";
    case json::Json::Type::kNumber:
    case json::Json::Type::kString: return json.text;
    case json::Json::Type::kArray: {
      std::string out;
      for (const auto& item : json.items)
        out += (out.empty() ? "" : ", ") + scalar(item);
      return "[" + out + "]";
    }
    case json::Json::Type::kObject: {
      std::string out;
      for (const auto& [key, value] : json.members)
        out += (out.empty() ? "" : ", ") + key + "=" + scalar(value);
      return "{" + out + "}";
    }
  }
  return "";
}

std::string table(const std::vector<json::Json>& rows) {
  std::vector<std::string> columns;
  for (const auto& row : rows) {
    for (const auto& member : row.members) {
      bool known = false;
      for (const auto& column : columns)
        known = known || column == member.first;
      if (!known) columns.push_back(member.first);
    }
  }
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> widths;
  for (const auto& column : columns)
    widths.push_back(column.size());
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const json::Json* value = row.find(columns[c]);
      std::string text = value ? scalar(*value) : "";
      if (text.size() > 60) text = text.substr(0, 57) + "...";
      widths[c] = std::max(widths[c], text.size());
      line.push_back(text);
    }
    cells.push_back(line);
  }
  auto format = [&](const std::vector<std::string>& line) {
    std::string out;
    for (std::size_t c = 0; c < line.size(); ++c) {
      out += line[c] + std::string(widths[c] - line[c].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    return out + "\n";
  };
  std::string out = format(columns);
  for (const auto& line : cells)
    out += format(line);
  return out;
}

std::string idempotency_key_of(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (name == "Idempotency-Key") return value;
  }
  return "";
}

// Remembers a write's cluster and applied index (client.hpp: read-your-writes).
void record_write(const std::string& state, const HttpResponse& response) {
  // A refused write that was audited (insufficient funds) has an index too: recording it
  // costs nothing and keeps the record monotonic within a cluster.
  const auto index = parse_u64(response.header("tally-applied-index"));
  const std::string cluster = response.header("tally-cluster-id");
  if (!index || cluster.empty()) return;
  LastWrite record{cluster, *index};
  auto last = read_last_write(state);
  if (last && last->cluster_id == cluster && last->applied_index > record.applied_index)
    record.applied_index = last->applied_index;
  write_last_write(state, record);
}

// The answer as --json prints it: the body as it came, with "idempotencyHit" added to an
// object body when the caller sent its own key (an empty body becomes {"status": N}).
std::string json_answer(const HttpResponse& answer, bool report_hit, bool hit) {
  auto parsed = json::parse_json(answer.body);
  if (!answer.body.empty() && (!report_hit || !parsed.ok() || !parsed.value().is_object()))
    return answer.body;
  json::Json out;
  out.type = json::Json::Type::kObject;
  if (answer.body.empty()) {
    json::Json status;
    status.type = json::Json::Type::kNumber;
    status.text = std::to_string(answer.status);
    out.members.emplace_back("status", status);
  } else {
    out = std::move(parsed).value();
  }
  if (report_hit) {
    json::Json flag;
    flag.type = json::Json::Type::kBool;
    flag.boolean = hit;
    out.members.emplace_back("idempotencyHit", flag);
  }
  return json_text(out, KeyOrder::kDocument);
}

}  // namespace

std::string render(const json::Json& json) {
  if (const json::Json* cursor = json.find("cursor")) {
    std::string out;
    if (const json::Json* data = cursor->find("data")) out = table(data->items);
    if (const json::Json* next = cursor->find("next")) out += "next cursor: " + next->text + "\n";
    return out;
  }
  if (const json::Json* code = json.find("errorCode")) {
    const json::Json* message = json.find("errorMessage");
    return "error " + code->text + ": " + (message ? message->text : "") + "\n";
  }
  const json::Json* data = json.find("data");
  if (data == nullptr) data = &json;
  if (data->type == json::Json::Type::kArray) return table(data->items);
  if (data->type != json::Json::Type::kObject) return scalar(*data) + "\n";
  std::string out;
  for (const auto& [key, value] : data->members)
    out += key + ": " + scalar(value) + "\n";
  return out;
}

std::string render_check(const json::Json& json) {
  const json::Json* data = json.find("data");
  if (data == nullptr || !data->is_object()) return render(json);
  auto text = [&](const char* key) {
    const json::Json* value = data->find(key);
    return value == nullptr ? std::string() : scalar(*value);
  };
  const bool ok = text("ok") == "true";
  std::string out = std::string("check: ") + (ok ? "ok" : "MISMATCHES") + " (" + text("mode");
  if (!text("fullReason").empty()) out += ": " + text("fullReason");
  out += ")\n";
  // The range walked: fromSequence..toSequence, or null (or from > to) when it was empty.
  const auto from = parse_u64(text("fromSequence"));
  const auto to = parse_u64(text("toSequence"));
  const auto last = parse_u64(text("lastSequence"));
  if (from && to && *from <= *to) {
    out += "walked: sequences " + std::to_string(*from) + ".." + std::to_string(*to) + " (" +
           text("entriesVerified") + " entries)\n";
  } else {
    const auto since = last ? last : to;
    out += since && *since > 0 ? "nothing new since sequence " + std::to_string(*since) + "\n"
                               : std::string("the audit chain is empty\n");
  }
  out += "rows compared: " + text("rowsCompared") +
         ", cache entries checked: " + text("cacheEntriesChecked") + "\n";
  if (text("hashesVerified") == "false") out += "hashes NOT verified (the node has no audit key)\n";
  if (text("replayComplete") == "false") out += "replay stopped early: projections not compared\n";
  if (const json::Json* mismatches = data->find("mismatches");
      mismatches && !mismatches->items.empty())
    out += table(mismatches->items);
  if (text("mismatchesOmitted") != "0" && !text("mismatchesOmitted").empty())
    out += text("mismatchesOmitted") + " more mismatches omitted\n";
  return out;
}

std::string path_segment(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string last_write_path() {
  std::filesystem::path base;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state == '/') {
    base = state;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    base = std::filesystem::path(home) / ".local" / "state";
  } else {
    return "";
  }
  return (base / "tally" / "last-write.json").string();
}

std::optional<LastWrite> read_last_write(const std::string& path) {
  if (path.empty()) return std::nullopt;
  std::ifstream input(path);
  if (!input) return std::nullopt;
  std::stringstream text;
  text << input.rdbuf();
  auto json = json::parse_json(text.str());
  if (!json.ok() || json.value().type != json::Json::Type::kObject) return std::nullopt;
  const json::Json* cluster = json.value().find("clusterId");
  const json::Json* index = json.value().find("appliedIndex");
  if (cluster == nullptr || cluster->type != json::Json::Type::kString || index == nullptr ||
      index->type != json::Json::Type::kNumber)
    return std::nullopt;
  const auto applied = parse_u64(index->text);
  if (!applied) return std::nullopt;
  return LastWrite{cluster->text, *applied};
}

bool write_last_write(const std::string& path, const LastWrite& record) {
  if (path.empty()) return false;
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), error);
  if (error) return false;
  json::JsonWriter out;
  out.begin_object();
  out.key("clusterId");
  out.string(record.cluster_id);
  out.key("appliedIndex");
  out.u64(record.applied_index);
  out.end_object();
  // Written beside it, then renamed over it: a concurrent reader sees the old or the new one.
  const std::string temporary = path + "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << out.take() << "\n";
    if (!file) return false;
  }
  std::filesystem::rename(temporary, path, error);
  if (error) std::filesystem::remove(temporary, error);
  return !error;
}

Result<HttpResponse> Client::call(const std::string& method, const std::string& path,
                                  const std::string& body, Headers headers) const {
  HttpRequest request;
  request.method = method;
  request.url = join_url(node, path);
  request.body = body;
  request.headers = std::move(headers);
  request.ca_file = ca_file;
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  const bool read = method == "GET";
  const std::string state = state_file.empty() ? last_write_path() : state_file;
  if (read) {
    // Index 0: what the node reached has now (a read without an index goes to the leader).
    if (no_wait) request.headers.emplace_back("Tally-Applied-Index", "0");
    if (!no_wait) {
      if (auto last = read_last_write(state)) {
        request.headers.emplace_back("Tally-Applied-Index", std::to_string(last->applied_index));
        request.headers.emplace_back("Tally-Cluster-Id", last->cluster_id);
      }
    }
    return http_call(request);
  }
  if (auto_key && idempotency_key_of(request.headers).empty())
    request.headers.emplace_back("Idempotency-Key", generated_idempotency_key());
  auto response = send_write(std::move(request), path);
  if (!no_wait && response.ok()) record_write(state, response.value());
  return response;
}

int Client::run(const std::string& method, const std::string& path, const std::string& body,
                Headers headers, Renderer renderer) const {
  const std::string user_key = method == "GET" ? "" : idempotency_key_of(headers);
  auto response = call(method, path, body, std::move(headers));
  if (!response.ok()) {
    std::fprintf(stderr, "tally: %s\n", response.error().message.c_str());
    return 1;
  }
  return print(response.value(), user_key, renderer);
}

int Client::print(const HttpResponse& answer, const std::string& user_key,
                  Renderer renderer) const {
  const bool ok = answer.status >= 200 && answer.status < 300;
  // Only the caller's own key can meet an earlier request: a generated one is new to the
  // cluster, and a hit on it is this run's retry of a write whose first answer was lost.
  const bool report_hit = ok && !user_key.empty();
  const bool hit = report_hit && answer.header("idempotency-hit") == "true";
  if (json) {
    std::printf("%s\n", json_answer(answer, report_hit, hit).c_str());
    return ok ? 0 : 1;
  }
  if (hit) {
    std::printf(
        "replayed: Idempotency-Key %s was used before by this same request; nothing was "
        "applied again; its answer:\n",
        user_key.c_str());
  }
  if (answer.body.empty()) {
    std::printf("%s (%d)\n", ok ? "ok" : "failed", answer.status);
    return ok ? 0 : 1;
  }
  if (answer.status == 503 && answer.body.find("\"STALE_READ\"") != std::string::npos) {
    std::fprintf(stderr,
                 "tally: the node has not applied your last write yet (recorded in %s); retry, "
                 "or read without waiting: --no-wait\n",
                 (state_file.empty() ? last_write_path() : state_file).c_str());
  }
  auto parsed = json::parse_json(answer.body);
  if (!parsed.ok()) {
    std::printf("%s\n", answer.body.c_str());
  } else {
    std::fputs((ok ? renderer : render)(parsed.value()).c_str(), ok ? stdout : stderr);
  }
  return ok ? 0 : 1;
}

}  // namespace tally::cli
