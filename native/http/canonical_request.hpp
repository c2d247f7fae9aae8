// What a request must look like before a route sees it (docs/design.md §9, docs/security.md).
//
// Paths: the router splits the raw request target (h2o's req->path, never its normalized
// path) on '/' and percent-decodes each segment after the split, so an encoded "/" or ".."
// stays inside its segment and cannot move a request to another ledger or route. A segment
// that decodes to hold '/', NUL or another control byte (below 0x20, or 0x7f), that is "." or
// "..", or that has a malformed %-escape is refused (400 VALIDATION naming it). Empty
// segments ("//", a trailing '/') are dropped.
//
// Bodies: a request that carries one must say it is JSON (Content-Type application/json,
// parameters such as "; charset=utf-8" allowed), else 415: a web page can send a cross-site
// text/plain or form POST without a preflight, never an application/json one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace tally::http {

// The decoded segments of raw_path (the request target before any '?'), or kValidation
// naming the first segment refused. REQUIRES: nothing (any bytes).
Result<std::vector<std::string>> canonical_segments(std::string_view raw_path);

// True when the Content-Type value's media type is application/json (any case, with or
// without parameters).
bool is_json_media_type(std::string_view content_type);

}  // namespace tally::http
