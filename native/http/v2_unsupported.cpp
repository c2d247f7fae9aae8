// The Go ledger's features Tally does not have (docs/api.md lists them): a typed 501.
#include "native/http/route_table.hpp"

namespace tally::http {

void handle_not_implemented(Server::Impl& impl, const CallPtr& call) {
  const std::vector<std::string>& s = call->segments;
  std::string what = "this route";
  auto has = [&](std::string_view segment) {
    return std::find(s.begin(), s.end(), segment) != s.end();
  };
  if (has("exporters")) what = "exporters";
  if (has("buckets")) what = "buckets";
  if (has("pipelines")) what = "pipelines";
  if (has("schemas")) what = "ledger schemas";
  if (has("queries")) what = "stored queries";
  if (has("import")) what = "log import";
  if (has("export")) what = "log export";
  impl.respond_error(call, not_implemented(what));
}

}  // namespace tally::http
