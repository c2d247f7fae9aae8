#include "native/http/metrics.hpp"

#include <array>
#include <cstdio>

namespace tally::http {
namespace {

void line(std::string& out, const std::string& text) {
  out += text;
  out += '\n';
}

std::string number(double value) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, "%.6f", value);
  return buffer;
}

// One Prometheus histogram's lines (buckets already cumulative: each counts the observations
// at or below its bound). labels: "" or `route="..."`.
template <std::size_t N>
void histogram(std::string& out, const std::string& name, const std::string& labels,
               const std::array<double, N>& bounds, const std::array<std::uint64_t, N>& buckets,
               std::uint64_t count, double sum) {
  const std::string prefix = labels.empty() ? "{" : "{" + labels + ",";
  const std::string own = labels.empty() ? "" : "{" + labels + "}";
  for (std::size_t i = 0; i < N; ++i) {
    line(out, name + "_bucket" + prefix + "le=\"" + number(bounds[i]) + "\"} " +
                  std::to_string(buckets[i]));
  }
  line(out, name + "_bucket" + prefix + "le=\"+Inf\"} " + std::to_string(count));
  line(out, name + "_sum" + own + " " + number(sum));
  line(out, name + "_count" + own + " " + std::to_string(count));
}

}  // namespace

void Metrics::record_request(const std::string& route, int status, double seconds) {
  ++requests_[{route, status}];
  Histogram& histogram = latency_[route];
  for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) ++histogram.buckets[i];
  }
  ++histogram.count;
  histogram.sum += seconds;
}

void Metrics::record_write(std::string_view verdict) {
  auto it = writes_.find(verdict);
  if (it == writes_.end()) it = writes_.emplace(std::string(verdict), 0).first;
  ++it->second;
}

std::string Metrics::render(const replica::Node& node,
                            const replica::LoopStallWatch& stalls) const {
  std::string out;
  line(out, "# TYPE tally_http_requests_total counter");
  for (const auto& [key, count] : requests_) {
    line(out, "tally_http_requests_total{route=\"" + key.first + "\",status=\"" +
                  std::to_string(key.second) + "\"} " + std::to_string(count));
  }
  line(out, "# TYPE tally_http_request_duration_seconds histogram");
  for (const auto& [route, latency] : latency_) {
    histogram(out, "tally_http_request_duration_seconds", "route=\"" + route + "\"",
              kBucketsSeconds, latency.buckets, latency.count, latency.sum);
  }
  line(out, "# TYPE tally_write_verdicts_total counter");
  for (const auto& [verdict, count] : writes_) {
    line(out, "tally_write_verdicts_total{verdict=\"" + verdict + "\"} " + std::to_string(count));
  }
  line(out, "# TYPE tally_admissions_total counter");
  const replica::NodeStats& stats = node.stats();
  for (std::size_t i = 0; i < replica::kAdmissionVerdicts; ++i) {
    const auto verdict = static_cast<replica::AdmissionVerdict>(i);
    line(out, "tally_admissions_total{verdict=\"" +
                  std::string(replica::admission_verdict_name(verdict)) + "\"} " +
                  std::to_string(stats.of(verdict)));
  }
  line(out, "# TYPE tally_admission_plan_entries_total counter");
  for (std::size_t i = 0; i < replica::kEntrySources; ++i) {
    const auto source = static_cast<plan::EntrySource>(i);
    line(out, "tally_admission_plan_entries_total{verdict=\"" +
                  std::string(plan::source_name(source)) + "\"} " +
                  std::to_string(stats.of(source)));
  }
  line(out, "# TYPE tally_proposals_in_flight gauge");
  line(out, "tally_proposals_in_flight " + std::to_string(node.in_flight()));
  line(out, "# TYPE tally_leader_batches_total counter");
  line(out, "tally_leader_batches_total " + std::to_string(stats.batches_proposed));
  line(out, "# TYPE tally_leader_batch_entries_total counter");
  line(out, "tally_leader_batch_entries_total " + std::to_string(stats.batch_entries_proposed));
  line(out, "# TYPE tally_applied_index gauge");
  line(out, "tally_applied_index " + std::to_string(node.applied_index()));
  line(out, "# TYPE tally_applied_entries_total counter");
  line(out, "tally_applied_entries_total " + std::to_string(stats.entries_applied));
  line(out, "# TYPE tally_cache_rotations_total counter");
  line(out, "tally_cache_rotations_total " + std::to_string(stats.rotations));
  line(out, "# TYPE tally_cache_generation gauge");
  line(out, "tally_cache_generation " + std::to_string(node.generation()));
  line(out, "# TYPE tally_cache_epoch gauge");
  line(out, "tally_cache_epoch " + std::to_string(node.epoch()));
  line(out, "# TYPE tally_cache_entries gauge");
  line(out, "tally_cache_entries{generation=\"gen0\"} " + std::to_string(node.gen0_size()));
  line(out, "tally_cache_entries{generation=\"gen1\"} " + std::to_string(node.gen1_size()));
  line(out, "# TYPE tally_snapshots_total counter");
  line(out, "tally_snapshots_total{event=\"taken\"} " + std::to_string(stats.snapshots_taken));
  line(out,
       "tally_snapshots_total{event=\"installed\"} " + std::to_string(stats.snapshots_installed));
  line(out, "tally_snapshots_total{event=\"refused\"} " + std::to_string(stats.snapshots_refused));
  line(out, "tally_snapshots_total{event=\"kept\"} " + std::to_string(stats.snapshots_kept));
  line(out, "# TYPE tally_store_wal_bytes gauge");
  line(out, "tally_store_wal_bytes " + std::to_string(node.wal_bytes()));
  line(out, "# TYPE tally_store_wal_log_bytes gauge");
  line(out, "tally_store_wal_log_bytes " + std::to_string(node.wal_log_bytes()));
  line(out, "# TYPE tally_raft_log_memory_bytes gauge");
  line(out, "tally_raft_log_memory_bytes " + std::to_string(node.log_memory_bytes()));
  line(out, "# TYPE tally_loop_stall_seconds histogram");
  histogram(out, "tally_loop_stall_seconds", "", stalls.kBucketsSeconds, stalls.buckets(),
            stalls.count(), stalls.sum_seconds());
  line(out, "# TYPE tally_loop_busy_seconds histogram");
  histogram(out, "tally_loop_busy_seconds", "", stalls.kBucketsSeconds, stalls.busy_buckets(),
            stalls.count(), stalls.busy_sum_seconds());
  line(out, "# TYPE tally_is_leader gauge");
  line(out, std::string("tally_is_leader ") + (node.is_leader() ? "1" : "0"));
  return out;
}

}  // namespace tally::http
