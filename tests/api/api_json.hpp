// JSON helpers of the [api] tests: an answer's parsed body and a member that must be there.
#pragma once

#include <catch2/catch.hpp>

#include <string_view>

#include "native/json/json.hpp"
#include "native/tally/http_client.hpp"

namespace tally::testing {

inline json::Json json_of(const cli::HttpResponse& response) {
  INFO(response.status << " " << response.body);
  auto parsed = json::parse_json(response.body);
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

inline const json::Json& field(const json::Json& json, std::string_view key) {
  const json::Json* found = json.find(key);
  INFO("missing key " << key);
  REQUIRE(found != nullptr);
  return *found;
}

}  // namespace tally::testing
