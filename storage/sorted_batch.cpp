#include "storage/sorted_batch.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "storage/bytewise_comparator.hpp"

namespace herald::storage {
namespace {

// Where two keys differ in their zero-padded first eight bytes, these give
// their bytewise order (a shorter key pads with zeros, which sort first);
// where not, the whole keys do.
std::uint64_t leading_word(const rocksdb::Slice& key) {
  if (key.size() >= 8) return load_big_endian(key.data());
  char padded[8] = {};
  std::memcpy(padded, key.data(), key.size());
  return load_big_endian(padded);
}

}  // namespace

void sorted_writes::put(rocksdb::ColumnFamilyHandle* column, const rocksdb::Slice& key, const rocksdb::Slice& value) {
  writes_.push_back(write{column->GetID(), false, leading_word(key), bytes_.size(), static_cast<std::uint32_t>(key.size()),
                          static_cast<std::uint32_t>(value.size())});
  bytes_.append(key.data(), key.size());
  bytes_.append(value.data(), value.size());
}

void sorted_writes::erase(rocksdb::ColumnFamilyHandle* column, const rocksdb::Slice& key) {
  writes_.push_back(write{column->GetID(), true, leading_word(key), bytes_.size(), static_cast<std::uint32_t>(key.size()), 0});
  bytes_.append(key.data(), key.size());
}

void sorted_writes::clear() {
  bytes_.clear();
  writes_.clear();
}

void sorted_writes::append_to(batch_bytes& to) {
  order_.resize(writes_.size());
  for (std::uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
  const char* bytes = bytes_.data();
  auto key_of = [bytes](const write& w) { return std::string_view(bytes + w.key_at, w.key_size); };
  // The index breaks ties: as stable as std::stable_sort, without its buffer.
  std::sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
    const write& x = writes_[a];
    const write& y = writes_[b];
    if (x.column_id != y.column_id) return x.column_id < y.column_id;
    if (x.leading != y.leading) return x.leading < y.leading;
    const int c = compare_bytewise(key_of(x), key_of(y));
    return c != 0 ? c < 0 : a < b;
  });
  for (const std::uint32_t i : order_) {
    const write& w = writes_[i];
    if (w.erase) {
      to.erase(w.column_id, key_of(w));
    } else {
      to.put(w.column_id, key_of(w), std::string_view(bytes + w.key_at + w.key_size, w.value_size));
    }
  }
  clear();
}

}  // namespace herald::storage
