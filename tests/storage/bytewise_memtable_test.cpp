#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/bytewise_comparator.hpp"
#include "storage/bytewise_memtable.hpp"
#include "storage/hashed_memtable.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

struct memtable_kind {
  const char* name;
  std::shared_ptr<rocksdb::MemTableRepFactory> factory;
};

// Herald's two memtables. The hashed one with few buckets, so that many
// keys share one and its order within a bucket is what answers.
std::vector<memtable_kind> memtables() {
  return {{"skip list", herald::storage::bytewise_memtable_factory()},
          {"hashed, 64 buckets", herald::storage::hashed_memtable_factory(64)}};
}

// A store with the memtable under test and memtables large enough that
// nothing is flushed unless the test asks.
std::unique_ptr<rocksdb::DB> open_store(const std::string& path, const memtable_kind& kind) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.comparator = herald::storage::bytewise_comparator();
  o.memtable_factory = kind.factory;
  o.allow_concurrent_memtable_write = false;
  o.write_buffer_size = 64u << 20;
  rocksdb::DB* raw = nullptr;
  const auto st = rocksdb::DB::Open(o, path, &raw);
  INFO(st.ToString());
  REQUIRE(st.ok());
  return std::unique_ptr<rocksdb::DB>(raw);
}

// Keys that share prefixes of every length, with bytes above 0x7f and
// zeros, some prefixes of others: a few hundred distinct ones, so that
// entries overwrite and delete each other often.
std::string random_key(std::mt19937& random) {
  static const std::string prefix = "\x10" "Delegate/t-0001";
  std::string k = prefix.substr(0, random() % (prefix.size() + 1));
  const std::size_t tail = random() % 3;
  for (std::size_t j = 0; j < tail; ++j) k.push_back(static_cast<char>(random() % 3 == 0 ? 0xf0 + random() % 16 : random() % 6));
  return k;
}

std::map<std::string, std::string> scan_forward(rocksdb::DB& db, const rocksdb::ReadOptions& ro) {
  std::map<std::string, std::string> seen;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro));
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen.emplace(it->key().ToString(), it->value().ToString());
  return seen;
}

std::map<std::string, std::string> scan_backward(rocksdb::DB& db, const rocksdb::ReadOptions& ro) {
  std::map<std::string, std::string> seen;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro));
  for (it->SeekToLast(); it->Valid(); it->Prev()) seen.emplace(it->key().ToString(), it->value().ToString());
  return seen;
}

}  // namespace

