// Field encoders shared by every value and order codec: amounts, metadata, postings.
// Decoders record problems on the Reader (sticky) and return a zero value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/codec/reader.hpp"
#include "core/codec/writer.hpp"
#include "core/crypto/sha256.hpp"
#include "core/domain/amount.hpp"
#include "core/domain/metadata.hpp"
#include "core/domain/posting.hpp"

namespace tally::codec {

// u8 length (0..32), then the minimal little-endian bytes.
void write_amount(Writer& w, const domain::Amount& amount);
domain::Amount read_amount(Reader& r);

// u32 count, then (key, type byte, value) sorted by key; the decoder rejects unsorted or
// duplicate keys and unknown type bytes, so every map has exactly one encoding.
void write_metadata(Writer& w, const domain::Metadata& metadata);
domain::Metadata read_metadata(Reader& r);

void write_postings(Writer& w, const std::vector<domain::Posting>& postings);
std::vector<domain::Posting> read_postings(Reader& r);

void write_optional_string(Writer& w, const std::optional<std::string>& v);
std::optional<std::string> read_optional_string(Reader& r);
void write_optional_u64(Writer& w, const std::optional<std::uint64_t>& v);
std::optional<std::uint64_t> read_optional_u64(Reader& r);

// A SHA-256 digest: 32 raw bytes, no length prefix.
void write_digest(Writer& w, const crypto::Digest& digest);
crypto::Digest read_digest(Reader& r);

// The leading format byte of a value; the decoder rejects any other.
void expect_format(Reader& r, std::uint8_t expected);

}  // namespace tally::codec
