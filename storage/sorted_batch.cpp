#include "storage/sorted_batch.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "storage/bytewise_comparator.hpp"

namespace herald::storage {
namespace {

// A key's first sixteen bytes, zero-padded, as two big-endian numbers:
// where two keys differ in them, the numbers give their bytewise order (a
// shorter key pads with zeros, which sort first); where not, the whole keys
// do. Sixteen, not eight: many keys start with the same entity type
// ("\x10Delegate/...").
void leading_words(const rocksdb::Slice& key, std::uint64_t* first, std::uint64_t* second) {
  if (key.size() >= 16) {
    *first = load_big_endian(key.data());
    *second = load_big_endian(key.data() + 8);
    return;
  }
  char padded[16] = {};
  std::memcpy(padded, key.data(), key.size());
  *first = load_big_endian(padded);
  *second = load_big_endian(padded + 8);
}

}  // namespace

void sorted_writes::put(rocksdb::ColumnFamilyHandle* column, const rocksdb::Slice& key, const rocksdb::Slice& value) {
  put(column, {std::string_view(key.data(), key.size())}, value);
}

void sorted_writes::erase(rocksdb::ColumnFamilyHandle* column, const rocksdb::Slice& key) {
  erase(column, {std::string_view(key.data(), key.size())});
}

std::uint32_t sorted_writes::append_key(std::initializer_list<std::string_view> key_parts) {
  std::size_t size = 0;
  for (const auto part : key_parts) size += part.size();
  const std::size_t at = bytes_.size();
  bytes_.resize(at + size);
  char* to = bytes_.data() + at;
  for (const auto part : key_parts) {
    std::memcpy(to, part.data(), part.size());
    to += part.size();
  }
  return static_cast<std::uint32_t>(size);
}

void sorted_writes::put(rocksdb::ColumnFamilyHandle* column, std::initializer_list<std::string_view> key_parts,
                        const rocksdb::Slice& value) {
  const std::size_t at = bytes_.size();
  const std::uint32_t key_size = append_key(key_parts);
  writes_.push_back(write{column->GetID(), false, at, key_size, static_cast<std::uint32_t>(value.size())});
  bytes_.append(value.data(), value.size());
}

void sorted_writes::erase(rocksdb::ColumnFamilyHandle* column, std::initializer_list<std::string_view> key_parts) {
  const std::size_t at = bytes_.size();
  const std::uint32_t key_size = append_key(key_parts);
  writes_.push_back(write{column->GetID(), true, at, key_size, 0});
}

void sorted_writes::clear() {
  bytes_.clear();
  writes_.clear();
}

void sorted_writes::keep_arrival_order(std::uint32_t column_id) {
  if (column_id < 64) arrival_order_columns_ |= std::uint64_t{1} << column_id;
}

void sorted_writes::append_to(batch_bytes& to) {
  const char* bytes = bytes_.data();
  auto key_of = [bytes](const write& w) { return std::string_view(bytes + w.key_at, w.key_size); };
  // Sorted by value, not through indices into writes_: most comparisons
  // are decided by the column and the leading words without another load.
  order_.clear();
  order_.reserve(writes_.size());
  for (std::uint32_t i = 0; i < writes_.size(); ++i) {
    const write& w = writes_[i];
    if (in_arrival_order(w.column_id)) continue;
    sort_entry& e = order_.emplace_back();
    leading_words(rocksdb::Slice(bytes + w.key_at, w.key_size), &e.first, &e.second);
    e.column_id = w.column_id;
    e.index = i;
  }
  // The index breaks ties: as stable as std::stable_sort, without its buffer.
  std::sort(order_.begin(), order_.end(), [&](const sort_entry& x, const sort_entry& y) {
    if (x.column_id != y.column_id) return x.column_id < y.column_id;
    if (x.first != y.first) return x.first < y.first;
    if (x.second != y.second) return x.second < y.second;
    const int c = compare_bytewise(key_of(writes_[x.index]), key_of(writes_[y.index]));
    return c != 0 ? c < 0 : x.index < y.index;
  });
  auto append = [&](const write& w) {
    if (w.erase) {
      to.erase(w.column_id, key_of(w));
    } else {
      to.put(w.column_id, key_of(w), std::string_view(bytes + w.key_at + w.key_size, w.value_size));
    }
  };
  for (const sort_entry& e : order_) append(writes_[e.index]);
  if (arrival_order_columns_ != 0) {
    for (const write& w : writes_) {
      if (in_arrival_order(w.column_id)) append(w);
    }
  }
  clear();
}

}  // namespace herald::storage
