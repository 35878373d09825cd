#pragma once
// The prefix of keys that start with an entity key as a lenstr
// (key_layout.hpp: entity_history, entity_instances, entity_communications,
// entity_log_index, linked_from). Every read of those families walks one
// entity's keys, so RocksDB is told where that prefix ends: table files
// and memtables then keep a bloom filter of prefixes, and a walk skips
// every file and memtable that holds nothing of the entity. A new entity
// (most ingested events, in a busy store) has nothing anywhere, and its
// restore no longer seeks in each table file.
//
// A family with a prefix extractor only iterates within the prefix of the
// key it was sought to; a walk across entities (dump_column) asks for
// total order.

#include <memory>

#include <rocksdb/slice_transform.h>

namespace herald::storage {

// The leading lenstr of a key (its varint length and that many bytes);
// a key too short to hold one is out of the extractor's domain, and is
// found by whole-key filters only.
std::shared_ptr<const rocksdb::SliceTransform> entity_key_prefix();

}  // namespace herald::storage
