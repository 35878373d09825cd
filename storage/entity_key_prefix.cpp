#include "storage/entity_key_prefix.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

#include "storage/coding.hpp"

namespace herald::storage {
namespace {

// The length of the key's leading lenstr, nullopt when it has none.
std::optional<std::size_t> lenstr_size(const rocksdb::Slice& key) {
  reader in(std::string_view(key.data(), key.size()));
  (void)in.lenstr();
  if (!in.ok()) return std::nullopt;
  return in.consumed();
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
