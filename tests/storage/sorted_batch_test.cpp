#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/coding.hpp"
#include "storage/key_layout.hpp"
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
};

}  // namespace

TEST_CASE("writes are appended sorted by column and key, later writes of a key staying later", "[storage]") {
  herald::test::temp_dir dir;
  two_columns db(dir.sub("db"));
  rocksdb::ColumnFamilyHandle* first = db.db->DefaultColumnFamily();
  herald::storage::sorted_writes writes;
  writes.put(db.second, "b", "2");
  writes.put(first, "z", "26");
  writes.put(db.second, "a", "1");
  writes.put(first, "k", "old");
  writes.erase(db.second, "b");
  writes.put(first, "k", "new");
  writes.put(first, std::string("k\0", 2), "after k");  // bytes, not C strings, are compared
  CHECK(writes.size() == 7);

  herald::storage::batch_bytes bytes;
  bytes.put(first->GetID(), "already", "there");
  writes.append_to(bytes);
  CHECK(writes.size() == 0);
  rocksdb::WriteBatch to = bytes.finish();

  const std::string f = std::to_string(first->GetID()), s = std::to_string(db.second->GetID());
  CHECK(writes_of(to) == std::vector<std::string>{f + ":put:already", f + ":put:k", f + ":put:k",
                                                  f + ":put:" + std::string("k\0", 2), f + ":put:z", s + ":put:a",
                                                  s + ":put:b", s + ":del:b"});
  REQUIRE(db.db->Write(rocksdb::WriteOptions(), &to).ok());
  CHECK(db.get(first, "k") == "new");
  CHECK(db.get(first, std::string("k\0", 2)) == "after k");
  CHECK(db.get(db.second, "b") == "(none)");
  CHECK(db.get(db.second, "a") == "1");
}

TEST_CASE("a column kept in arrival order is appended after the sorted ones, as its writes came", "[storage]") {
  herald::test::temp_dir dir;
  two_columns db(dir.sub("db"));
  rocksdb::ColumnFamilyHandle* first = db.db->DefaultColumnFamily();
  herald::storage::sorted_writes writes;
  writes.keep_arrival_order(db.second->GetID());
  writes.put(db.second, "c", "3");
  writes.put(first, "z", "26");
  writes.put(db.second, "a", "1");
  writes.put(first, "b", "2");
  writes.erase(db.second, "c");
  writes.put(db.second, "b", "2");
  herald::storage::batch_bytes bytes;
  writes.append_to(bytes);
  rocksdb::WriteBatch to = bytes.finish();

  const std::string f = std::to_string(first->GetID()), s = std::to_string(db.second->GetID());
  CHECK(writes_of(to) == std::vector<std::string>{f + ":put:b", f + ":put:z", s + ":put:c", s + ":put:a",
                                                  s + ":del:c", s + ":put:b"});
  REQUIRE(db.db->Write(rocksdb::WriteOptions(), &to).ok());
  CHECK(db.get(db.second, "c") == "(none)");  // the later write of a key still wins
  CHECK(db.get(db.second, "a") == "1");
  CHECK(db.get(first, "z") == "26");
}

TEST_CASE("many writes of one key keep their order through the sort", "[storage]") {
  herald::test::temp_dir dir;
  two_columns db(dir.sub("db"));
  herald::storage::sorted_writes writes;
  // Enough writes that a sort which is not stable would reorder some.
  for (int i = 0; i < 500; ++i) {
    writes.put(db.second, "key" + std::to_string(i % 7), std::to_string(i));
  }
  herald::storage::batch_bytes bytes;
  writes.append_to(bytes);
  rocksdb::WriteBatch to = bytes.finish();
  REQUIRE(db.db->Write(rocksdb::WriteOptions(), &to).ok());
  for (int k = 0; k < 7; ++k) {
    const int last = k + 7 * ((499 - k) / 7);
    CHECK(db.get(db.second, "key" + std::to_string(k)) == std::to_string(last));
  }
}