TEST_CASE("each memtable answers gets, scans, seeks and snapshots as a sorted map does", "[storage][memtable]") {
  for (const auto& kind : memtables()) {
    INFO(kind.name);
    herald::test::temp_dir dir;
    auto db = open_store((dir.path() / "db").string(), kind);
    std::mt19937 random(20261124);
    std::map<std::string, std::string> model;
    const rocksdb::Snapshot* snapshot = nullptr;
    std::map<std::string, std::string> model_at_snapshot;

    for (int batch = 0; batch < 300; ++batch) {
      rocksdb::WriteBatch wb;
      const int writes = 1 + static_cast<int>(random() % 20);
      for (int i = 0; i < writes; ++i) {
        const std::string k = random_key(random);
        if (random() % 5 == 0) {
          wb.Delete(k);
          model.erase(k);
        } else {
          // Sizes that fill many of the list's 64 KiB chunks, with some
          // entries too big to be cut from one (over 16 KiB).
          const std::size_t padding = random() % 10 == 0 ? 16000 + random() % 30000 : random() % 700;
          const std::string v = "v" + std::to_string(batch) + "." + std::to_string(i) + std::string(padding, static_cast<char>('a' + batch % 26));
          wb.Put(k, v);
          model[k] = v;
        }
      }
      REQUIRE(db->Write(rocksdb::WriteOptions(), &wb).ok());
      if (batch == 150) {
        snapshot = db->GetSnapshot();
        model_at_snapshot = model;
      }
    }
    REQUIRE(model.size() > 50);

    auto check = [&](const char* when) {
      INFO(when);
      rocksdb::ReadOptions now;
      CHECK(scan_forward(*db, now) == model);
      CHECK(scan_backward(*db, now) == model);
      rocksdb::ReadOptions then;
      then.snapshot = snapshot;
      CHECK(scan_forward(*db, then) == model_at_snapshot);

      std::mt19937 probe(7);
      std::size_t wrong = 0;
      for (int i = 0; i < 2000; ++i) {
        const std::string k = random_key(probe);
        std::string value;
        const auto st = db->Get(now, k, &value);
        const auto expected = model.find(k);
        if (expected == model.end() ? !st.IsNotFound() : (!st.ok() || value != expected->second)) ++wrong;
        const auto old = model_at_snapshot.find(k);
        const auto st_then = db->Get(then, k, &value);
        if (old == model_at_snapshot.end() ? !st_then.IsNotFound() : (!st_then.ok() || value != old->second)) ++wrong;

        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(now));
        it->Seek(k);
        const auto at_or_after = model.lower_bound(k);
        if (at_or_after == model.end() ? it->Valid() : (!it->Valid() || it->key().ToString() != at_or_after->first)) ++wrong;
        it->SeekForPrev(k);
        auto after = model.upper_bound(k);
        if (after == model.begin() ? it->Valid() : (!it->Valid() || it->key().ToString() != std::prev(after)->first)) ++wrong;
      }
      CHECK(wrong == 0);
    };
    check("in the memtable");
    REQUIRE(db->Flush(rocksdb::FlushOptions()).ok());
    check("flushed to a table file");
    db->ReleaseSnapshot(snapshot);
  }
}

TEST_CASE("readers of each memtable see every acknowledged write, in order, while one thread inserts",
          "[storage][memtable]") {
  for (const auto& kind : memtables()) {
    INFO(kind.name);
    herald::test::temp_dir dir;
    auto db = open_store((dir.path() / "db").string(), kind);
    constexpr int total = 20000;
    // Keys written in a scrambled order, so inserts land all over the list.
    auto key_of = [](int i) {
      const unsigned scrambled = static_cast<unsigned>(i) * 2654435761u;
      return std::to_string(scrambled % 100000) + "/" + std::to_string(i);
    };
    std::atomic<int> acknowledged{0};
    std::atomic<bool> done{false};
    std::atomic<std::size_t> disorder{0}, missing{0}, scans{0};

    auto reader = [&] {
      std::mt19937 random(static_cast<unsigned>(std::hash<std::thread::id>()(std::this_thread::get_id())));
      while (!done.load()) {
        const int known = acknowledged.load();
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
        std::string last;
        std::size_t count = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next(), ++count) {
          const std::string k = it->key().ToString();
          if (count > 0 && !(last < k)) disorder.fetch_add(1);
          last = k;
        }
        if (count < static_cast<std::size_t>(known)) missing.fetch_add(1);
        for (int probe = 0; probe < 20 && known > 0; ++probe) {
          std::string value;
          if (!db->Get(rocksdb::ReadOptions(), key_of(static_cast<int>(random() % known)), &value).ok()) missing.fetch_add(1);
        }
        scans.fetch_add(1);
      }
    };
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) readers.emplace_back(reader);
    for (int i = 0; i < total; i += 10) {
      rocksdb::WriteBatch wb;
      for (int j = i; j < i + 10; ++j) wb.Put(key_of(j), "v");
      REQUIRE(db->Write(rocksdb::WriteOptions(), &wb).ok());
      acknowledged.store(i + 10);
    }
    // At least one full scan after the last write, then stop.
    const std::size_t scans_at_end = scans.load();
    while (scans.load() < scans_at_end + 2) std::this_thread::yield();
    done.store(true);
    for (auto& t : readers) t.join();
    CHECK(disorder.load() == 0);
    CHECK(missing.load() == 0);
    CHECK(scans.load() >= 2);
    CHECK(scan_forward(*db, rocksdb::ReadOptions()).size() == static_cast<std::size_t>(total));
  }
}
