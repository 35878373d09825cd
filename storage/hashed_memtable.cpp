#include "storage/hashed_memtable.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <new>
#include <string_view>
#include <vector>

#include <rocksdb/slice.h>

#include "storage/memtable_entry.hpp"

namespace herald::storage {
namespace {

using namespace memtable_entry;  // entries and arenas, as the skip list reads them

// An entry: its bucket's next entry, the entry inserted before it (every
// entry, newest first, for iterators), then the bytes RocksDB writes.
struct node {
  node() : next(nullptr) {}
  std::atomic<node*> next;
  node* older = nullptr;

  const char* entry() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view key() const { return internal_key(entry()); }
};

std::size_t hash_of(std::string_view user) { return std::hash<std::string_view>{}(user); }

// A user key's first eight bytes, big-endian and zero-padded: two keys whose
// prefixes differ are ordered as their prefixes, so sorting compares these
// and reads the entries only on a tie.
std::uint64_t prefix_of(std::string_view internal) {
  const std::string_view user = user_key(internal);
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    v = (v << 8) | (i < user.size() ? static_cast<unsigned char>(user[i]) : 0u);
  }
  return v;
}

class hashed_memtable final : public rocksdb::MemTableRep {
 public:
  hashed_memtable(rocksdb::Allocator* allocator, std::size_t buckets)
      : MemTableRep(allocator), bucket_count_(buckets) {}

  rocksdb::KeyHandle Allocate(const size_t len, char** buf) override {
    node* x = new (chunks_.carve(*allocator_, sizeof(node) + len, alignof(node))) node();
    *buf = const_cast<char*>(x->entry());
    return x;
  }

  void Insert(rocksdb::KeyHandle handle) override { (void)InsertKey(handle); }

  // Links the entry into its bucket after the entries with smaller keys;
  // false (and nothing linked) when an entry with the same internal key exists.
  bool InsertKey(rocksdb::KeyHandle handle) override {
    node* x = static_cast<node*>(handle);
    const std::string_view key = x->key();
    std::atomic<node*>* buckets = buckets_.load(std::memory_order_relaxed);
    if (buckets == nullptr) buckets = make_buckets();
    std::atomic<node*>* link = &buckets[hash_of(user_key(key)) & (bucket_count_ - 1)];
    for (node* n = link->load(std::memory_order_relaxed); n != nullptr; n = link->load(std::memory_order_relaxed)) {
      const int c = compare_internal(n->key(), key);
      if (c == 0) return false;
      if (c > 0) break;
      link = &n->next;
    }
    x->next.store(link->load(std::memory_order_relaxed), std::memory_order_relaxed);
    x->older = newest_.load(std::memory_order_relaxed);
    // Readers see the entry once a release store links it; its own links
    // and bytes are written before.
    link->store(x, std::memory_order_release);
    newest_.store(x, std::memory_order_release);
    return true;
  }

  bool Contains(const char* entry) const override {
    const std::string_view key = internal_key(entry);
    for (node* n = bucket_head(user_key(key)); n != nullptr; n = n->next.load(std::memory_order_acquire)) {
      const int c = compare_internal(n->key(), key);
      if (c >= 0) return c == 0;
    }
    return false;
  }

  // From the first entry at or after the lookup key (its user key's newest
  // version the reader may see), in order, until the callback stops: it
  // stops at another user key, and a key's versions are adjacent.
  void Get(const rocksdb::LookupKey& k, void* callback_args,
           bool (*callback_func)(void* arg, const char* entry)) override {
    const std::string_view key = internal_key(memtable_key_of(k));
    node* n = bucket_head(user_key(key));
    while (n != nullptr && compare_internal(n->key(), key) < 0) n = n->next.load(std::memory_order_acquire);
    for (; n != nullptr && callback_func(callback_args, n->entry()); n = n->next.load(std::memory_order_acquire)) {
    }
  }

  // Every byte, the buckets too, is in the memtable's arena, which counts it.
  size_t ApproximateMemoryUsage() override { return 0; }

  class iterator;
  Iterator* GetIterator(rocksdb::Arena* arena) override;

  node* newest() const { return newest_.load(std::memory_order_acquire); }

 private:
  node* bucket_head(std::string_view user) const {
    std::atomic<node*>* buckets = buckets_.load(std::memory_order_acquire);
    if (buckets == nullptr) return nullptr;
    return buckets[hash_of(user) & (bucket_count_ - 1)].load(std::memory_order_acquire);
  }

