// Reads a tally-trace file (TRACE_FORMAT.md), version 4, 3, 2 or 1, into trace_file.hpp's
// structures, with RapidJSON (header-only, so the same code runs in WebAssembly; never a
// parser of our own).
//
// Untrusted input: anything that is not JSON, not a known format, or has a field of the
// wrong type, out of range or beyond the bounds below is a kValidation error naming the
// field ("steps[12].nodes[1].applied: not an unsigned integer"); nothing is half-read.
// Unknown fields are ignored (in version 4, items past the ones it defines), so a later minor
// addition still loads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/sim/trace_file.hpp"

namespace tally::sim {

inline constexpr std::size_t kTraceStepsMax = 200'000;
inline constexpr std::size_t kTraceNodesMax = 64;
inline constexpr std::size_t kTraceRowsPerRecordMax = 1'000'000;

Result<TraceFile> read_trace(std::string_view json);
// The same, parsing the text in place: no copy of it is made.
Result<TraceFile> read_trace_text(std::string json);

// The same file read a slice of steps at a time, so that a reader can show the first steps
// before the rest is read (the visualiser). open() parses the whole text and reads the
// header, the tables and the result; next() reads the steps that follow those read. The
// steps of every slice, in order, after head(), are the file read_trace_text returns, and an
// error in a step is the error it reports.
class TraceReader {
 public:
  static Result<std::unique_ptr<TraceReader>> open(std::string json);
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  // The file without its steps.
  const TraceFile& head() const;
  // Every key the file's rows may name, shared with the rows read (version 3 and 4: its
  // `keys` table; versions 1 and 2 name their keys in the rows: empty).
  const std::vector<RowKey>& keys() const;
  std::size_t size() const;  // the file's steps
  std::size_t read() const;  // those read so far
  // The next count steps (fewer at the end of the file).
  Result<std::vector<TraceStepRecord>> next(std::size_t count);

 private:
  struct State;
  explicit TraceReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tally::sim
