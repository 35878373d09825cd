#include "adapters/providers/letter_pdf.hpp"

#include <memory>

#include <boost/json.hpp>
#include <hpdf.h>

#include "domain/json_fields.hpp"

namespace json = boost::json;

namespace herald::adapters::providers {
namespace {

// UTF-8 to Windows-1252 (Latin-1 range and the usual punctuation); others '?'.
std::string to_cp1252(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) { cp = c & 0x07; len = 4; }
    else if (c >= 0xE0) { cp = c & 0x0F; len = 3; }
    else if (c >= 0xC0) { cp = c & 0x1F; len = 2; }
    for (std::size_t k = 1; k < len && i + k < utf8.size(); ++k) cp = (cp << 6) | (utf8[i + k] & 0x3F);
    i += len;
    if (cp == '\t') cp = ' ';
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) out += static_cast<char>(cp);
    else if (cp == 0x2013 || cp == 0x2014) out += '\x96';
    else if (cp == 0x2018 || cp == 0x2019) out += '\x92';
    else if (cp == 0x201C || cp == 0x201D) out += '\x94';
    else if (cp == 0x20AC) out += '\x80';
    else out += '?';
  }
  return out;
}

void on_error(HPDF_STATUS, HPDF_STATUS, void* user) { *static_cast<bool*>(user) = true; }

}  // namespace

std::vector<std::string> address_lines(const json::value& a) {
  std::vector<std::string> out;
  auto split = [&out](const std::string& s) {
    std::string line;
    for (char c : s) {
      if (c == '\n' || c == ',') {
        if (auto t = line.find_first_not_of(' '); t != std::string::npos) out.push_back(line.substr(t));
        line.clear();
      } else {
        line += c;
      }
    }
    if (auto t = line.find_first_not_of(' '); t != std::string::npos) out.push_back(line.substr(t));
  };
  if (a.is_string()) split(std::string(a.get_string()));
  if (a.is_array()) {
    for (const auto& l : a.get_array()) {
      if (l.is_string()) out.emplace_back(l.get_string());
    }
  }
  if (a.is_object()) {
    for (const auto& kv : a.get_object()) {
      if (kv.value().is_string() && !kv.value().get_string().empty()) out.emplace_back(kv.value().get_string());
    }
  }
  return out;
}

result<std::string> render_letter_pdf(const domain::attempt_view& attempt, const std::string& content_json,
                                      const std::string& date_text) {
  const auto lines = address_lines(attempt.recipient.address);
  if (lines.empty()) return status{errc::invalid_argument, "the recipient has no postal address", "recipient.address"};
  json::error_code ec;
  const json::value content = json::parse(content_json, ec);
  const json::object empty;
  const json::object& c = !ec && content.is_object() ? content.get_object() : empty;
  const std::string subject = domain::json_fields::str(c, "subject").empty() ? attempt.subject
                                                                              : domain::json_fields::str(c, "subject");
  const std::string body = domain::json_fields::str(c, "text");

  bool failed = false;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, decltype(&HPDF_Free)> pdf(HPDF_New(on_error, &failed), HPDF_Free);
  if (!pdf) return status{errc::io_error, "cannot create a PDF document"};
  HPDF_SetCompressionMode(pdf.get(), HPDF_COMP_ALL);
  HPDF_Font regular = HPDF_GetFont(pdf.get(), "Helvetica", "WinAnsiEncoding");
  HPDF_Font bold = HPDF_GetFont(pdf.get(), "Helvetica-Bold", "WinAnsiEncoding");
  const float margin = 72, width = 595 - 2 * margin, leading = 15;
  HPDF_Page page = nullptr;
  float y = 0;
  auto new_page = [&] {
    page = HPDF_AddPage(pdf.get());
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    y = 842 - margin;
  };
  auto line = [&](const std::string& text, HPDF_Font font, float size) {
    if (y < margin) new_page();
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, size);
    HPDF_Page_TextOut(page, margin, y, text.c_str());
    HPDF_Page_EndText(page);
    y -= leading;
  };
  // Words onto lines no wider than the text column.
  auto paragraph = [&](const std::string& text, HPDF_Font font, float size) {
    HPDF_Page_SetFontAndSize(page, font, size);
    std::string current;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find(' ', start);
      if (end == std::string::npos) end = text.size();
      const std::string word = text.substr(start, end - start);
      const std::string candidate = current.empty() ? word : current + " " + word;
      if (!current.empty() && HPDF_Page_TextWidth(page, candidate.c_str()) > width) {
        line(current, font, size);
        current = word;
      } else {
        current = candidate;
      }
      start = end + 1;
    }
    line(current, font, size);
  };
  new_page();
  line(to_cp1252(attempt.recipient.name), regular, 11);
  for (const auto& l : lines) line(to_cp1252(l), regular, 11);
  y -= leading * 2;
  line(to_cp1252(date_text), regular, 11);
  y -= leading;
  paragraph(to_cp1252(subject), bold, 12);
  y -= leading / 2;
  std::size_t from = 0;
  while (from <= body.size()) {
    const std::size_t nl = std::min(body.find('\n', from), body.size());
    paragraph(to_cp1252(body.substr(from, nl - from)), regular, 11);
    from = nl + 1;
  }
  if (HPDF_SaveToStream(pdf.get()) != HPDF_OK || failed) return status{errc::io_error, "the PDF could not be made"};
  std::string out(HPDF_GetStreamSize(pdf.get()), '\0');
  HPDF_UINT32 size = static_cast<HPDF_UINT32>(out.size());
  HPDF_ReadFromStream(pdf.get(), reinterpret_cast<HPDF_BYTE*>(out.data()), &size);
  out.resize(size);
  return out;
}

}  // namespace herald::adapters::providers
