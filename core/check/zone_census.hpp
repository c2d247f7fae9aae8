// Every row of a store belongs somewhere (core/store/FORMAT.md): the checker's
// census of the rows that no other pass compares. A row in zone 0x00 other than the schema
// version, in zone 0x03 outside the audit entries ('A') and ledger logs ('L'), in zone 0x05
// other than the FSM state row, or in any zone past 0x05, is a stray row.
#pragma once

#include "core/check/mismatch.hpp"
#include "core/store/key_value_store.hpp"

namespace tally::check {

// Errors only when the store cannot be read; each stray row is one kStrayRow mismatch.
Status count_stray_rows(const store::KeyValueStore& store, CheckReport& report);

}  // namespace tally::check
