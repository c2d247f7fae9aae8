// Base64url without padding (RFC 4648 §5, as JWTs use it: RFC 7515 §2).
//
// decode() is strict: only the 64 letters of the URL-safe alphabet, no padding, no
// whitespace, a length that is not 1 mod 4, and zero bits where the last letter has spare
// bits. So one byte string has exactly one text form, and a token that differs in any letter
// differs in its bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace tally::auth {

std::string base64url_encode(ByteView bytes);
// None for text that is not canonical base64url.
std::optional<Bytes> base64url_decode(std::string_view text);

}  // namespace tally::auth
