#include "native/http/cursors.hpp"

#include "core/crypto/hmac_sha256.hpp"
#include "core/limits.hpp"
#include "native/auth/base64url.hpp"
#include "native/json/filter_json.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {
namespace {

ByteView bytes_of(std::string_view text) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

std::string tag_of(const Server::Impl& impl, std::string_view payload) {
  const std::string message = "tally/cursor/v2:" + std::string(payload);
  auto digest = crypto::hmac_sha256(ByteView(impl.cursor_key.data(), impl.cursor_key.size()),
                                    bytes_of(message));
  return to_hex(ByteView(digest.data(), 8));
}

Error bad_cursor() {
  return json::field_error("cursor", "not a cursor this cluster issued for this list");
}

// The cursor's payload: {"l": list, "p": position, "s": page size, "f": filter, "q": params}.
Result<ListRequest> decode(const Server::Impl& impl, std::string_view cursor,
                           std::string_view list) {
  const std::size_t dot = cursor.rfind('.');
  if (dot == std::string_view::npos) return bad_cursor();
  auto decoded = auth::base64url_decode(cursor.substr(0, dot));
  if (!decoded) return bad_cursor();
  const std::string payload(decoded->begin(), decoded->end());
  if (tag_of(impl, payload) != cursor.substr(dot + 1)) return bad_cursor();
  auto parsed = json::parse_json(payload);
  if (!parsed.ok()) return bad_cursor();
  const json::Json* name = parsed->find("l");
  const json::Json* position = parsed->find("p");
  const json::Json* size = parsed->find("s");
  const json::Json* filter = parsed->find("f");
  const json::Json* params = parsed->find("q");
  if (name == nullptr || name->text != list || position == nullptr || size == nullptr ||
      filter == nullptr || params == nullptr || params->type != json::Json::Type::kArray) {
    return bad_cursor();
  }
  ListRequest out;
  out.position = position->text;
  auto page_size = json::parse_id(size->text, "cursor");
  out.page_size = page_size.ok() ? *page_size : limits::kPageSizeDefault;
  out.filter_text = filter->text;
  for (const json::Json& pair : params->items) {
    if (pair.items.size() != 2) return bad_cursor();
    out.params.emplace_back(pair.items[0].text, pair.items[1].text);
  }
  return out;
}

Result<std::size_t> page_size_of(const Call& call, std::size_t fallback) {
  auto text = call.param("pageSize");
  if (!text || text->empty()) return fallback;
  auto size = json::parse_id(*text, "pageSize");
  if (!size.ok()) return std::move(size).error();
  if (*size == 0) return fallback;
  return std::min<std::size_t>(*size, limits::kPageSizeMax);
}

Result<bool> flag_of(const std::optional<std::string>& value, std::string_view name) {
  if (!value || *value == "false" || *value == "0") return false;
  if (value->empty() || *value == "true" || *value == "1") return true;
  return json::field_error(std::string(name),
                           "expected true or false, got " + value->substr(0, 32));
}

}  // namespace

crypto::Digest derive_cursor_key(const audit::AuditKey& audit_key) {
  return crypto::hmac_sha256(audit_key.view(), bytes_of("tally/cursor-key/v1"));
}

std::optional<std::string> ListRequest::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return std::nullopt;
}

Result<bool> ListRequest::flag(std::string_view name) const {
  return flag_of(param(name), name);
}

Result<std::optional<query::Filter>> ListRequest::filter(const query::Schema& schema) const {
  auto filter = json::parse_filter_text(filter_text);
  if (!filter.ok()) return std::move(filter).error();
  if (*filter) TALLY_TRY(query::validate_filter(**filter, schema));
  return filter;
}

Result<ListRequest> open_list(const Server::Impl& impl, const Call& call, std::string_view list) {
  if (auto cursor = call.param("cursor"); cursor && !cursor->empty()) {
    auto restored = decode(impl, *cursor, list);
    if (!restored.ok()) return std::move(restored).error();
    auto size = page_size_of(call, restored->page_size);
    if (!size.ok()) return std::move(size).error();
    restored->page_size = *size;
    return restored;
  }
  ListRequest out;
  for (const auto& [key, value] : call.query) {
    if (key != "cursor" && key != "pageSize" && key != "query") out.params.emplace_back(key, value);
  }
  out.filter_text = call.param("query").value_or(std::string(call.body()));
  auto size = page_size_of(call, limits::kPageSizeDefault);
  if (!size.ok()) return std::move(size).error();
  out.page_size = *size;
  return out;
}

std::optional<std::string> next_cursor(const Server::Impl& impl, const ListRequest& request,
                                       std::string_view list,
                                       const std::optional<std::string>& position) {
  if (!position) return std::nullopt;
  json::JsonWriter out;
  out.begin_object();
  out.key("l");
  out.string(list);
  out.key("p");
  out.string(*position);
  out.key("s");
  out.u64(request.page_size);
  out.key("f");
  out.string(request.filter_text);
  out.key("q");
  out.begin_array();
  for (const auto& [key, value] : request.params) {
    out.begin_array();
    out.string(key);
    out.string(value);
    out.end_array();
  }
  out.end_array();
  out.end_object();
  const std::string payload = out.take();
  return auth::base64url_encode(bytes_of(payload)) + "." + tag_of(impl, payload);
}

Result<bool> flag_param(const Call& call, std::string_view name) {
  return flag_of(call.param(name), name);
}

}  // namespace tally::http
