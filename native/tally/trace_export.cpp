#include "native/tally/trace_export.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "core/sim/trace_file.hpp"
#include "core/sim/trace_reader.hpp"
#include "native/tally/node_paths.hpp"

namespace tally::cli {

namespace {

struct NodeAnswer {
  std::string url;
  std::string name;
  bool complete = true;
  std::map<std::uint64_t, sim::TraceStepRecord> steps;  // by log index
  std::map<std::string, std::string> labels;
};

std::string field_text(const json::Json& object, std::string_view name) {
  const json::Json* found = object.find(name);
  return found == nullptr ? "" : found->text;
}

// Every page of one node's records for the window.
Result<NodeAnswer> read_node(const Client& base, const std::string& url, const TraceWindow& w) {
  Client node = base;
  node.node = url;
  node.peers.clear();
  NodeAnswer answer;
  answer.url = url;
  for (std::uint64_t from = w.from;;) {
    std::string path = std::string(node_paths::kTrace) + "?from=" + std::to_string(from) +
                       "&to=" + std::to_string(w.to);
    auto reply = node.call("GET", path);
    if (!reply.ok()) return reply.error();
    if (reply->status != 200) {
      return make_error(Code::kStorage, url + path + " answered " + std::to_string(reply->status) +
                                            ": " + reply->body);
    }
    auto file = sim::read_trace(reply->body);
    if (!file.ok())
      return make_error(Code::kCorrupt, url + " sent a bad trace: " + file.error().message);
    if (file->node_names.size() != 1) return make_error(Code::kCorrupt, url + " sent no node name");
    answer.name = file->node_names.front();
    answer.complete = answer.complete && file->complete;
    answer.labels.insert(file->labels.begin(), file->labels.end());
    for (sim::TraceStepRecord& step : file->steps)
      answer.steps[step.index] = std::move(step);
    if (!file->truncated || file->steps.empty()) break;
    from = answer.steps.rbegin()->first + 1;
    if (from > w.to) break;
  }
  return answer;
}

// "audit 7: 1 order(s), success, key k-1" per log index of the window, from one node's log.
std::map<std::uint64_t, std::string> audit_words(const Client& client, const TraceWindow& w) {
  std::map<std::uint64_t, std::string> words;
  std::string after = "0";
  for (;;) {
    auto page = client.call("GET", std::string(node_paths::kLog) + "?pageSize=1000&after=" + after);
    if (!page.ok() || page->status != 200) break;
    auto json = json::parse_json(page->body);
    const json::Json* entries = json.ok() ? json->find("data") : nullptr;
    if (entries == nullptr || entries->items.empty()) break;
    for (const json::Json& entry : entries->items) {
      std::uint64_t index = std::strtoull(field_text(entry, "logIndex").c_str(), nullptr, 10);
      if (index >= w.from && index <= w.to) {
        std::string key = field_text(entry, "idempotencyKey");
        words[index] = "audit " + field_text(entry, "sequence") + ": " +
                       field_text(entry, "orders") + " order(s), " + field_text(entry, "outcome") +
                       (key.empty() ? "" : ", key " + key);
      }
      after = field_text(entry, "sequence");
    }
    if (entries->items.size() < 1000) break;
  }
  return words;
}

sim::CheckRecord check_node(const Client& base, const std::string& url, int position) {
  Client node = base;
  node.node = url;
  node.peers.clear();
  auto reply = node.call("GET", node_paths::kCheck);
  if (!reply.ok()) return {position, false, "no answer: " + reply.error().message};
  auto json = json::parse_json(reply->body);
  const json::Json* data = json.ok() ? json->find("data") : nullptr;
  const json::Json* ok = data != nullptr ? data->find("ok") : nullptr;
  if (reply->status != 200 || ok == nullptr) {
    return {position, false, "answered " + std::to_string(reply->status) + ": " + reply->body};
  }
  return {position, ok->boolean,
          field_text(*data, "entriesVerified") + " audit entries verified, " +
              field_text(*data, "rowsCompared") + " rows compared at index " +
              field_text(*data, "appliedIndex")};
}

sim::TraceStepRecord merged_step(const std::vector<NodeAnswer>& nodes, std::uint64_t index,
                                 const std::map<std::uint64_t, std::string>& words) {
  sim::TraceStepRecord s;
  s.action = "apply";
  s.node = -1;
  s.index = index;
  s.nodes.resize(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto found = nodes[i].steps.find(index);
    if (found == nodes[i].steps.end()) continue;
    const sim::TraceStepRecord& r = found->second;
    if (!r.nodes.empty()) s.nodes[i] = r.nodes.front();
    if (!s.admitted && r.admitted) s.admitted = r.admitted;
    for (sim::VerdictRecord v : r.verdicts) {
      v.node = static_cast<int>(i);
      s.verdicts.push_back(std::move(v));
    }
    if (s.detail.empty()) s.detail = r.detail;
  }
  if (auto said = words.find(index); said != words.end()) s.detail = said->second;
  return s;
}

// The step's JSON size, as trace_file_json writes it: a file of that step alone minus the
// same file without steps. An upper bound: the comma between steps is counted once more, and
// the keys and slots the step names are counted as new even when earlier steps wrote them.
std::size_t step_bytes(const sim::TraceFile& file, const sim::TraceStepRecord& step) {
  sim::TraceFile one;
  one.node_names = file.node_names;
  const std::size_t empty = sim::trace_file_json(one).size();
  one.steps = {step};
  return sim::trace_file_json(one).size() - empty + 1;
}

}  // namespace

int export_cluster_trace(const Client& client, const TraceWindow& window,
                         const std::string& out_file) {
  std::vector<std::string> urls = client.peers.empty() ? std::vector{client.node} : client.peers;
  std::vector<NodeAnswer> nodes;
  for (const std::string& url : urls) {
    auto answer = read_node(client, url, window);
    if (!answer.ok()) {
      std::fprintf(stderr, "tally: %s: %s\n", url.c_str(), answer.error().message.c_str());
      return 1;
    }
    nodes.push_back(std::move(answer).value());
  }
  std::set<std::uint64_t> indexes;
  sim::TraceFile file;
  file.source = "cluster";
  file.digest_of = "rows";
  file.window_from = window.from;
  file.window_to = window.to;
  for (const NodeAnswer& n : nodes) {
    file.node_names.push_back(n.name);
    file.complete = file.complete && n.complete;
    file.labels.insert(n.labels.begin(), n.labels.end());
    for (const auto& [index, step] : n.steps)
      indexes.insert(index);
  }
  if (indexes.empty()) {
    std::fprintf(stderr,
                 "tally: no node recorded an index in [%llu, %llu] (nodes record with "
                 "`tally cluster up --trace-records N` or `tallyd --trace-records N`)\n",
                 static_cast<unsigned long long>(window.from),
                 static_cast<unsigned long long>(window.to));
    return 1;
  }
  file.title = "Cluster of " + std::to_string(nodes.size()) + " node(s), log indexes " +
               std::to_string(*indexes.begin()) + " to " + std::to_string(*indexes.rbegin());
  const auto words = audit_words(client, window);
  std::size_t bytes = sim::trace_file_json(file).size();
  for (std::uint64_t index : indexes) {
    sim::TraceStepRecord step = merged_step(nodes, index, words);
    step.step = file.steps.size();
    std::size_t more = step_bytes(file, step);
    if (!file.steps.empty() && bytes + more > window.bytes_max) {
      file.truncated = true;
      break;
    }
    bytes += more;
    file.steps.push_back(std::move(step));
  }
  for (std::size_t i = 0; i < nodes.size(); ++i)
    file.steps.back().checks.push_back(check_node(client, nodes[i].url, static_cast<int>(i)));
  std::ofstream out(out_file, std::ios::trunc);
  out << sim::trace_file_json(file) << "\n";
  if (!out) {
    std::fprintf(stderr, "tally: cannot write %s\n", out_file.c_str());
    return 1;
  }
  std::printf("%zu log indexes from %zu node(s) written to %s (tally-trace/4%s%s)\n",
              file.steps.size(), nodes.size(), out_file.c_str(),
              file.truncated ? ", cut at --bytes-max" : "",
              file.complete ? "" : ", a window of a longer history");
  return 0;
}

}  // namespace tally::cli
