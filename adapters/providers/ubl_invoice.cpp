#include "adapters/providers/ubl_invoice.hpp"

#include <cmath>
#include <cstdio>

#include <boost/json.hpp>

#include "adapters/providers/letter_pdf.hpp"
#include "domain/json_fields.hpp"
#include "domain/message_template.hpp"

namespace json = boost::json;
using herald::domain::json_fields::str;

namespace herald::adapters::providers {
namespace {

// Markup-safe text: the escaping of HTML bodies serves XML too.
std::string xml_escape(const std::string& s) { return domain::html_escape(s); }

std::string money(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", std::round(v * 100) / 100);
  return buf;
}

// A number field given as text or number; nullopt when absent or not one.
std::optional<double> number(const json::object& fields, const char* name) {
  const json::value* v = fields.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->to_number<double>();
  if (!v->is_string()) return std::nullopt;
  const std::string s(v->get_string());
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  return end && *end == '\0' && !s.empty() ? std::optional<double>(d) : std::nullopt;
}

// "scheme:id" -> <cbc:EndpointID schemeID="scheme">id</cbc:EndpointID>
std::string endpoint(const std::string& e) {
  const auto colon = e.find(':');
  return colon == std::string::npos
             ? "<cbc:EndpointID>" + xml_escape(e) + "</cbc:EndpointID>"
             : "<cbc:EndpointID schemeID=\"" + xml_escape(e.substr(0, colon)) + "\">" + xml_escape(e.substr(colon + 1)) +
                   "</cbc:EndpointID>";
}

std::string party(const std::string& endpoint_id, const std::string& name, const std::vector<std::string>& address,
                  const std::string& country) {
  std::string p = "<cac:Party>" + endpoint(endpoint_id) + "<cac:PartyName><cbc:Name>" + xml_escape(name) +
                  "</cbc:Name></cac:PartyName><cac:PostalAddress>";
  if (!address.empty()) p += "<cbc:StreetName>" + xml_escape(address[0]) + "</cbc:StreetName>";
  if (address.size() > 1) p += "<cbc:CityName>" + xml_escape(address[1]) + "</cbc:CityName>";
  if (address.size() > 2) p += "<cbc:PostalZone>" + xml_escape(address[2]) + "</cbc:PostalZone>";
  p += "<cac:Country><cbc:IdentificationCode>" + xml_escape(country) +
       "</cbc:IdentificationCode></cac:Country></cac:PostalAddress><cac:PartyLegalEntity><cbc:RegistrationName>" +
       xml_escape(name) + "</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party>";
  return p;
}

}  // namespace

result<std::string> build_ubl_invoice(const json::object& invoice, const domain::recipient_info& buyer,
                                      const std::string& buyer_endpoint, const ubl_supplier& supplier,
                                      const std::string& today) {
  const json::value* f = invoice.if_contains("fields");
  if (!f || !f->is_object()) return status{errc::invalid_argument, "the invoice has no fields", "fields"};
  const json::object& fields = f->get_object();
  const std::string id = str(fields, "Number");
  if (id.empty()) return status{errc::invalid_argument, "an e-invoice needs the invoice Number", "fields.Number"};
  const auto total = number(fields, "Total");
  if (!total) return status{errc::invalid_argument, "an e-invoice needs a numeric Total", "fields.Total"};
  if (buyer_endpoint.empty()) {
    return status{errc::invalid_argument, "the buyer has no Peppol id (contact.peppol_id)", "recipient.peppol_id"};
  }
  if (supplier.endpoint.empty()) {
    return status{errc::invalid_argument, "providers.peppol.sender_id is not set", "providers.peppol.sender_id"};
  }
  const std::string currency = str(fields, "Currency").empty() ? "EUR" : str(fields, "Currency");
  const double rate = number(fields, "VatRate").value_or(0.0);
  const std::string category = rate > 0 ? "S" : "Z";
  const double net = *total / (1 + rate / 100);
  const double tax = *total - net;
  const std::string cur = " currencyID=\"" + xml_escape(currency) + "\"";

  struct line_item {
    std::string description;
    double quantity;
    double amount;
  };
  std::vector<line_item> lines;
  if (const json::value* l = fields.if_contains("Lines"); l && l->is_array()) {
    for (const auto& item : l->get_array()) {
      if (!item.is_object()) continue;
      const auto& o = item.get_object();
      lines.push_back({str(o, "Description"), number(o, "Quantity").value_or(1), number(o, "Amount").value_or(0)});
    }
  }
  if (lines.empty()) lines.push_back({"Invoice " + id, 1, net});

  std::string x = R"(<?xml version="1.0" encoding="UTF-8"?>)"
                  "\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" "
                  "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" "
                  "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n";
  x += "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>\n";
  x += "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>\n";
  x += "<cbc:ID>" + xml_escape(id) + "</cbc:ID>\n";
  x += "<cbc:IssueDate>" + xml_escape(str(fields, "IssueDate").empty() ? today : str(fields, "IssueDate")) +
       "</cbc:IssueDate>\n";
  if (!str(fields, "DueDate").empty()) x += "<cbc:DueDate>" + xml_escape(str(fields, "DueDate")) + "</cbc:DueDate>\n";
  x += "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>\n";
  x += "<cbc:DocumentCurrencyCode>" + xml_escape(currency) + "</cbc:DocumentCurrencyCode>\n";
  x += "<cbc:BuyerReference>" + xml_escape(str(fields, "BuyerReference").empty() ? id : str(fields, "BuyerReference")) +
       "</cbc:BuyerReference>\n";
  x += "<cac:AccountingSupplierParty>" + party(supplier.endpoint, supplier.name, {}, supplier.country) +
       "</cac:AccountingSupplierParty>\n";
  x += "<cac:AccountingCustomerParty>" +
       party(buyer_endpoint, buyer.name.empty() ? buyer.key : buyer.name, address_lines(buyer.address),
             supplier.country) +
       "</cac:AccountingCustomerParty>\n";
  const std::string tax_category = "<cac:TaxCategory><cbc:ID>" + category + "</cbc:ID><cbc:Percent>" + money(rate) +
                                   "</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>";
  x += "<cac:TaxTotal><cbc:TaxAmount" + cur + ">" + money(tax) + "</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount" +
       cur + ">" + money(net) + "</cbc:TaxableAmount><cbc:TaxAmount" + cur + ">" + money(tax) + "</cbc:TaxAmount>" +
       tax_category + "</cac:TaxSubtotal></cac:TaxTotal>\n";
  x += "<cac:LegalMonetaryTotal><cbc:LineExtensionAmount" + cur + ">" + money(net) +
       "</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount" + cur + ">" + money(net) +
       "</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount" + cur + ">" + money(*total) +
       "</cbc:TaxInclusiveAmount><cbc:PayableAmount" + cur + ">" + money(*total) +
       "</cbc:PayableAmount></cac:LegalMonetaryTotal>\n";
  int n = 0;
  for (const auto& l : lines) {
    x += "<cac:InvoiceLine><cbc:ID>" + std::to_string(++n) + "</cbc:ID><cbc:InvoicedQuantity unitCode=\"C62\">" +
         money(l.quantity) + "</cbc:InvoicedQuantity><cbc:LineExtensionAmount" + cur + ">" + money(l.amount) +
         "</cbc:LineExtensionAmount><cac:Item><cbc:Name>" + xml_escape(l.description) +
         "</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>" + category + "</cbc:ID><cbc:Percent>" + money(rate) +
         "</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>"
         "<cac:Price><cbc:PriceAmount" + cur + ">" + money(l.quantity ? l.amount / l.quantity : l.amount) +
         "</cbc:PriceAmount></cac:Price></cac:InvoiceLine>\n";
  }
  x += "</Invoice>\n";
  return x;
}

}  // namespace herald::adapters::providers
