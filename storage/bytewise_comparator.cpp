#include "storage/bytewise_comparator.hpp"

#include <cstring>

#include <rocksdb/slice.h>

namespace herald::storage {
namespace {

class fast_bytewise final : public rocksdb::Comparator {
 public:
  const char* Name() const override { return base()->Name(); }
  int Compare(const rocksdb::Slice& a, const rocksdb::Slice& b) const override {
    return compare_bytewise(std::string_view(a.data(), a.size()), std::string_view(b.data(), b.size()));
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
