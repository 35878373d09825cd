#include "storage/sorted_batch.hpp"

#include <algorithm>

namespace herald::storage {
namespace {

struct write_op {
  std::uint32_t column = 0;
  bool erase = false;
  rocksdb::Slice key;  // both point into the batch read
  rocksdb::Slice value;
};

class collect_ops : public rocksdb::WriteBatch::Handler {
 public:
  explicit collect_ops(std::vector<write_op>& ops) : ops_(ops) {}
  rocksdb::Status PutCF(std::uint32_t column, const rocksdb::Slice& key, const rocksdb::Slice& value) override {
    ops_.push_back(write_op{column, false, key, value});
    return rocksdb::Status::OK();
  }
  rocksdb::Status DeleteCF(std::uint32_t column, const rocksdb::Slice& key) override {
    ops_.push_back(write_op{column, true, key, rocksdb::Slice()});
    return rocksdb::Status::OK();
  }

 private:
  std::vector<write_op>& ops_;
};

}  // namespace

rocksdb::Status append_sorted(const rocksdb::WriteBatch& from, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                              rocksdb::WriteBatch& to) {
  thread_local std::vector<write_op> ops;
  ops.clear();
  ops.reserve(static_cast<std::size_t>(from.Count()));
  collect_ops collect(ops);
  if (auto st = from.Iterate(&collect); !st.ok()) return st;
  std::stable_sort(ops.begin(), ops.end(), [](const write_op& a, const write_op& b) {
    return a.column != b.column ? a.column < b.column : a.key.compare(b.key) < 0;
  });
  for (const write_op& op : ops) {
    rocksdb::ColumnFamilyHandle* cf = op.column < handles.size() ? handles[op.column] : nullptr;
    if (!cf) return rocksdb::Status::InvalidArgument("a write to an unknown column family");
    auto st = op.erase ? to.Delete(cf, op.key) : to.Put(cf, op.key, op.value);
    if (!st.ok()) return st;
  }
  return rocksdb::Status::OK();
}

}  // namespace herald::storage
