// GET /_tally/trace?from=A&to=B: what this node recorded applying each log index of [A, B]
// (core/sim/apply_trace.hpp), as a one-node tally-trace/4 file; at most ApplyTrace::kPageMax
// indexes per answer, `window.truncated` when more follow. `tally trace export` asks every
// node and merges the answers (core/sim/TRACE_FORMAT.md "A cluster's trace").
#include "core/sim/trace_file.hpp"
#include "native/http/route_table.hpp"
#include "native/json/request_json.hpp"

namespace tally::http {

void handle_node_trace(Server::Impl& impl, const CallPtr& call) {
  std::uint64_t from = 1, to = UINT64_MAX;
  for (auto [name, bound] : {std::pair<const char*, std::uint64_t*>{"from", &from}, {"to", &to}}) {
    if (auto text = call->param(name)) {
      auto parsed = json::parse_id(*text, name);
      if (!parsed.ok()) return impl.respond_error(call, parsed.error());
      *bound = parsed.value();
    }
  }
  if (from == 0 || from > to) {
    return impl.respond_error(call, json::field_error("from", "between 1 and `to`"));
  }
  impl.respond(call, 200, sim::trace_file_json(impl.node->apply_trace().window(from, to)));
}

}  // namespace tally::http
