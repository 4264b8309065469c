import CustosPolicy
import Testing

@Suite struct FixedDecimalTests {
    @Test(arguments: [
        ("0", "0"), ("1", "1"), ("-1", "-1"), ("12.5", "12.5"), ("0.000000000000000001", "0.000000000000000001"),
        ("5_000_000", "5000000"), ("5,000,000", "5000000"), ("100.10", "100.1"), ("-0.05", "-0.05"),
        ("170141183460469231731", "170141183460469231731"),
    ])
    func parsesAndPrints(text: String, expected: String) throws {
        let value = try #require(FixedDecimal(parsing: text))
        #expect(value.description == expected)
    }

    @Test(arguments: [
        "", "-", ".5", "5.", "1e5", "1.2.3", "0.0000000000000000001", "abc", "1 000", "_1", "1__0", "+1",
        "170141183460469231732", "99999999999999999999999999",
    ])
    func refusesMalformedOrOutOfRange(text: String) {
        #expect(FixedDecimal(parsing: text) == nil, "\(text) should not parse")
    }

    @Test func arithmeticIsExactAndTruncates() throws {
        let a = try #require(FixedDecimal(parsing: "1.5"))
        let b = try #require(FixedDecimal(parsing: "3200.25"))
        #expect(a.multiplied(by: b)?.description == "4800.375")
        #expect(a.adding(b)?.description == "3201.75")
        #expect(a.subtracting(b)?.description == "-3198.75")
        let one = FixedDecimal(1)!
        let three = FixedDecimal(3)!
        #expect(one.divided(by: three)?.description == "0.333333333333333333")
        #expect(FixedDecimal(-1)!.divided(by: three)?.description == "-0.333333333333333333")
        #expect(FixedDecimal(7)!.remainder(dividingBy: three)?.description == "1")
        // Large notional: 1e9 units × 1e5 USD does not overflow the intermediate product.
        let big = try #require(FixedDecimal(parsing: "1000000000"))
        let price = try #require(FixedDecimal(parsing: "100000"))
        #expect(big.multiplied(by: price)?.description == "100000000000000")
    }

    @Test func overflowAndDivisionByZeroReturnNil() throws {
        let max = FixedDecimal(raw: .max)
        #expect(max.adding(FixedDecimal(1)!) == nil)
        #expect(FixedDecimal(raw: .min).subtracting(FixedDecimal(1)!) == nil)
        #expect(max.multiplied(by: FixedDecimal(2)!) == nil)
        #expect(FixedDecimal(1)!.divided(by: .zero) == nil)
        #expect(FixedDecimal(1)!.remainder(dividingBy: .zero) == nil)
        #expect(FixedDecimal(raw: .min).negated() == nil)
        let huge = try #require(FixedDecimal(parsing: "100000000000000000000"))
        #expect(huge.multiplied(by: huge) == nil)
        #expect(huge.divided(by: FixedDecimal(parsing: "0.000001")!) == nil)
    }

    @Test func groupsThousands() throws {
        #expect(FixedDecimal(parsing: "5250000")!.grouped == "5,250,000")
        #expect(FixedDecimal(parsing: "-1234.5")!.grouped == "-1,234.5")
        #expect(FixedDecimal(parsing: "999")!.grouped == "999")
    }
}
