#include "native/tally/client.hpp"

#include <cstdio>

namespace tally::cli {
namespace {

std::string scalar(const http::Json& json) {
  switch (json.type) {
    case http::Json::Type::kNull: return "null";
    case http::Json::Type::kBool: return json.boolean ? "true" : "false";
    case http::Json::Type::kNumber:
    case http::Json::Type::kString: return json.text;
    case http::Json::Type::kArray: {
      std::string out;
      for (const auto& item : json.items)
        out += (out.empty() ? "" : ", ") + scalar(item);
      return "[" + out + "]";
    }
    case http::Json::Type::kObject: {
      std::string out;
      for (const auto& [key, value] : json.members)
        out += (out.empty() ? "" : ", ") + key + "=" + scalar(value);
      return "{" + out + "}";
    }
  }
  return "";
}

std::string table(const std::vector<http::Json>& rows) {
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
      const http::Json* value = row.find(columns[c]);
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

std::string render(const http::Json& json) {
  if (const http::Json* cursor = json.find("cursor")) {
    std::string out;
    if (const http::Json* data = cursor->find("data")) out = table(data->items);
    if (const http::Json* next = cursor->find("next")) out += "next cursor: " + next->text + "\n";
    return out;
  }
  if (const http::Json* code = json.find("errorCode")) {
    const http::Json* message = json.find("errorMessage");
    return "error " + code->text + ": " + (message ? message->text : "") + "\n";
  }
  const http::Json* data = json.find("data");
  if (data == nullptr) data = &json;
  if (data->type == http::Json::Type::kArray) return table(data->items);
  if (data->type != http::Json::Type::kObject) return scalar(*data) + "\n";
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

Result<http::HttpResponse> Client::call(
    const std::string& method, const std::string& path, const std::string& body,
    std::vector<std::pair<std::string, std::string>> headers) const {
  http::HttpRequest request;
  request.method = method;
  request.url = http::join_url(node, path);
  request.body = body;
  request.headers = std::move(headers);
  return http::http_call(request);
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
  auto parsed = http::parse_json(answer.body);
  if (!parsed.ok()) {
    std::printf("%s\n", answer.body.c_str());
  } else {
    std::fputs(render(parsed.value()).c_str(), ok ? stdout : stderr);
  }
  return ok ? 0 : 1;
}

}  // namespace tally::cli
