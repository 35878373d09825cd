#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/sorted_batch.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

// A batch's writes in order, as "column:op:key".
std::vector<std::string> writes_of(const rocksdb::WriteBatch& batch) {
  struct list : rocksdb::WriteBatch::Handler {
    std::vector<std::string> out;
    rocksdb::Status PutCF(std::uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice&) override {
      out.push_back(std::to_string(cf) + ":put:" + key.ToString());
      return rocksdb::Status::OK();
    }
    rocksdb::Status DeleteCF(std::uint32_t cf, const rocksdb::Slice& key) override {
      out.push_back(std::to_string(cf) + ":del:" + key.ToString());
      return rocksdb::Status::OK();
    }
  } l;
  REQUIRE(batch.Iterate(&l).ok());
  return l.out;
}

struct two_columns {
  explicit two_columns(const std::string& path) {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(o, path, &raw).ok());
    db.reset(raw);
    REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "second", &second).ok());
    by_id.resize(second->GetID() + 1);
    by_id[db->DefaultColumnFamily()->GetID()] = db->DefaultColumnFamily();
    by_id[second->GetID()] = second;
  }
  ~two_columns() {
    (void)db->DestroyColumnFamilyHandle(second);
    (void)db->Close();
  }
  std::string get(rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
    std::string value;
    return db->Get(rocksdb::ReadOptions(), cf, key, &value).ok() ? value : "(none)";
  }
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::ColumnFamilyHandle* second = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> by_id;
};

}  // namespace

TEST_CASE("a batch's writes are appended sorted by column and key, later writes of a key staying later",
          "[storage]") {
  herald::test::temp_dir dir;
  two_columns db(dir.sub("db"));
  rocksdb::ColumnFamilyHandle* first = db.db->DefaultColumnFamily();
  rocksdb::WriteBatch from;
  REQUIRE(from.Put(db.second, "b", "2").ok());
  REQUIRE(from.Put(first, "z", "26").ok());
  REQUIRE(from.Put(db.second, "a", "1").ok());
  REQUIRE(from.Put(first, "k", "old").ok());
  REQUIRE(from.Delete(db.second, "b").ok());
  REQUIRE(from.Put(first, "k", "new").ok());

  rocksdb::WriteBatch to;
  REQUIRE(to.Put(first, "already", "there").ok());
  REQUIRE(herald::storage::append_sorted(from, db.by_id, to).ok());

  const std::string f = std::to_string(first->GetID()), s = std::to_string(db.second->GetID());
  CHECK(writes_of(to) == std::vector<std::string>{f + ":put:already", f + ":put:k", f + ":put:k", f + ":put:z",
                                                  s + ":put:a", s + ":put:b", s + ":del:b"});
  REQUIRE(db.db->Write(rocksdb::WriteOptions(), &to).ok());
  CHECK(db.get(first, "k") == "new");
  CHECK(db.get(db.second, "b") == "(none)");
  CHECK(db.get(db.second, "a") == "1");
}

TEST_CASE("a write to a column family with no handle is refused", "[storage]") {
  herald::test::temp_dir dir;
  two_columns db(dir.sub("db"));
  rocksdb::WriteBatch from;
  REQUIRE(from.Put(db.second, "a", "1").ok());
  const std::vector<rocksdb::ColumnFamilyHandle*> only_default{db.db->DefaultColumnFamily()};
  rocksdb::WriteBatch to;
  CHECK(herald::storage::append_sorted(from, only_default, to).IsInvalidArgument());
}
