// GET /v1/download (SPEC §6): a ZIP of attempts as they were sent — for each,
// attempt.json (fields and timeline), message.txt / message.html, its
// attachments, and a post attempt's letter.pdf made again from its content.
// Attempts by `ids=a,b,c`, or by the filters of GET /v1/log (limit default
// 100, at most 1000).

#include <boost/json.hpp>

#include "adapters/http/api.hpp"
#include "adapters/http/json_error.hpp"
#include "adapters/http/view_reader.hpp"
#include "adapters/http/zip_archive.hpp"
#include "adapters/providers/letter_pdf.hpp"
#include "domain/communication.hpp"
#include "domain/json_fields.hpp"
#include "domain/rfc3339.hpp"

namespace json = boost::json;
using herald::domain::json_fields::str;

namespace herald::adapters {
namespace {

using store_t = storage::rocksdb_event_store;

// A name safe as one path segment inside the archive.
std::string segment(std::string name) {
  for (char& c : name) {
    if (c == '/' || c == '\\' || c == ':' || static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  if (name.empty() || name == "." || name == "..") name = "_" + name;
  return name;
}

}  // namespace

void api::download(const http_request& req, http_responder respond) const {
  std::vector<std::string> ids;
  if (auto it = req.query.find("ids"); it != req.query.end()) {
    std::string item;
    for (char c : it->second + ",") {
      if (c == ',') {
        if (!item.empty()) ids.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
    if (ids.empty() || ids.size() > 1000) {
      return respond(error_response(400, status{errc::invalid_argument, "1 to 1000 attempt ids, comma-separated", "ids"}));
    }
  } else {
    http_request query = req;
    if (!query.query.count("limit")) query.query["limit"] = "100";
    http_response listed = log(query);
    if (listed.status != 200) return respond(std::move(listed));
    ids = item_ids(listed.body);
  }
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& id : ids) {
    auto attempt_text = options_.store->view(store_t::view_kind::attempt, id);
    if (!attempt_text) return respond(error_response(500, attempt_text.error()));
    if (!*attempt_text) return respond(error_response(404, status{errc::not_found, "no attempt " + id, "ids"}));
    auto content_text = options_.store->view(store_t::view_kind::attempt_content, id);
    if (!content_text) return respond(error_response(500, content_text.error()));
    const std::string dir = segment(id) + "/";
    files.emplace_back(dir + "attempt.json", **attempt_text);
    if (!*content_text) continue;
    json::error_code ec;
    const json::value content = json::parse(**content_text, ec);
    if (ec || !content.is_object()) continue;
    const json::object& c = content.get_object();
    if (!str(c, "text").empty()) files.emplace_back(dir + "message.txt", str(c, "subject") + "\n\n" + str(c, "text"));
    if (!str(c, "html").empty()) files.emplace_back(dir + "message.html", str(c, "html"));
    if (const json::value* atts = c.if_contains("attachments"); atts && atts->is_array()) {
      for (const auto& a : atts->get_array()) {
        // A purged attachment (retention) has no body left to put in the ZIP.
        const json::value* body = a.is_object() ? a.get_object().if_contains("body") : nullptr;
        if (body && body->is_string()) {
          files.emplace_back(dir + "attachments/" + segment(str(a.get_object(), "name")), std::string(body->get_string()));
        }
      }
    }
    auto attempt = domain::attempt_from_json(json::parse(**attempt_text));
    if (attempt && attempt->channel == "post") {
      auto pdf = providers::render_letter_pdf(*attempt, **content_text, domain::format_rfc3339_ms(attempt->created_at).substr(0, 10));
      if (pdf) files.emplace_back(dir + "letter.pdf", std::move(*pdf));
    }
  }
  auto zip = make_zip(files);
  if (!zip) return respond(error_response(500, zip.error()));
  http_response r;
  r.content_type = "application/zip";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"herald-attempts.zip\"");
  r.body = std::move(*zip);
  respond(std::move(r));
}

}  // namespace herald::adapters
