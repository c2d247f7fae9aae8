// CompactValue: a cached value's bytes in 16 bytes, inline up to 14 bytes (volumes of
// everyday amounts, boundaries, references), on the heap beyond. The cache holds millions of them,
// so the size of the inline case is the memory per cached key (a target of at most 128 B per key).
// Immutable once built; copies are deep. Reads go through ByteView, so nothing is copied.
#pragma once

#include <cstdint>
#include <cstring>
#include <utility>

#include "core/bytes.hpp"
#include "core/invariant.hpp"

namespace tally::cache {

class CompactValue {
 public:
  static constexpr std::size_t kInlineBytesMax = 14;

  CompactValue() { storage_[kModeByte] = 0; }
  CompactValue(ByteView bytes) { assign(bytes); }  // NOLINT: implicit by design, like Bytes
  CompactValue(const Bytes& bytes) : CompactValue(ByteView(bytes)) {}  // NOLINT
  CompactValue(const CompactValue& other) { assign(other.view()); }
  CompactValue(CompactValue&& other) noexcept {
    std::memcpy(storage_, other.storage_, sizeof storage_);
    other.storage_[kModeByte] = 0;
  }
  CompactValue& operator=(const CompactValue& other) {
    if (this != &other) {
      release();
      assign(other.view());
    }
    return *this;
  }
  CompactValue& operator=(CompactValue&& other) noexcept {
    if (this != &other) {
      release();
      std::memcpy(storage_, other.storage_, sizeof storage_);
      other.storage_[kModeByte] = 0;
    }
    return *this;
  }
  ~CompactValue() { release(); }

  ByteView view() const {
    if (on_heap()) return ByteView(heap_data(), heap_size());
    return ByteView(storage_, storage_[kModeByte]);
  }
  operator ByteView() const { return view(); }  // NOLINT: implicit by design
  std::size_t size() const { return view().size; }
  bool empty() const { return size() == 0; }
  Bytes to_bytes() const { return view().to_bytes(); }

  friend bool operator==(const CompactValue& a, const CompactValue& b) {
    return a.view() == b.view();
  }
  friend bool operator==(const CompactValue& a, const Bytes& b) { return a.view() == ByteView(b); }

 private:
  static constexpr std::size_t kModeByte = 15;  // inline: the size (0..14); kHeap: on the heap
  static constexpr std::uint8_t kHeap = 0xff;

  bool on_heap() const { return storage_[kModeByte] == kHeap; }
  std::uint8_t* heap_data() const {
    std::uint8_t* data;
    std::memcpy(&data, storage_, sizeof data);
    return data;
  }
  std::size_t heap_size() const {
    std::uint32_t size;
    std::memcpy(&size, storage_ + sizeof(std::uint8_t*), sizeof size);
    return size;
  }
  void assign(ByteView bytes) {
    if (bytes.size <= kInlineBytesMax) {
      if (bytes.size > 0) std::memcpy(storage_, bytes.data, bytes.size);
      storage_[kModeByte] = static_cast<std::uint8_t>(bytes.size);
      return;
    }
    TALLY_INVARIANT(bytes.size <= UINT32_MAX, "a cached value larger than 4 GiB");
    auto* data = new std::uint8_t[bytes.size];
    std::memcpy(data, bytes.data, bytes.size);
    std::memcpy(storage_, &data, sizeof data);
    auto size = static_cast<std::uint32_t>(bytes.size);
    std::memcpy(storage_ + sizeof data, &size, sizeof size);
    storage_[kModeByte] = kHeap;
  }
  void release() {
    if (on_heap()) delete[] heap_data();
    storage_[kModeByte] = 0;
  }

  alignas(8) std::uint8_t storage_[16];
};

static_assert(sizeof(CompactValue) == 16);

}  // namespace tally::cache