TEST_CASE("writes come out in the order a stable sort of (column, key) gives, whatever their bytes", "[storage]") {
  // Keys sharing their first sixteen bytes or not, shorter than sixteen,
  // holding zero bytes and bytes above 0x7f: the sort's leading-words
  // shortcut must agree with comparing the whole keys.
  herald::test::temp_dir dir;
  two_columns db(dir.sub("db"));
  rocksdb::ColumnFamilyHandle* columns[] = {db.db->DefaultColumnFamily(), db.second};
  std::mt19937 random(77);
  const std::string alphabet = std::string("\0\x01" "ab\x7f\x80\xff", 7);
  struct entry {
    std::uint32_t column;
    std::string key;
    std::size_t position;
  };
  std::vector<entry> expected;
  herald::storage::sorted_writes writes;
  for (std::size_t i = 0; i < 2000; ++i) {
    const std::string prefixes[] = {std::string(), std::string("\x10" "Delegate/", 10), std::string("\x10" "Delegate/t-00001", 17)};
    std::string key = prefixes[random() % 3];
    const std::size_t length = random() % 12;
    for (std::size_t j = 0; j < length; ++j) key += alphabet[random() % alphabet.size()];
    auto* column = columns[random() % 2];
    writes.put(column, key, std::to_string(i));
    expected.push_back({column->GetID(), key, i});
  }
  std::stable_sort(expected.begin(), expected.end(), [](const entry& a, const entry& b) {
    return a.column != b.column ? a.column < b.column : a.key < b.key;
  });
  herald::storage::batch_bytes bytes;
  writes.append_to(bytes);
  const rocksdb::WriteBatch batch = bytes.finish();
  std::vector<std::string> want;
  for (const auto& e : expected) want.push_back(std::to_string(e.column) + ":put:" + e.key);
  CHECK(writes_of(batch) == want);
}

TEST_CASE("a key given as parts is the key they join, with its value after it", "[storage]") {
  herald::test::temp_dir dir;
  two_columns db(dir.sub("db"));
  rocksdb::ColumnFamilyHandle* first = db.db->DefaultColumnFamily();
  herald::storage::sorted_writes writes;
  const std::string owner = "Delegate/d-1";
  const std::string long_owner(300, 'x');  // a two-byte length
  writes.put(first, {herald::storage::lenstr_length(owner), owner, herald::storage::newest_first_piece(5), "c-1.1"},
             "v1");
  writes.put(first, {herald::storage::lenstr_length(long_owner), long_owner, "c-2"}, "v2");
  writes.put(db.second, {herald::storage::fixed64be_piece(7)}, "");
  writes.erase(db.second, {"ab", "", "c"});
  writes.put(first, {}, "empty key");
  herald::storage::batch_bytes bytes;
  writes.append_to(bytes);
  rocksdb::WriteBatch to = bytes.finish();
  REQUIRE(db.db->Write(rocksdb::WriteOptions(), &to).ok());

  CHECK(db.get(first, herald::storage::entity_prefix(owner) + herald::storage::newest_first(5) + "c-1.1") == "v1");
  CHECK(db.get(first, herald::storage::entity_prefix(long_owner) + "c-2") == "v2");
  CHECK(herald::storage::entity_prefix(long_owner).size() == 302);
  CHECK(db.get(db.second, herald::storage::fixed64be(7)).empty());
  CHECK(db.get(first, "") == "empty key");
  const std::string s = std::to_string(db.second->GetID());
  const auto listed = writes_of(to);
  CHECK(std::find(listed.begin(), listed.end(), s + ":del:abc") != listed.end());
  CHECK(listed.size() == 5);
}

TEST_CASE("key pieces are the bytes of the string layouts", "[storage]") {
  using namespace herald::storage;
  for (const std::uint64_t v : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0x0102030405060708}, UINT64_MAX}) {
    CHECK(std::string(fixed64be_piece(v)) == fixed64be(v));
  }
  for (const std::int64_t ms : {std::int64_t{0}, std::int64_t{1795000000123}, INT64_MAX}) {
    CHECK(std::string(newest_first_piece(ms)) == newest_first(ms));
  }
  for (const std::size_t n : {0, 1, 127, 128, 300, 16383, 16384, 70000}) {
    const std::string s(n, 'k');
    CHECK(std::string(lenstr_length(s)) + s == entity_prefix(s));
  }
}
