#include "app/directory_loader.hpp"

#include <algorithm>
#include <filesystem>
#include <future>

#include <boost/json.hpp>

#include "adapters/cli/config_file.hpp"

namespace json = boost::json;
namespace fs = std::filesystem;

namespace herald::app {
namespace {

// Calls the API handler as a client would and waits for its answer.
adapters::http_response call(const adapters::api& api, const std::string& method, const std::string& path,
                             std::string body, const std::string& content_type) {
  adapters::http_request req;
  req.method = method;
  req.target = req.path = path;
  req.headers.emplace_back("content-type", content_type);
  req.body = std::move(body);
  std::promise<adapters::http_response> answer;
  auto future = answer.get_future();
  api.handle(std::move(req), [&answer](adapters::http_response r) { answer.set_value(std::move(r)); });
  return future.get();
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

status failed(const fs::path& file, const adapters::http_response& r) {
  return status{errc::invalid_argument, file.string() + ": " + std::to_string(r.status) + " " + r.body};
}

}  // namespace

result<load_report> load_directory(const std::string& dir, const adapters::api& api) {
  load_report report;
  if (!fs::is_directory(dir)) {
    return status{errc::not_found, "--load: '" + dir + "' is not a folder"};
  }
  for (const char* kind : {"templates", "workflows"}) {
    for (const auto& file : files_in(fs::path(dir) / kind, ".json")) {
      auto text = adapters::read_input(file.string());
      if (!text) return text.error();
      const std::string path = std::string("/v1/") + kind + "/" + file.stem().string();
      json::error_code ec;
      json::value wanted = json::parse(*text, ec);
      if (ec) return status{errc::parse_error, file.string() + ": not valid JSON: " + ec.message()};
      auto current = call(api, "GET", path, "", "application/json");
      if (current.status == 200 && json::parse(current.body).at("body") == wanted) {
        ++report.definitions_unchanged;
        continue;
      }
      auto put = call(api, "PUT", path, *text, "application/json");
      if (put.status != 200) return failed(file, put);
      ++report.definitions_changed;
    }
  }
  for (const auto& file : files_in(fs::path(dir) / "data", ".ndjson")) {
    auto text = adapters::read_input(file.string());
    if (!text) return text.error();
    auto posted = call(api, "POST", "/v1/events", *text, "application/x-ndjson");
    if (posted.status != 202) return failed(file, posted);
    json::value v = json::parse(posted.body);
    report.events_accepted += v.at("accepted").to_number<std::uint64_t>();
    report.events_duplicate += v.at("duplicates").to_number<std::uint64_t>();
  }
  return report;
}

}  // namespace herald::app
