#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <rocksdb/comparator.h>
#include <rocksdb/db.h>

#include "storage/bytewise_comparator.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

int sign(int v) { return (v > 0) - (v < 0); }

// Keys as Herald's look: shared prefixes of every length, bytes above 0x7f
// (big-endian numbers, varint lengths), prefixes of one another, empty.
std::vector<std::string> sample_keys() {
  std::mt19937 random(20261124);
  std::vector<std::string> keys = {"", std::string(1, '\0'), std::string(1, '\xff'), "a", "ab", "abc",
                                   "abcdefgh", "abcdefghi", "abcdefgg\xff", std::string(16, '\xff')};
  const std::string prefix = "\x10" "Delegate/t-0001";
  for (int i = 0; i < 400; ++i) {
    std::string k = prefix.substr(0, random() % (prefix.size() + 1));
    const std::size_t tail = random() % 20;
    for (std::size_t j = 0; j < tail; ++j) k.push_back(static_cast<char>(random() % 4 == 0 ? 0x80 + random() % 128 : random() % 256));
    keys.push_back(std::move(k));
  }
  return keys;
}

}  // namespace

TEST_CASE("the inline comparator orders keys as RocksDB's bytewise comparator does", "[storage][comparator]") {
  const rocksdb::Comparator* fast = herald::storage::bytewise_comparator();
  const rocksdb::Comparator* rocks = rocksdb::BytewiseComparator();
  const auto keys = sample_keys();
  std::size_t differing = 0;
  for (const auto& a : keys) {
    for (const auto& b : keys) {
      const int expected = sign(rocks->Compare(a, b));
      if (sign(fast->Compare(a, b)) != expected) ++differing;
      if (fast->Equal(a, b) != (expected == 0)) ++differing;
    }
  }
  CHECK(differing == 0);
  CHECK(std::string(fast->Name()) == rocks->Name());
}

TEST_CASE("a store written with RocksDB's comparator opens with the inline one, and back", "[storage][comparator]") {
  herald::test::temp_dir dir;
  const std::string path = (dir.path() / "db").string();
  const auto keys = sample_keys();
  auto open = [&](const rocksdb::Comparator* comparator) {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.comparator = comparator;
    rocksdb::DB* raw = nullptr;
    const auto st = rocksdb::DB::Open(o, path, &raw);
    INFO(st.ToString());
    REQUIRE(st.ok());
    return std::unique_ptr<rocksdb::DB>(raw);
  };
  auto in_order = [](rocksdb::DB& db) {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->key().ToString());
    return out;
  };
  std::vector<std::string> expected;
  {
    auto db = open(rocksdb::BytewiseComparator());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      REQUIRE(db->Put(rocksdb::WriteOptions(), keys[i], std::to_string(i)).ok());
      if (i == keys.size() / 2) REQUIRE(db->Flush(rocksdb::FlushOptions()).ok());  // a table file too
    }
    expected = in_order(*db);
  }
  {
    auto db = open(herald::storage::bytewise_comparator());
    CHECK(in_order(*db) == expected);
    REQUIRE(db->Put(rocksdb::WriteOptions(), "written with the inline one", "x").ok());
    REQUIRE(db->Flush(rocksdb::FlushOptions()).ok());
  }
  auto db = open(rocksdb::BytewiseComparator());
  std::string value;
  CHECK(db->Get(rocksdb::ReadOptions(), "written with the inline one", &value).ok());
  CHECK(in_order(*db).size() == expected.size() + 1);
}
