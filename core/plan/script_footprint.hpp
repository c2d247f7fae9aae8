// What admission declares for a scripted transaction beyond every transaction's ledger,
// boundary and reference: the volumes and account metadata of the script's footprint
// (core/numscript/footprint.hpp), bound against the ledger as admission sees it.
//
// A script that does not compile, or whose variables are missing or malformed, is refused
// here with Formance's code for its runtime, before anything is proposed. A variable whose
// origin fails on today's state (metadata absent) is not refused: the proposal goes on with
// what binding read, and apply decides (the same failure, audited, or a stale proposal if the
// state moved).
#pragma once

#include <vector>

#include "core/domain/order.hpp"
#include "core/keys/attribute_key.hpp"
#include "core/numscript/footprint.hpp"
#include "core/numscript/state_view.hpp"

namespace tally::plan {

struct ScriptKeys {
  std::vector<keys::AttributeKey> keys;
  std::vector<numscript::MetadataWrite> metadata_writes;  // for the request's later orders
};

// REQUIRES: order.script. Errors: kInterpreterParse, kCompilationFailed, kInterpreterRuntime
// (as the runtime codes them), kValidation (more than kScriptFootprintKeysMax attributes),
// and the state's.
Result<ScriptKeys> script_keys(const domain::CreateTransaction& order, numscript::StateView& state);

}  // namespace tally::plan
