#include "storage/bytewise_comparator.hpp"

#include <cstdint>
#include <cstring>

#include <rocksdb/slice.h>

namespace herald::storage {
namespace {

// Eight bytes as a number whose order is their memcmp order.
std::uint64_t load_big_endian(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return v;
#else
  return __builtin_bswap64(v);
#endif
}

// memcmp's sign over the first `n` bytes, words first.
int compare_bytes(const char* a, const char* b, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t x = load_big_endian(a + i), y = load_big_endian(b + i);
    if (x != y) return x < y ? -1 : 1;
  }
  for (; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

class fast_bytewise final : public rocksdb::Comparator {
 public:
  const char* Name() const override { return base()->Name(); }
  int Compare(const rocksdb::Slice& a, const rocksdb::Slice& b) const override {
    const std::size_t common = a.size() < b.size() ? a.size() : b.size();
    if (const int r = compare_bytes(a.data(), b.data(), common); r != 0) return r;
    return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
  }
  bool Equal(const rocksdb::Slice& a, const rocksdb::Slice& b) const override {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
  }
  void FindShortestSeparator(std::string* start, const rocksdb::Slice& limit) const override {
    base()->FindShortestSeparator(start, limit);
  }
  void FindShortSuccessor(std::string* key) const override { base()->FindShortSuccessor(key); }
  bool IsSameLengthImmediateSuccessor(const rocksdb::Slice& s, const rocksdb::Slice& t) const override {
    return base()->IsSameLengthImmediateSuccessor(s, t);
  }
  bool CanKeysWithDifferentByteContentsBeEqual() const override { return false; }

 private:
  static const rocksdb::Comparator* base() { return rocksdb::BytewiseComparator(); }
};

}  // namespace

const rocksdb::Comparator* bytewise_comparator() {
  static const fast_bytewise comparator;
  return &comparator;
}

}  // namespace herald::storage
