#include "storage/bytewise_memtable.hpp"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

#include <rocksdb/slice.h>

#include "storage/bytewise_comparator.hpp"
#include "storage/memtable_entry.hpp"

namespace herald::storage {
namespace {

using memtable_entry::as_allocator;
using memtable_entry::compare_internal;
using memtable_entry::internal_key;
using memtable_entry::memtable_key_of;

constexpr int max_height = 12;  // RocksDB's default; with branching 4, 4^11 entries before it matters

// A node of the list. Level 0's link is the node itself; level i's is i
// links below it in memory (so a node is only as big as its height); the
// entry RocksDB writes follows it.
struct node {
  std::atomic<node*> link0;

  std::atomic<node*>* link(int level) { return &link0 - level; }
  node* next(int level) { return link(level)->load(std::memory_order_acquire); }
  const char* entry() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view key() const { return internal_key(entry()); }
};

class bytewise_skiplist final : public rocksdb::MemTableRep {
 public:
  explicit bytewise_skiplist(rocksdb::Allocator* allocator) : MemTableRep(allocator), head_(new_node(max_height, 0, true)) {
    for (int i = 0; i <= max_height; ++i) {
      prev_[i] = head_;
      next_[i] = nullptr;
    }
  }

  rocksdb::KeyHandle Allocate(const size_t len, char** buf) override {
    const int height = random_height();
    node* x = new_node(height, len);
    // Kept in level 0's link until Insert links the node.
    x->link0.store(reinterpret_cast<node*>(static_cast<std::uintptr_t>(height)), std::memory_order_relaxed);
    *buf = const_cast<char*>(x->entry());
    return x;
  }

  void Insert(rocksdb::KeyHandle handle) override { (void)InsertKey(handle); }

  // Links the node after the last one with a smaller key; false (and
  // nothing linked) when an entry with the same internal key exists.
  bool InsertKey(rocksdb::KeyHandle handle) override {
    node* x = static_cast<node*>(handle);
    const int height = static_cast<int>(reinterpret_cast<std::uintptr_t>(x->link0.load(std::memory_order_relaxed)));
    const std::string_view key = x->key();
    int top = height_.load(std::memory_order_relaxed);
    if (height > top) {
      for (int i = top + 1; i <= height; ++i) {
        prev_[i] = head_;
        next_[i] = nullptr;
      }
      top = height;
      height_.store(top, std::memory_order_relaxed);
    }
    // prev_[i] and next_[i] are neighbours at level i around the last
    // insert, each level's pair inside the one above, and level `top`'s
    // the whole list. Find the lowest level whose pair brackets the key...
    int level = 0;
    while (level < top) {
      node* before = prev_[level];
      node* after = next_[level];
      if (before != head_ && compare_internal(key, before->key()) <= 0) {
        while (level < top && prev_[level] == before) ++level;
      } else if (after != nullptr && compare_internal(key, after->key()) >= 0) {
        while (level < top && next_[level] == after) ++level;
      } else {
        break;
      }
    }
    // ...and search each level below from the pair above it.
    for (int i = level - 1; i >= 0; --i) {
      node* before = prev_[i + 1];
      node* const bound = next_[i + 1];
      node* n = before->link(i)->load(std::memory_order_relaxed);
      while (n != bound) {
        // Where the search goes if it stops here, fetched while n is.
        if (i > 0) __builtin_prefetch(before->link(i - 1)->load(std::memory_order_relaxed));
        const int c = compare_internal(key, n->key());
        if (c < 0) break;
        if (c == 0) {
          forget_splice(top);
          return false;
        }
        before = n;
        n = before->link(i)->load(std::memory_order_relaxed);
      }
      prev_[i] = before;
      next_[i] = n;
    }
    // Readers see the node once a release store links it; its own links
    // and entry are written before.
    for (int i = 0; i < height; ++i) {
      x->link(i)->store(next_[i], std::memory_order_relaxed);
      prev_[i]->link(i)->store(x, std::memory_order_release);
      prev_[i] = x;
    }
    return true;
  }

  bool Contains(const char* entry) const override {
    const std::string_view key = internal_key(entry);
    node* x = find_greater_or_equal(key);
    return x != nullptr && compare_internal(x->key(), key) == 0;
  }

  // RocksDB's default Get leaks the iterator it creates (every other
  // representation overrides it).
  void Get(const rocksdb::LookupKey& k, void* callback_args,
           bool (*callback_func)(void* arg, const char* entry)) override {
    for (node* x = find_greater_or_equal(internal_key(memtable_key_of(k))); x != nullptr && callback_func(callback_args, x->entry());
         x = x->next(0)) {
    }
  }

  // Every byte is in the memtable's arena, which counts it.
  size_t ApproximateMemoryUsage() override { return 0; }

  class iterator;
  Iterator* GetIterator(rocksdb::Arena* arena) override;

  node* first() const { return head_->next(0); }

  // The first node whose key is at or after `key`; nullptr if none.
  node* find_greater_or_equal(std::string_view key) const {
    node* x = head_;
    int level = height_.load(std::memory_order_relaxed) - 1;
    node* known_after = nullptr;  // compared already one level up
    for (;;) {
      node* n = x->next(level);
      const int c = (n == nullptr || n == known_after) ? 1 : compare_internal(n->key(), key);
      if (c < 0) {
        x = n;
      } else if (c == 0 || level == 0) {
        return n;
      } else {
        known_after = n;
        --level;
      }
    }
  }

