#include <iostream>

#include <boost/json.hpp>

#include "adapters/cli/commands.hpp"
#include "adapters/cli/config_file.hpp"
#include "adapters/http/http_client.hpp"
#include "domain/event_decoder.hpp"
#include "storage/rocksdb_event_store.hpp"

namespace json = boost::json;

namespace herald::adapters {
namespace {

struct totals {
  std::uint64_t accepted = 0, duplicates = 0, first_seq = 0, last_seq = 0;

  void add(std::uint64_t acc, std::uint64_t dup, std::uint64_t first, std::uint64_t last) {
    accepted += acc;
    duplicates += dup;
    if (first_seq == 0) first_seq = first;
    if (last != 0) last_seq = last;
  }
  void print() const {
    auto seq = [](std::uint64_t s) { return s == 0 ? json::value(nullptr) : json::value(s); };
    std::cout << json::serialize(json::object{{"accepted", accepted},
                                              {"duplicates", duplicates},
                                              {"first_seq", seq(first_seq)},
                                              {"last_seq", seq(last_seq)}})
              << "\n";
  }
};

// Splits NDJSON text into chunks of at most `per_chunk` non-blank lines.
std::vector<std::string> chunk_lines(const std::string& text, std::size_t per_chunk) {
  std::vector<std::string> chunks;
  std::string current;
  std::size_t lines = 0, pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    current.append(line.data(), line.size());
    current += '\n';
    if (++lines == per_chunk) {
      chunks.push_back(std::move(current));
      current.clear();
      lines = 0;
    }
  }
  if (!current.empty()) chunks.push_back(std::move(current));
  return chunks;
}

int post_to_server(const ingest_args& args, const std::string& text, totals& t) {
  std::string url = args.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.size() < 10 || url.compare(url.size() - 10, 10, "/v1/events") != 0) url += "/v1/events";
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/x-ndjson"}};
  if (!args.api_key.empty()) headers.emplace_back("Authorization", "Bearer " + args.api_key);
  http_client client;
  for (const auto& chunk : chunk_lines(text, args.batch)) {
    auto r = client.request("POST", url, headers, chunk);
    if (!r) {
      std::cerr << "herald ingest: " << r.error().message() << "\n";
      t.print();
      return 1;
    }
    if (r->status != 202) {
      std::cerr << "herald ingest: the server answered " << r->status << ": " << r->body << "\n";
      t.print();
      return 1;
    }
    json::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (ec || !v.is_object()) {
      std::cerr << "herald ingest: unexpected answer: " << r->body << "\n";
      return 1;
    }
    auto num = [&](const char* k) {
      const json::value* x = v.get_object().if_contains(k);
      return x && x->is_number() ? x->to_number<std::uint64_t>() : 0;
    };
    t.add(num("accepted"), num("duplicates"), num("first_seq"), num("last_seq"));
  }
  return 0;
}

}  // namespace

int run_ingest(const ingest_args& args) {
  auto text = read_input(args.input);
  if (!text) {
    std::cerr << "herald ingest: " << text.error().message() << "\n";
    return 1;
  }
  // Validate everything before storing anything.
  auto events = domain::decode_events(*text, domain::body_format::ndjson);
  if (!events) {
    std::cerr << "herald ingest: " << args.input << ": " << events.error().to_string()
              << "; nothing was stored\n";
    return 1;
  }
  totals t;
  if (!args.url.empty()) {
    int rc = post_to_server(args, *text, t);
    if (rc == 0) t.print();
    return rc;
  }
  storage::store_options options;
  options.path = args.data_dir;
  auto store = storage::rocksdb_event_store::open(options);
  if (!store) {
    std::cerr << "herald ingest: " << store.error().message() << "\n";
    return 1;
  }
  for (std::size_t i = 0; i < events->size(); i += args.batch) {
    const std::size_t end = std::min(events->size(), i + args.batch);
    std::vector<domain::cloud_event> chunk(std::make_move_iterator(events->begin() + i),
                                           std::make_move_iterator(events->begin() + end));
    auto outcome = (*store)->append(std::move(chunk));
    if (!outcome) {
      std::cerr << "herald ingest: " << outcome.error().message() << " (events before index " << i
                << " were stored)\n";
      t.print();
      return 1;
    }
    t.add(outcome->accepted, outcome->duplicates, outcome->first_seq, outcome->last_seq);
  }
  t.print();
  return 0;
}

}  // namespace herald::adapters
