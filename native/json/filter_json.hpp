// The query language of the list reads (core/query/filter.hpp) from its JSON: the request
// body or the `query` parameter of a list or count. {} and an empty text are no filter.
// kValidation for anything else that is not a filter: an unknown operator, an object with
// other than one key, a leaf whose value is not {field: value}, an $and / $or that is not an
// array of filters, nesting past kFilterDepthMax.
#pragma once

#include <optional>
#include <string_view>

#include "core/query/filter.hpp"
#include "native/json/json.hpp"
#include "native/limits.hpp"

namespace tally::json {

Result<std::optional<query::Filter>> parse_filter(const Json& json);
Result<std::optional<query::Filter>> parse_filter_text(std::string_view text);

}  // namespace tally::json