  // The last node whose key is before `key`; nullptr if none.
  node* find_less_than(std::string_view key) const {
    node* x = head_;
    int level = height_.load(std::memory_order_relaxed) - 1;
    node* known_after = nullptr;
    for (;;) {
      node* n = x->next(level);
      if (n != nullptr && n != known_after && compare_internal(n->key(), key) < 0) {
        x = n;
      } else if (level == 0) {
        return x == head_ ? nullptr : x;
      } else {
        known_after = n;
        --level;
      }
    }
  }

  node* last() const {
    node* x = head_;
    for (int level = height_.load(std::memory_order_relaxed) - 1;;) {
      node* n = x->next(level);
      if (n != nullptr) {
        x = n;
      } else if (level == 0) {
        return x == head_ ? nullptr : x;
      } else {
        --level;
      }
    }
  }

 private:
  // The head is not cut from a chunk: a memtable that is never written
  // (most families, most of the time) then takes no chunk, and the arena's
  // own first block is small.
  node* new_node(int height, std::size_t entry_bytes, bool head = false) {
    const std::size_t links = sizeof(std::atomic<node*>) * static_cast<std::size_t>(height - 1);
    const std::size_t bytes = links + sizeof(node) + entry_bytes;
    char* raw = head ? allocator_->AllocateAligned(bytes) : carve(bytes);
    node* x = reinterpret_cast<node*>(raw + links);
    for (int i = 0; i < height; ++i) new (x->link(i)) std::atomic<node*>(nullptr);
    return x;
  }

  char* carve(std::size_t bytes) { return chunks_.carve(*allocator_, bytes, alignof(node)); }

  // A new level every fourth time, as RocksDB's skip list.
  int random_height() {
    int height = 1;
    while (height < max_height && (next_random() & 3) == 0) ++height;
    return height;
  }

  std::uint32_t next_random() {  // xorshift64*
    random_ ^= random_ >> 12;
    random_ ^= random_ << 25;
    random_ ^= random_ >> 27;
    return static_cast<std::uint32_t>((random_ * 0x2545F4914F6CDD1DULL) >> 32);
  }

  // After a duplicate the lower levels were not searched: start over.
  void forget_splice(int top) {
    for (int i = 0; i <= top; ++i) {
      prev_[i] = head_;
      next_[i] = nullptr;
    }
  }

  memtable_entry::arena_chunks chunks_;  // nodes are cut from these (carve)
  node* const head_;
  std::atomic<int> height_{1};
  // The writer's own: where the last insert went, at each level (and
  // level `height_`: the whole list).
  node* prev_[max_height + 1];
  node* next_[max_height + 1];
  std::uint64_t random_ = 0x9E3779B97F4A7C15ULL;
};

class bytewise_skiplist::iterator final : public rocksdb::MemTableRep::Iterator {
 public:
  explicit iterator(const bytewise_skiplist* list) : list_(list) {}

  bool Valid() const override { return node_ != nullptr; }
  const char* key() const override { return node_->entry(); }
  void Next() override { node_ = node_->next(0); }
  void Prev() override { node_ = list_->find_less_than(node_->key()); }
  void Seek(const rocksdb::Slice& key, const char* memtable_key) override {
    node_ = list_->find_greater_or_equal(target(key, memtable_key));
  }
  void SeekForPrev(const rocksdb::Slice& key, const char* memtable_key) override {
    const std::string_view t = target(key, memtable_key);
    node_ = list_->find_greater_or_equal(t);
    if (node_ == nullptr) node_ = list_->last();
    while (node_ != nullptr && compare_internal(node_->key(), t) > 0) Prev();
  }
  void SeekToFirst() override { node_ = list_->first(); }
  void SeekToLast() override { node_ = list_->last(); }

 private:
  static std::string_view target(const rocksdb::Slice& key, const char* memtable_key) {
    return memtable_key != nullptr ? internal_key(memtable_key) : std::string_view(key.data(), key.size());
  }

  const bytewise_skiplist* list_;
  node* node_ = nullptr;
};

rocksdb::MemTableRep::Iterator* bytewise_skiplist::GetIterator(rocksdb::Arena* arena) {
  if (arena == nullptr) return new iterator(this);
  // Placed in the caller's arena, which destroys it without freeing it.
  return new (as_allocator(arena)->AllocateAligned(sizeof(iterator))) iterator(this);
}

class bytewise_skiplist_factory final : public rocksdb::MemTableRepFactory {
 public:
  using MemTableRepFactory::CreateMemTableRep;
  rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator&, rocksdb::Allocator* allocator,
                                          const rocksdb::SliceTransform*, rocksdb::Logger*) override {
    return new bytewise_skiplist(allocator);
  }
  const char* Name() const override { return "HeraldBytewiseSkipList"; }
  bool IsInsertConcurrentlySupported() const override { return false; }
  bool CanHandleDuplicatedKey() const override { return true; }  // InsertKey answers false
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> bytewise_memtable_factory() {
  static const auto factory = std::make_shared<bytewise_skiplist_factory>();
  return factory;
}

}  // namespace herald::storage
