#pragma once
// The letter Herald posts (SPEC §5, post channel): an A4 PDF made with
// libharu — the recipient's address block, the date, the subject in bold and
// the text body, wrapped and paginated. Text is set in a standard Type 1
// font, so characters outside Windows-1252 print as '?'.

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "domain/communication.hpp"
#include "domain/status.hpp"

namespace herald::adapters::providers {

// Returns the PDF bytes for an attempt and its content snapshot.
result<std::string> render_letter_pdf(const domain::attempt_view& attempt, const std::string& content_json,
                                      const std::string& date_text);

// The lines of a postal address: a JSON string (lines split on '\n' or
// ','), an array of lines, or an object's string members in order.
std::vector<std::string> address_lines(const boost::json::value& address);

}  // namespace herald::adapters::providers
