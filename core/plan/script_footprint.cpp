#include "core/plan/script_footprint.hpp"

#include "core/limits.hpp"
#include "core/numscript/script_transaction.hpp"

namespace tally::plan {

Result<ScriptKeys> script_keys(const domain::CreateTransaction& order,
                               numscript::StateView& state) {
  const domain::Script& script = *order.script;
  auto compiled = numscript::compile_for(script);
  if (!compiled.ok()) return std::move(compiled).error();
  auto footprint = numscript::script_footprint(**compiled, script.vars, state);
  if (!footprint.ok()) return numscript::coded_for(std::move(footprint).error(), script.runtime);
  std::size_t count = footprint->volumes.size() + footprint->metadata_reads.size() +
                      footprint->metadata_writes.size();
  if (count > limits::kScriptFootprintKeysMax) {
    return make_error(Code::kValidation, "the script touches " + std::to_string(count) +
                                             " attributes, more than " +
                                             std::to_string(limits::kScriptFootprintKeysMax));
  }
  ScriptKeys out;
  for (const auto& [account, asset] : footprint->volumes) {
    out.keys.push_back(keys::volume_key(order.ledger, account, asset));
  }
  for (const std::string& account : footprint->metadata_reads) {
    out.keys.push_back(keys::account_metadata_key(order.ledger, account));
  }
  for (const std::string& account : footprint->metadata_writes) {
    out.keys.push_back(keys::account_metadata_key(order.ledger, account));
  }
  out.metadata_writes = std::move(footprint->known_writes);
  return out;
}

}  // namespace tally::plan
