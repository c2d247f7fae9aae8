// Reading a flat Cap'n Proto message from untrusted bytes: size check, aligned copy when the
// buffer is not word-aligned, reader limits, and every Cap'n Proto exception turned into an
// Error (kCorrupt). Used by every decoder of native/codec.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>
#include <kj/exception.h>

#include <cstring>
#include <exception>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "native/limits.hpp"

namespace tally::wire {

// Traversal limits in words: each message may be read whole about twice.
inline constexpr std::uint64_t traversal_words(std::size_t message_bytes) {
  return 2 * (message_bytes / 8) + 64;
}

// Calls read(reader) with a FlatArrayMessageReader over bytes; its result is returned, and
// any exception the reader throws (malformed pointers, limits exceeded) becomes kCorrupt.
template <class T, class Read>
Result<T> read_message(ByteView bytes, std::size_t bytes_max, const char* what, Read read) {
  if (bytes.size == 0 || bytes.size % 8 != 0 || bytes.size > bytes_max) {
    return make_error(Code::kCorrupt, std::string(what) + ": " + std::to_string(bytes.size) +
                                          " bytes is not a whole message");
  }
  kj::Array<capnp::word> copy;
  kj::ArrayPtr<const capnp::word> words;
  if (reinterpret_cast<std::uintptr_t>(bytes.data) % alignof(capnp::word) == 0) {
    words = kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data), bytes.size / 8);
  } else {
    copy = kj::heapArray<capnp::word>(bytes.size / 8);
    std::memcpy(copy.begin(), bytes.data, bytes.size);
    words = copy.asPtr();
  }
  capnp::ReaderOptions options;
  options.traversalLimitInWords = traversal_words(bytes.size);
  options.nestingLimit = limits::kMessageNestingMax;
  try {
    capnp::FlatArrayMessageReader reader(words, options);
    if (reader.getEnd() != words.end()) {
      return make_error(Code::kCorrupt, std::string(what) + ": trailing bytes after the message");
    }
    return read(reader);
  } catch (const kj::Exception& e) {
    return make_error(Code::kCorrupt,
                      std::string(what) + ": " + std::string(e.getDescription().cStr()));
  } catch (const std::exception& e) {
    return make_error(Code::kCorrupt, std::string(what) + ": " + e.what());
  }
}

// The flat bytes of a built message (segment table + segments, a whole number of words).
inline Bytes flat_bytes(capnp::MessageBuilder& builder) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  auto chars = words.asBytes();
  return Bytes(chars.begin(), chars.end());
}

}  // namespace tally::wire
