#include "storage/entity_key_prefix.hpp"

#include <cstddef>
#include <optional>

namespace herald::storage {
namespace {

// The length of the key's leading lenstr, nullopt when it has none.
std::optional<std::size_t> lenstr_size(const rocksdb::Slice& key) {
  std::size_t length = 0;
  for (std::size_t i = 0, shift = 0; i < key.size() && shift < 64; ++i, shift += 7) {
    const auto byte = static_cast<unsigned char>(key[i]);
    length |= static_cast<std::size_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      const std::size_t header = i + 1;
      if (length > key.size() - header) return std::nullopt;
      return header + length;
    }
  }
  return std::nullopt;
}

class entity_key_prefix_transform final : public rocksdb::SliceTransform {
 public:
  // The name is recorded in every table file's properties: a store opened
  // with another extractor ignores those files' prefix filters.
  const char* Name() const override { return "herald.entity_key_prefix.v1"; }

  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), lenstr_size(key).value_or(key.size()));
  }

  bool InDomain(const rocksdb::Slice& key) const override { return lenstr_size(key).has_value(); }
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> entity_key_prefix() {
  static const auto transform = std::make_shared<const entity_key_prefix_transform>();
  return transform;
}

}  // namespace herald::storage
