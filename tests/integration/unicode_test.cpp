// Chinese (and other non-ASCII) text round-trips byte for byte through the API and the
// database, and is stored as UTF-8, not escaped.
#include "fixture.hpp"

namespace crm::test {
namespace {

class UnicodeTest : public ApiTest {};

const std::string kName = "华联超市（北京）有限公司";
const std::string kAddress = "北京市朝阳区建国路８８号 SOHO现代城 C座 1808室";
// CJK Extension B (4-byte UTF-8), an emoji, combining marks, full-width punctuation.
const std::string kNote = "𠀀𠀁 客户说：“价格再低5%就下单”👍 e\xCC\x81 Ünïcödé — ok";

TEST_F(UnicodeTest, TextRoundTripsByteForByte) {
  json created = customer(kName, {{"address", kAddress},
                                  {"region", "华北"},
                                  {"industry", "超市"},
                                  {"attributes", {{"备注", kNote}}}});
  json fetched = ok("customer.get", {{"id", created["id"]}});
  EXPECT_EQ(fetched["name"].get<std::string>(), kName);
  EXPECT_EQ(fetched["address"].get<std::string>(), kAddress);
  EXPECT_EQ(fetched["attributes"]["备注"].get<std::string>(), kNote);

  json contact = ok("contact.create",
                    {{"customer_id", created["id"]}, {"name", "欧阳娜娜"}, {"title", "总经理"}});
  json logged = ok("interaction.log", {{"customer_id", created["id"]},
                                       {"contact_id", contact["id"]},
                                       {"channel", "sms"},
                                       {"direction", "inbound"},
                                       {"occurred_at", "2026-02-10T08:00:00+08:00"},
                                       {"subject", "春节后回访"},
                                       {"body", kNote}});
  json listed = ok("interaction.list", {{"customer_id", created["id"]}});
  EXPECT_EQ(listed["items"][0]["body"].get<std::string>(), kNote);
  EXPECT_EQ(listed["items"][0]["subject"].get<std::string>(), "春节后回访");
  EXPECT_EQ(ok("contact.list", {{"customer_id", created["id"]}})["items"][0]["name"], "欧阳娜娜");

  // The raw response carries the characters themselves, not \u escapes.
  auto raw = session_->call(request("customer.get", {{"id", created["id"]}}));
  EXPECT_NE(raw.body.find(kName), std::string::npos);

  // What the database holds is the same UTF-8 bytes.
  EXPECT_EQ(database_.column("SELECT name FROM crm_customer"), std::vector<std::string>{kName});
  EXPECT_EQ(database_.column("SELECT body FROM crm_interaction"), std::vector<std::string>{kNote});
  EXPECT_EQ(database_.column("SELECT name FROM crm_contact"), std::vector<std::string>{"欧阳娜娜"});
}

TEST_F(UnicodeTest, SearchFindsChineseSubstrings) {
  customer(kName);
  customer("同仁堂药店（王府井店）");
  json found = ok("customer.list", {{"search", "王府井"}});
  ASSERT_EQ(found["items"].size(), 1u);
  EXPECT_EQ(found["items"][0]["name"], "同仁堂药店（王府井店）");
}

}  // namespace
}  // namespace crm::test
