#pragma once
// A Peppol BIS Billing 3.0 UBL 2.1 invoice built from an invoice entity
// (SPEC §5, einvoice channel), without I/O. The invoice's fields:
//   Number (required), Total (required, gross, "480.00"), Currency (ISO 4217,
//   default EUR), IssueDate (YYYY-MM-DD, default `today`), DueDate,
//   VatRate (percent, default 0: zero-rated "Z"), BuyerReference,
//   Lines: [{"Description","Quantity","Amount" (net)}] (default one line)
// The supplier comes from the provider settings, the buyer from the
// recipient (name, contact.peppol_id "scheme:id", address).

#include <string>

#include <boost/json/object.hpp>

#include "domain/communication.hpp"
#include "domain/status.hpp"

namespace herald::adapters::providers {

struct ubl_supplier {
  std::string endpoint;  // "0088:5790000435975"
  std::string name;
  std::string country = "GB";
};

// `invoice` is the entity's record ({"label","fields","links"}); errors name
// the field ("fields.Total").
result<std::string> build_ubl_invoice(const boost::json::object& invoice, const domain::recipient_info& buyer,
                                      const std::string& buyer_endpoint, const ubl_supplier& supplier,
                                      const std::string& today);

}  // namespace herald::adapters::providers
