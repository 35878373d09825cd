#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/batch_bytes.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

// A column family handle with only an id, as WriteBatch::Put asks for one.
struct id_only : rocksdb::ColumnFamilyHandle {
  explicit id_only(std::uint32_t id) : id_(id) {}
  const std::string& GetName() const override { return name_; }
  std::uint32_t GetID() const override { return id_; }
  rocksdb::Status GetDescriptor(rocksdb::ColumnFamilyDescriptor*) override { return rocksdb::Status::NotSupported(); }
  const rocksdb::Comparator* GetComparator() const override { return nullptr; }
  std::uint32_t id_;
  std::string name_ = "test";
};

}  // namespace

TEST_CASE("a batch written as bytes is the one WriteBatch's own puts and deletes make", "[storage][batch]") {
  // Column ids on either side of a varint's byte (0 is the default family,
  // written without one); keys and values on either side of 128 bytes.
  const std::vector<std::uint32_t> columns = {0, 1, 5, 127, 128, 300};
  const std::vector<std::string> texts = {"", "k", std::string(127, 'a'), std::string(128, '\xff'),
                                          std::string(20000, 'v'), std::string("\0x\0", 3)};
  rocksdb::WriteBatch expected;
  herald::storage::batch_bytes bytes;
  std::size_t n = 0;
  for (const auto column : columns) {
    id_only handle(column);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const std::string& key = texts[i];
      const std::string& value = texts[(i + column) % texts.size()];
      REQUIRE(expected.Put(&handle, key, value).ok());
      bytes.put(column, key, value);
      REQUIRE(expected.Delete(&handle, key).ok());
      bytes.erase(column, key);
      n += 2;
    }
  }
  CHECK(bytes.count() == n);
  rocksdb::WriteBatch built = bytes.finish();
  CHECK(built.Count() == static_cast<std::uint32_t>(n));
  CHECK(built.Data() == expected.Data());
  CHECK(bytes.count() == 0);  // empty again
  rocksdb::WriteBatch empty = bytes.finish();
  CHECK(empty.Data() == rocksdb::WriteBatch().Data());
}

TEST_CASE("a put whose value is written in place makes the bytes WriteBatch's own put makes", "[storage][batch]") {
  const std::vector<std::string> values = {"", "v", std::string(127, 'a'), std::string(128, 'b'),
                                           std::string(16384, 'c'), std::string(70000, 'd')};
  rocksdb::WriteBatch expected;
  herald::storage::batch_bytes bytes;
  for (std::uint32_t column : {0u, 3u, 200u}) {
    id_only handle(column);
    for (const auto& value : values) {
      const std::string key = "key-" + std::to_string(value.size());
      REQUIRE(expected.Put(&handle, key, value).ok());
      char* room = bytes.put_value_room(column, key, value.size());
      std::memcpy(room, value.data(), value.size());
      bytes.put(column, "after", "x");  // the room ends where the next write starts
      REQUIRE(expected.Put(&handle, "after", "x").ok());
    }
  }
  CHECK(bytes.finish().Data() == expected.Data());
}

TEST_CASE("a batch's memory is taken back for the next one, which starts empty", "[storage][batch]") {
  herald::test::temp_dir dir;
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(o, dir.sub("db"), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  herald::storage::batch_bytes bytes;
  bytes.put(0, "first", std::string(4096, 'x'));
  rocksdb::WriteBatch batch = bytes.finish();
  REQUIRE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  std::string memory = herald::storage::batch_bytes::reclaim(std::move(batch));
  CHECK(memory.capacity() >= 4096);
  herald::storage::batch_bytes next(std::move(memory));
  next.put(0, "second", "2");
  next.erase(0, "first");
  rocksdb::WriteBatch second = next.finish();
  CHECK(second.Count() == 2);
  REQUIRE(db->Write(rocksdb::WriteOptions(), &second).ok());
  std::string value;
  CHECK(db->Get(rocksdb::ReadOptions(), "second", &value).ok());
  CHECK(value == "2");
  CHECK(db->Get(rocksdb::ReadOptions(), "first", &value).IsNotFound());
}

TEST_CASE("a reused buffer, larger or smaller than the next batch, makes the same bytes as a new one",
          "[storage][batch]") {
  // Batches of growing and shrinking sizes on one buffer: what the buffer
  // held before must not show through, and growing past its old size
  // (in steps, and past its capacity) must keep what was written.
  std::string memory;
  for (std::size_t records : {1, 500, 3, 2000, 0, 40, 5000, 7}) {
    herald::storage::batch_bytes bytes(std::move(memory));
    rocksdb::WriteBatch expected;
    for (std::size_t r = 0; r < records; ++r) {
      id_only handle(static_cast<std::uint32_t>(r % 3));
      const std::string key = "key-" + std::to_string(r);
      const std::string value(r % 300, static_cast<char>('a' + r % 26));
      REQUIRE(expected.Put(&handle, key, value).ok());
      bytes.put(handle.GetID(), key, value);
      if (r % 7 == 0) {
        REQUIRE(expected.Delete(&handle, key).ok());
        bytes.erase(handle.GetID(), key);
      }
    }
    rocksdb::WriteBatch built = bytes.finish();
    CHECK(built.Data() == expected.Data());
    memory = herald::storage::batch_bytes::reclaim(std::move(built));
  }
}
