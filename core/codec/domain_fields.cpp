#include "core/codec/domain_fields.hpp"

#include "core/limits.hpp"
#include "core/overloaded.hpp"

namespace tally::codec {

namespace {

enum MetadataType : std::uint8_t { kNull = 0, kString = 1, kInt = 2, kBool = 3 };

}  // namespace

void write_amount(Writer& w, const domain::Amount& amount) {
  std::array<std::uint8_t, domain::kAmountBytesMax> le;
  std::size_t size = amount.write_minimal_le(le);
  w.u8(static_cast<std::uint8_t>(size));
  w.raw(ByteView(le.data(), size));
}

domain::Amount read_amount(Reader& r) {
  std::uint8_t length = r.u8();
  if (length > 32) {
    r.fail("amount of " + std::to_string(length) + " bytes");
    return {};
  }
  ByteView le = r.raw(length);
  if (!r.ok()) return {};
  auto amount = domain::Amount::from_minimal_le(le);
  if (!amount.ok()) {
    r.fail(amount.error().message);
    return {};
  }
  return *amount;
}

void write_metadata(Writer& w, const domain::Metadata& metadata) {
  w.u32(static_cast<std::uint32_t>(metadata.size()));
  for (const auto& [key, value] : metadata) {
    w.string(key);
    std::visit(Overloaded{
                   [&](const domain::MetadataNull&) { w.u8(kNull); },
                   [&](const std::string& s) {
                     w.u8(kString);
                     w.string(s);
                   },
                   [&](std::int64_t i) {
                     w.u8(kInt);
                     w.i64(i);
                   },
                   [&](bool b) {
                     w.u8(kBool);
                     w.boolean(b);
                   },
               },
               value);
  }
}

domain::Metadata read_metadata(Reader& r) {
  domain::Metadata metadata;
  std::uint32_t n = r.count(limits::kMetadataEntriesMax, 5);
  const std::string* previous = nullptr;
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    std::string key = r.string();
    if (previous != nullptr && !(*previous < key)) {
      r.fail("metadata keys unsorted or repeated");
      break;
    }
    domain::MetadataValue value;
    switch (r.u8()) {
      case kNull: value = domain::MetadataNull{}; break;
      case kString: value = r.string(); break;
      case kInt: value = r.i64(); break;
      case kBool: value = r.boolean(); break;
      default: r.fail("unknown metadata type");
    }
    if (!r.ok()) break;
    previous = &metadata.emplace_hint(metadata.end(), std::move(key), std::move(value))->first;
  }
  return r.ok() ? metadata : domain::Metadata{};
}

void write_postings(Writer& w, const std::vector<domain::Posting>& postings) {
  w.u32(static_cast<std::uint32_t>(postings.size()));
  for (const domain::Posting& p : postings) {
    w.string(p.source);
    w.string(p.destination);
    write_amount(w, p.amount);
    w.string(p.asset);
  }
}

std::vector<domain::Posting> read_postings(Reader& r) {
  std::vector<domain::Posting> postings;
  std::uint32_t n = r.count(limits::kPostingsPerTransactionMax, 13);
  postings.reserve(n);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    domain::Posting p;
    p.source = r.string();
    p.destination = r.string();
    p.amount = read_amount(r);
    p.asset = r.string();
    postings.push_back(std::move(p));
  }
  return r.ok() ? postings : std::vector<domain::Posting>{};
}

void write_optional_string(Writer& w, const std::optional<std::string>& v) {
  w.optional(v, [&](const std::string& s) { w.string(s); });
}

std::optional<std::string> read_optional_string(Reader& r) {
  if (!r.has_value()) return std::nullopt;
  return r.string();
}

void write_optional_u64(Writer& w, const std::optional<std::uint64_t>& v) {
  w.optional(v, [&](std::uint64_t x) { w.u64(x); });
}

std::optional<std::uint64_t> read_optional_u64(Reader& r) {
  if (!r.has_value()) return std::nullopt;
  return r.u64();
}

void write_digest(Writer& w, const crypto::Digest& digest) {
  w.raw(ByteView(digest.data(), digest.size()));
}

crypto::Digest read_digest(Reader& r) {
  crypto::Digest digest{};
  ByteView bytes = r.raw(crypto::kDigestBytes);
  if (r.ok()) std::copy(bytes.begin(), bytes.end(), digest.begin());
  return digest;
}

void expect_format(Reader& r, std::uint8_t expected) {
  std::uint8_t format = r.u8();
  if (r.ok() && format != expected) r.fail("unknown format " + std::to_string(format));
}

}  // namespace tally::codec
