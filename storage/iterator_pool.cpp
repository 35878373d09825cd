#include "storage/iterator_pool.hpp"

#include <algorithm>

namespace herald::storage {

std::unique_ptr<rocksdb::Iterator> iterator_pool::take(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family) {
  std::unique_ptr<rocksdb::Iterator> it;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto id = family->GetID();
    auto found = std::find_if(kept_.rbegin(), kept_.rend(), [id](const kept_iterator& k) { return k.family == id; });
    if (found != kept_.rend()) {
      it = std::move(found->it);
      kept_.erase(std::next(found).base());
    }
  }
  // One that cannot be refreshed (a read-only DB's) is not reused: a new
  // one reads the newest state for certain.
  if (it && it->Refresh().ok()) return it;
  return std::unique_ptr<rocksdb::Iterator>(db.NewIterator(rocksdb::ReadOptions(), family));
}

void iterator_pool::give_back(rocksdb::ColumnFamilyHandle* family, std::unique_ptr<rocksdb::Iterator> it) {
  // One whose last use failed is not kept.
  if (!it || !it->status().ok()) return;
  const auto id = family->GetID();
  std::lock_guard<std::mutex> lock(mu_);
  const auto same = std::count_if(kept_.begin(), kept_.end(), [id](const kept_iterator& k) { return k.family == id; });
  if (static_cast<std::size_t>(same) < keep_) kept_.push_back({id, std::move(it)});
}

void iterator_pool::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  kept_.clear();
}

}  // namespace herald::storage
