#include "native/tally/client.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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
      index->type != json::Json::Type::kNumber || index->text.empty() || index->text.size() > 19 ||
      index->text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return LastWrite{cluster->text, std::stoull(index->text)};
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
                                  const std::string& body,
                                  std::vector<std::pair<std::string, std::string>> headers) const {
  HttpRequest request;
  request.method = method;
  request.url = join_url(node, path);
  request.body = body;
  request.headers = std::move(headers);
  const bool read = method == "GET";
  const std::string state = state_file.empty() ? last_write_path() : state_file;
  // Index 0: what the node reached has now (a read without an index goes to the leader).
  if (read && no_wait) request.headers.emplace_back("Tally-Applied-Index", "0");
  if (read && !no_wait) {
    if (auto last = read_last_write(state)) {
      request.headers.emplace_back("Tally-Applied-Index", std::to_string(last->applied_index));
      request.headers.emplace_back("Tally-Cluster-Id", last->cluster_id);
    }
  }
  auto response = http_call(request);
  if (!read && !no_wait && response.ok()) {
    // A refused write that was audited (insufficient funds) has an index too: recording it
    // costs nothing and keeps the record monotonic within a cluster.
    const std::string index = response.value().header("tally-applied-index");
    const std::string cluster = response.value().header("tally-cluster-id");
    if (!index.empty() && index.size() <= 19 &&
        index.find_first_not_of("0123456789") == std::string::npos && !cluster.empty()) {
      LastWrite record{cluster, std::stoull(index)};
      auto last = read_last_write(state);
      if (last && last->cluster_id == cluster && last->applied_index > record.applied_index)
        record.applied_index = last->applied_index;
      write_last_write(state, record);
    }
  }
  return response;
}

int Client::run(const std::string& method, const std::string& path, const std::string& body,
                std::vector<std::pair<std::string, std::string>> headers) const {
  auto response = call(method, path, body, std::move(headers));
  if (!response.ok()) {
    std::fprintf(stderr, "tally: %s\n", response.error().message.c_str());
    return 1;
  }
  const auto& answer = response.value();
  const bool ok = answer.status >= 200 && answer.status < 300;
  if (answer.body.empty()) {
    if (json)
      std::printf("{\"status\":%d}\n", answer.status);
    else
      std::printf("%s (%d)\n", ok ? "ok" : "failed", answer.status);
    return ok ? 0 : 1;
  }
  if (json) {
    std::printf("%s\n", answer.body.c_str());
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
    std::fputs(render(parsed.value()).c_str(), ok ? stdout : stderr);
  }
  return ok ? 0 : 1;
}

}  // namespace tally::cli
