// A compiled script: parsed, type-checked, ready to bind and run. Immutable once built, so
// one compiled script is shared by every run of the same text.
//
// compile() keeps the last kScriptCacheEntriesMax scripts it compiled on the calling thread
// (a script sent again, like a bench or a client's template, is parsed once per thread); the
// cache changes only speed, never a result.
#pragma once

#include <memory>
#include <string_view>

#include "core/numscript/ast.hpp"
#include "core/numscript/checker.hpp"

namespace tally::numscript {

struct CompiledScript {
  Program program;
  Features features;
};

// Errors: kInterpreterParse (syntax, size and nesting limits), kCompilationFailed (types,
// declarations, unknown or unsupported features).
Result<std::shared_ptr<const CompiledScript>> compile(std::string_view script);

}  // namespace tally::numscript
