#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>

#include "storage/coding.hpp"
#include "storage/entity_key_prefix.hpp"
#include "storage/key_layout.hpp"
#include "tests/support/temp_dir.hpp"

using herald::storage::entity_key_prefix;
using herald::storage::entity_prefix;
using herald::storage::fixed64be;
using herald::test::temp_dir;

TEST_CASE("an entity-keyed key's prefix is its leading entity key, length included", "[storage]") {
  const auto transform = entity_key_prefix();
  const std::string key = entity_prefix("Delegate/1") + fixed64be(42);
  REQUIRE(transform->InDomain(key));
  CHECK(transform->Transform(key).ToString() == entity_prefix("Delegate/1"));
  // A seek key that is the prefix alone has itself as prefix.
  CHECK(transform->Transform(entity_prefix("Delegate/1")).ToString() == entity_prefix("Delegate/1"));
  // Entity keys that extend one another have different prefixes.
  CHECK(transform->Transform(entity_prefix("Delegate/10") + fixed64be(42)).ToString() != entity_prefix("Delegate/1"));
  // A long key's length takes two varint bytes.
  const std::string long_entity = "Delegate/" + std::string(200, 'x');
  CHECK(transform->Transform(entity_prefix(long_entity) + "rest").ToString() == entity_prefix(long_entity));

  // No whole lenstr: out of the domain (such keys are found by whole-key
  // filters only), and Transform never reads past the key.
  CHECK_FALSE(transform->InDomain(""));
  CHECK_FALSE(transform->InDomain(std::string("\x0a", 1) + "Delegate"));            // says 10, has 8
  CHECK_FALSE(transform->InDomain(std::string("\x80\x80", 2)));                    // unfinished varint
  CHECK_FALSE(transform->InDomain(std::string(11, '\xff')));                        // varint past 64 bits
  CHECK(transform->Transform(std::string("\x0a", 1) + "Delegate").size() == 9);
}

TEST_CASE("a seek for an entity skips table files that hold nothing of it", "[storage]") {
  temp_dir dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.statistics = rocksdb::CreateDBStatistics();
  options.prefix_extractor = entity_key_prefix();
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(options, dir.str(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);

  // Two table files, each with its own entities; "Delegate/1" is a textual
  // prefix of "Delegate/10" and must not be mistaken for it.
  for (const auto& file : std::vector<std::vector<std::string>>{{"Delegate/10", "Delegate/2"}, {"Delegate/3"}}) {
    for (const auto& entity : file) {
      for (std::uint64_t seq = 1; seq <= 3; ++seq) {
        REQUIRE(db->Put(rocksdb::WriteOptions(), entity_prefix(entity) + fixed64be(seq), entity).ok());
      }
    }
    REQUIRE(db->Flush(rocksdb::FlushOptions()).ok());
  }

  auto walk = [&](const std::string& entity) {
    const std::string prefix = entity_prefix(entity);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    std::vector<std::string> values;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      values.push_back(it->value().ToString());
    }
    REQUIRE(it->status().ok());
    return values;
  };
  const auto skipped_before = options.statistics->getTickerCount(rocksdb::BLOOM_FILTER_PREFIX_USEFUL);
  CHECK(walk("Delegate/2") == std::vector<std::string>(3, "Delegate/2"));
  CHECK(walk("Delegate/3") == std::vector<std::string>(3, "Delegate/3"));
  CHECK(walk("Delegate/1").empty());
  CHECK(walk("Delegate/4").empty());
  // Each walk skipped the file without its entity; the last two, both.
  CHECK(options.statistics->getTickerCount(rocksdb::BLOOM_FILTER_PREFIX_USEFUL) - skipped_before == 6);
}
