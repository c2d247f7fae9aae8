// [security] The path a route sees is the raw target split on '/' and decoded per segment,
// and a body must say it is JSON (native/http/canonical_request.hpp).
#include <catch2/catch.hpp>

#include "native/http/canonical_request.hpp"

namespace tally::testing {
namespace {

using http::canonical_segments;
using http::is_json_media_type;

std::vector<std::string> segments_of(std::string_view path) {
  auto segments = canonical_segments(path);
  INFO(std::string(path));
  REQUIRE(segments.ok());
  return std::move(segments).value();
}

TEST_CASE("a path splits on its raw slashes and each segment is decoded after the split",
          "[security]") {
  CHECK(segments_of("/v2/good/accounts/users:alice") ==
        std::vector<std::string>{"v2", "good", "accounts", "users:alice"});
  CHECK(segments_of("/v2/good/accounts/users%3Aalice") ==
        std::vector<std::string>{"v2", "good", "accounts", "users:alice"});
  CHECK(segments_of("/v2/a%20b/metadata/k%2Bz+") ==
        std::vector<std::string>{"v2", "a b", "metadata", "k+z+"});
  CHECK(segments_of("/v2//good/") == std::vector<std::string>{"v2", "good"});
  CHECK(segments_of("/") == std::vector<std::string>{});
  CHECK(segments_of("/v2/.well/..x") == std::vector<std::string>{"v2", ".well", "..x"});
}

TEST_CASE("a segment that decodes to a slash, a control byte or a relative step is refused, named",
          "[security]") {
  for (const std::string path :
       {"/v2/good/accounts/..%2F..%2Fother/metadata", "/v2/zz%2F..%2Fgood/transactions",
        "/v2/zz%2f..%2fgood/metadata/k", "/v2/a%00b", "/v2/a%0Ab", "/v2/a%7Fb", "/v2/a%1fb",
        "/v2/good/..", "/v2/./good", "/v2/%2E%2E/x", "/v2/%2e", "/v2/a%2", "/v2/a%zz", "/v2/a%",
        "/v2/%G0", "v2/good", "", "*"}) {
    INFO(path);
    auto segments = canonical_segments(path);
    REQUIRE_FALSE(segments.ok());
    CHECK(segments.error().code == Code::kValidation);
  }
  auto traversal = canonical_segments("/v2/good/accounts/..%2F..%2Fother/metadata");
  REQUIRE_FALSE(traversal.ok());
  CHECK_THAT(traversal.error().message,
             Catch::Contains("\"..%2F..%2Fother\"") && Catch::Contains("'/'"));
  auto escape = canonical_segments("/v2/a%2");
  REQUIRE_FALSE(escape.ok());
  CHECK_THAT(escape.error().message, Catch::Contains("\"a%2\"") && Catch::Contains("%-escape"));
}

TEST_CASE("only application/json, with or without parameters, is a JSON body", "[security]") {
  CHECK(is_json_media_type("application/json"));
  CHECK(is_json_media_type("Application/JSON"));
  CHECK(is_json_media_type("application/json; charset=utf-8"));
  CHECK(is_json_media_type(" application/json ;charset=UTF-8"));
  CHECK_FALSE(is_json_media_type("text/plain"));
  CHECK_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  CHECK_FALSE(is_json_media_type("multipart/form-data; boundary=x"));
  CHECK_FALSE(is_json_media_type("application/jsonx"));
  CHECK_FALSE(is_json_media_type("application/json-patch+json"));
  CHECK_FALSE(is_json_media_type(""));
}

}  // namespace
}  // namespace tally::testing
