#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "storage/iterator_pool.hpp"
#include "tests/support/temp_dir.hpp"

using herald::storage::iterator_pool;
using herald::storage::pooled_iterator;
using herald::test::temp_dir;

namespace {

// Every key from `from` on, as one iterator of the pool sees them.
std::vector<std::string> keys_from(iterator_pool& pool, rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                   const std::string& from) {
  const pooled_iterator it(pool, db, family);
  std::vector<std::string> out;
  for (it->Seek(from); it->Valid(); it->Next()) out.push_back(it->key().ToString());
  REQUIRE(it->status().ok());
  return out;
}

}  // namespace

TEST_CASE("a reused iterator sees what was written after it was kept, before and after a flush",
          "[storage][iterators]") {
  temp_dir dir;
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(o, dir.str(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* second = nullptr;
  REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "second", &second).ok());
  auto* first = db->DefaultColumnFamily();
  {
    iterator_pool pool;
    REQUIRE(db->Put(rocksdb::WriteOptions(), first, "a", "").ok());
    CHECK(keys_from(pool, *db, first, "") == std::vector<std::string>{"a"});
    // Kept, then taken again (the memtables unchanged): refreshed to the newest write.
    REQUIRE(db->Put(rocksdb::WriteOptions(), first, "b", "").ok());
    CHECK(keys_from(pool, *db, first, "") == std::vector<std::string>{"a", "b"});
    // A flush changes the family's memtables and files.
    REQUIRE(db->Flush(rocksdb::FlushOptions(), first).ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), first, "c", "").ok());
    REQUIRE(db->Delete(rocksdb::WriteOptions(), first, "a").ok());
    CHECK(keys_from(pool, *db, first, "") == std::vector<std::string>{"b", "c"});
    // Each family gets an iterator over itself, not one kept for another.
    REQUIRE(db->Put(rocksdb::WriteOptions(), second, "x", "").ok());
    CHECK(keys_from(pool, *db, second, "") == std::vector<std::string>{"x"});
    CHECK(keys_from(pool, *db, first, "") == std::vector<std::string>{"b", "c"});
    // Two at once on one thread (a walk that reads inside another).
    {
      const pooled_iterator outer(pool, *db, first);
      outer->Seek("b");
      REQUIRE(outer->Valid());
      CHECK(keys_from(pool, *db, first, "c") == std::vector<std::string>{"c"});
      CHECK(outer->key().ToString() == "b");
    }
    pool.clear();  // before the DB closes
  }
  REQUIRE(db->DestroyColumnFamilyHandle(second).ok());
  REQUIRE(db->Close().ok());
}
