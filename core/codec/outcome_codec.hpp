// Encoding of outcomes, shared by audit entries and idempotency records.
#pragma once

#include "core/codec/reader.hpp"
#include "core/codec/writer.hpp"
#include "core/domain/outcome.hpp"

namespace tally::codec {

void write_outcome(Writer& w, const domain::Outcome& outcome);
domain::Outcome read_outcome(Reader& r);

}  // namespace tally::codec