  // Made when the first entry comes: most families' memtables, most of the
  // time, take none.
  std::atomic<node*>* make_buckets() {
    char* raw = allocator_->AllocateAligned(bucket_count_ * sizeof(std::atomic<node*>));
    auto* buckets = reinterpret_cast<std::atomic<node*>*>(raw);
    for (std::size_t i = 0; i < bucket_count_; ++i) new (&buckets[i]) std::atomic<node*>(nullptr);
    buckets_.store(buckets, std::memory_order_release);
    return buckets;
  }

  const std::size_t bucket_count_;  // a power of two
  std::atomic<std::atomic<node*>*> buckets_{nullptr};
  std::atomic<node*> newest_{nullptr};
  memtable_entry::arena_chunks chunks_;  // entries are cut from these
};

// The memtable's entries when the iterator was made, sorted.
class hashed_memtable::iterator final : public rocksdb::MemTableRep::Iterator {
 public:
  explicit iterator(const hashed_memtable& table) {
    for (node* n = table.newest(); n != nullptr; n = n->older) entries_.push_back({prefix_of(n->key()), n});
    std::sort(entries_.begin(), entries_.end(), less<sorted, sorted>);
    at_ = entries_.size();
  }

  bool Valid() const override { return at_ < entries_.size(); }
  const char* key() const override { return entries_[at_].at->entry(); }
  void Next() override { ++at_; }
  void Prev() override { at_ = at_ == 0 ? entries_.size() : at_ - 1; }
  void Seek(const rocksdb::Slice& key, const char* memtable_key) override {
    const auto at = std::lower_bound(entries_.begin(), entries_.end(), target(key, memtable_key), less<sorted, probe>);
    at_ = static_cast<std::size_t>(at - entries_.begin());
  }
  // The last entry at or before the target.
  void SeekForPrev(const rocksdb::Slice& key, const char* memtable_key) override {
    const auto after = std::upper_bound(entries_.begin(), entries_.end(), target(key, memtable_key), less<probe, sorted>);
    at_ = after == entries_.begin() ? entries_.size() : static_cast<std::size_t>(after - entries_.begin()) - 1;
  }
  void SeekToFirst() override { at_ = 0; }
  void SeekToLast() override { at_ = entries_.empty() ? 0 : entries_.size() - 1; }

 private:
  struct sorted {
    std::uint64_t prefix;
    node* at;
  };
  // What a seek looks for.
  struct probe {
    explicit probe(std::string_view k) : prefix(prefix_of(k)), key(k) {}
    std::uint64_t prefix;
    std::string_view key;
  };

  static std::string_view key_of(const sorted& e) { return e.at->key(); }
  static std::string_view key_of(const probe& p) { return p.key; }

  // The internal-key order, decided by the prefixes where they differ: an
  // entry is read only on a tie.
  template <class A, class B>
  static bool less(const A& a, const B& b) {
    return a.prefix != b.prefix ? a.prefix < b.prefix : compare_internal(key_of(a), key_of(b)) < 0;
  }

  static probe target(const rocksdb::Slice& key, const char* memtable_key) {
    return probe(memtable_key != nullptr ? internal_key(memtable_key) : std::string_view(key.data(), key.size()));
  }

  std::vector<sorted> entries_;
  std::size_t at_ = 0;
};

rocksdb::MemTableRep::Iterator* hashed_memtable::GetIterator(rocksdb::Arena* arena) {
  if (arena == nullptr) return new iterator(*this);
  // Placed in the caller's arena, which destroys it without freeing it.
  return new (as_allocator(arena)->AllocateAligned(sizeof(iterator))) iterator(*this);
}

class hashed_memtable_factory_impl final : public rocksdb::MemTableRepFactory {
 public:
  explicit hashed_memtable_factory_impl(std::size_t buckets) : buckets_(buckets) {}
  using MemTableRepFactory::CreateMemTableRep;
  rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator&, rocksdb::Allocator* allocator,
                                          const rocksdb::SliceTransform*, rocksdb::Logger*) override {
    return new hashed_memtable(allocator, buckets_);
  }
  const char* Name() const override { return "HeraldHashedMemtable"; }
  bool IsInsertConcurrentlySupported() const override { return false; }
  bool CanHandleDuplicatedKey() const override { return true; }  // InsertKey answers false

 private:
  const std::size_t buckets_;
};

std::size_t round_up_to_power_of_two(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> hashed_memtable_factory(std::size_t buckets) {
  return std::make_shared<hashed_memtable_factory_impl>(round_up_to_power_of_two(std::max<std::size_t>(buckets, 1)));
}

std::size_t hashed_memtable_buckets(std::size_t memtable_bytes) { return std::max<std::size_t>(memtable_bytes / 256, 1024); }

}  // namespace herald::storage
