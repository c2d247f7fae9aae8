// Where the audit chain and the ledgers' logs live in the store (zone 0x03).
//   [0x03]['A'][sequence u64 BE]              -> encoded audit entry
//   [0x03]['L'][ledger 00][log sequence u64 BE] -> [audit sequence u64 LE][order index u32 LE]
// A ledger's log is an index into the audit chain: the order it names is the entry's item.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tally::audit {

Bytes audit_row_key(std::uint64_t sequence);
Bytes audit_rows_begin();
Bytes audit_rows_end();

Bytes ledger_log_key(std::string_view ledger, std::uint64_t log_sequence);
Bytes ledger_log_prefix(std::string_view ledger);

struct LogPointer {
  std::uint64_t audit_sequence = 0;
  std::uint32_t order_index = 0;
  friend bool operator==(const LogPointer&, const LogPointer&) = default;
};
Bytes encode_log_pointer(const LogPointer& pointer);
Result<LogPointer> decode_log_pointer(ByteView bytes);

}  // namespace tally::audit
