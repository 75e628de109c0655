// Exact money: parsing callers' decimal strings, formatting minor units, reading drivers'
// decimal text, and integer-only arithmetic.
#include "core/money.hpp"

#include <gtest/gtest.h>

#include <climits>

#include "core/error.hpp"

namespace crm::money {
namespace {

// The message of the invalid_argument parse() throws, checking the field it names.
std::string rejection(const std::string &text) {
  try {
    parse(text, "params.amount");
  } catch (const Error &error) {
    EXPECT_EQ(error.status(), Status::invalid_argument);
    EXPECT_EQ(error.field(), "params.amount");
    EXPECT_NE(error.message().find("params.amount"), std::string::npos) << error.message();
    return error.message();
  }
  ADD_FAILURE() << "\"" << text << "\" was accepted";
  return {};
}

bool mentions(const std::string &message, const std::string &word) {
  return message.find(word) != std::string::npos;
}

TEST(Money, ParsesDecimalStrings) {
  EXPECT_EQ(parse("12345.67", "f"), 1234567);
  EXPECT_EQ(parse("-0.50", "f"), -50);
  EXPECT_EQ(parse("-0.5", "f"), -50);
  EXPECT_EQ(parse("100", "f"), 10000);
  EXPECT_EQ(parse("0", "f"), 0);
  EXPECT_EQ(parse("-0", "f"), 0);
  EXPECT_EQ(parse("0.01", "f"), 1);
  EXPECT_EQ(parse("007.10", "f"), 710);
  EXPECT_EQ(parse("99999999999.99", "f"), 9999999999999);
}

TEST(Money, RejectsEveryMalformedAmount) {
  EXPECT_TRUE(mentions(rejection("1.234"), "more than 2 decimals"));
  EXPECT_TRUE(mentions(rejection("0.001"), "more than 2 decimals"));
  EXPECT_TRUE(mentions(rejection("1e3"), "exponent"));
  EXPECT_TRUE(mentions(rejection("1E3"), "exponent"));
  EXPECT_TRUE(mentions(rejection("1.5e-1"), "exponent"));
  EXPECT_TRUE(mentions(rejection(" 1"), "spaces"));
  EXPECT_TRUE(mentions(rejection("1 "), "spaces"));
  EXPECT_TRUE(mentions(rejection("1 000"), "spaces"));
  EXPECT_TRUE(mentions(rejection("+1"), "'+'"));
  EXPECT_TRUE(mentions(rejection(".5"), "digit before the decimal point"));
  EXPECT_TRUE(mentions(rejection("-.5"), "digit before the decimal point"));
  EXPECT_TRUE(mentions(rejection("5."), "end with a decimal point"));
  EXPECT_TRUE(mentions(rejection(""), "empty"));
  EXPECT_TRUE(mentions(rejection("１"), "ASCII"));  // fullwidth digit one
  EXPECT_TRUE(mentions(rejection("١٢"), "ASCII"));  // Arabic-Indic digits
  EXPECT_TRUE(mentions(rejection("--1"), "not a decimal number"));
  EXPECT_TRUE(mentions(rejection("-"), "not a decimal number"));
  EXPECT_TRUE(mentions(rejection("1.2.3"), "not a decimal number"));
  EXPECT_TRUE(mentions(rejection("1,5"), "not a decimal number"));
  EXPECT_TRUE(mentions(rejection("0x10"), "not a decimal number"));
  EXPECT_TRUE(mentions(rejection("NaN"), "not a decimal number"));
  EXPECT_TRUE(mentions(rejection("12abc"), "not a decimal number"));
  EXPECT_TRUE(mentions(rejection("1'; DROP TABLE crm_opportunity; --"), "spaces"));
}

TEST(Money, Int64EdgesAfterScaling) {
  EXPECT_EQ(parse("92233720368547758.07", "f"), INT64_MAX);
  EXPECT_EQ(parse("-92233720368547758.08", "f"), INT64_MIN);
  EXPECT_TRUE(mentions(rejection("92233720368547758.08"), "out of range"));
  EXPECT_TRUE(mentions(rejection("-92233720368547758.09"), "out of range"));
  EXPECT_TRUE(mentions(rejection("92233720368547759"), "out of range"));
  EXPECT_TRUE(mentions(rejection("99999999999999999999999"), "out of range"));
  EXPECT_EQ(format(INT64_MAX), "92233720368547758.07");
  EXPECT_EQ(format(INT64_MIN), "-92233720368547758.08");
}

TEST(Money, FormatsMinorUnits) {
  EXPECT_EQ(format(1234567), "12345.67");
  EXPECT_EQ(format(-5), "-0.05");
  EXPECT_EQ(format(-50), "-0.50");
  EXPECT_EQ(format(0), "0.00");
  EXPECT_EQ(format(1), "0.01");
  EXPECT_EQ(format(10000), "100.00");
  EXPECT_EQ(format(-123456), "-1234.56");
}

TEST(Money, RoundTrips) {
  for (const char *text : {"0.00", "0.01", "-0.01", "12345.67", "-12345.67", "100.00",
                           "99999999999.99", "92233720368547758.07", "-92233720368547758.08"})
    EXPECT_EQ(format(parse(text, "f")), text);
  for (Minor minor : {Minor{0}, Minor{1}, Minor{-1}, Minor{99}, Minor{-100}, Minor{123456789},
                      INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1})
    EXPECT_EQ(parse(format(minor), "f"), minor);
}

TEST(Money, SumsAreExact) {
  // 0.1 + 0.2 is 0.30000000000000004 in binary floating point; here it is 0.30.
  auto sum = add(parse("0.10", "f"), parse("0.20", "f"));
  ASSERT_TRUE(sum);
  EXPECT_EQ(format(*sum), "0.30");
  Minor total = 0;
  for (int i = 0; i < 1000; ++i) total = *add(total, parse("0.01", "f"));
  EXPECT_EQ(format(total), "10.00");
  total = 0;
  for (int i = 0; i < 10; ++i) total = *add(total, parse("99999999999.99", "f"));
  EXPECT_EQ(format(total), "999999999999.90");
  EXPECT_FALSE(add(INT64_MAX, 1));
  EXPECT_FALSE(add(INT64_MIN, -1));
  EXPECT_EQ(add(INT64_MAX, INT64_MIN), Minor{-1});
}

TEST(Money, PercentOfRoundsHalfAwayFromZeroExactly) {
  EXPECT_EQ(percent_of(parse("12345.67", "f"), 30), 370370);  // 3703.701 → 3703.70
  EXPECT_EQ(percent_of(parse("0.05", "f"), 10), 1);           // 0.005 → 0.01 (half up)
  EXPECT_EQ(percent_of(parse("0.04", "f"), 10), 0);           // 0.004 → 0.00
  EXPECT_EQ(percent_of(parse("0.15", "f"), 30), 5);           // 0.045 → 0.05
  EXPECT_EQ(percent_of(parse("-0.05", "f"), 10), -1);
  EXPECT_EQ(percent_of(parse("100.00", "f"), 0), 0);
  EXPECT_EQ(percent_of(parse("100.00", "f"), 100), 10000);
  // No 64-bit overflow in the intermediate product.
  EXPECT_EQ(percent_of(INT64_MAX, 100), INT64_MAX);
  EXPECT_EQ(percent_of(INT64_MAX, 60), Minor{5534023222112865484});  // 0.6 × max, rounded
  EXPECT_FALSE(percent_of(INT64_MAX, 101));
}

TEST(Money, ReadsDatabaseDecimalText) {
  EXPECT_EQ(from_db_text("1234.5000"), 123450);  // PostgreSQL numeric
  EXPECT_EQ(from_db_text("1234.50"), 123450);    // MariaDB DECIMAL(…,2)
  EXPECT_EQ(from_db_text("1234.5"), 123450);     // SQLite REAL-ish text
  EXPECT_EQ(from_db_text("1234.0"), 123400);
  EXPECT_EQ(from_db_text("1234"), 123400);  // SQLite integer
  EXPECT_EQ(from_db_text("-0.0500"), -5);
  EXPECT_EQ(from_db_text("0"), 0);
  EXPECT_EQ(from_db_text("92233720368547758.0700"), INT64_MAX);
  EXPECT_EQ(from_db_text("-92233720368547758.08"), INT64_MIN);
  EXPECT_FALSE(from_db_text("1234.501"));  // a fraction of a fen
  EXPECT_FALSE(from_db_text("0.0001"));
  EXPECT_FALSE(from_db_text("92233720368547758.08"));
  EXPECT_FALSE(from_db_text(""));
  EXPECT_FALSE(from_db_text("-"));
  EXPECT_FALSE(from_db_text("."));
  EXPECT_FALSE(from_db_text("1e3"));
  EXPECT_FALSE(from_db_text(" 1"));
  EXPECT_FALSE(from_db_text("abc"));
  EXPECT_FALSE(from_db_text("--1"));
}

TEST(Money, FieldIsAPublishedString) {
  auto field = money::field("amount", "the amount");
  EXPECT_EQ(field.name, "amount");
  EXPECT_EQ(field.type, params::Type::string);
  EXPECT_EQ(field.max_length, 24u);
  EXPECT_FALSE(problem("12.34"));
  EXPECT_EQ(problem("1.234"), std::optional<std::string>("has more than 2 decimals"));
}

}  // namespace
}  // namespace crm::money
