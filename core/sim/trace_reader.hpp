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

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/sim/trace_file.hpp"

namespace tally::sim {

inline constexpr std::size_t kTraceStepsMax = 200'000;
inline constexpr std::size_t kTraceNodesMax = 64;
inline constexpr std::size_t kTraceRowsPerRecordMax = 1'000'000;

Result<TraceFile> read_trace(std::string_view json);
// The same, parsing the text in place: no copy of it is made.
Result<TraceFile> read_trace_text(std::string json);

}  // namespace tally::sim
