import CustosCore
import CustosPolicy
import Testing

/// Requests and state snapshots as the CLI reads them.
@Suite struct DecodingTests {
    @Test func decodesATransfer() throws {
        let r = try PolicyRequest.decode(json: """
            {"id": "r1", "initiator": "alice", "vault": "hot", "chain": "ethereum", "asset": "USDC",
             "amount": "250000.5", "fee": 0.002, "destination": "0xabc", "approvals": ["bob", "carol"], "memo": "x"}
            """)
        #expect(r.kind == .transfer)
        #expect(r.amount == FixedDecimal(parsing: "250000.5"))
        #expect(r.fee == FixedDecimal(parsing: "0.002"))
        #expect(r.approvals == ["bob", "carol"])
    }

    @Test func decodesACallWithAnUnlimitedAmount() throws {
        let r = try PolicyRequest.decode(json: """
            {"initiator": "alice", "destination": "0xabc", "call": {"target": "0xabc", "function": "approve",
             "args": {"spender": "0xdef"},
             "amounts": {"amount": "115792089237316195423570985008687907853269984665640564039457584007913129639935"}}}
            """)
        #expect(r.kind == .contractCall)
        #expect(r.call?.arguments["spender"] == "0xdef")
        #expect(r.call?.oversizedAmounts == ["amount"])
    }

    @Test func decodesGovernance() throws {
        let r = try PolicyRequest.decode(json: #"{"initiator": "erin", "operation": {"action": "freeze"}}"#)
        #expect(r.kind == .governance)
        #expect(r.operation == GovernanceOperation(.freeze))
    }

    @Test(arguments: [
        (#"{"initiator": "a", "amout": "1"}"#, PolicyDiagnostic.Code.unknownField, 1, 20),
        (#"{"amount": "1"}"#, .missingField, 1, 1),
        (#"{"initiator": "a", "amount": "1e5"}"#, .wrongType, 1, 30),
        (#"{"initiator": "a", "amount": "-5"}"#, .invalidValue, 1, 30),
        (#"{"initiator": "a", "kind": "governance"}"#, .missingField, 1, 1),
        (#"{"initiator": "a", "operation": {"action": "nuke"}}"#, .invalidValue, 1, 44),
        ("[1, 2]", .wrongType, 1, 1),
        (#"{"initiator": "a""#, .yamlSyntax, 2, 1),
    ])
    func refusesBadRequests(text: String, code: PolicyDiagnostic.Code, line: Int, column: Int) throws {
        do {
            _ = try PolicyRequest.decode(json: text)
            Issue.record("accepted \(text)")
        } catch {
            let d = try #require(error.diagnostics.first)
            #expect(d.code == code, "\(d)")
            #expect(d.location == SourceLocation(line: line, column: column), "\(d)")
        }
    }

    @Test func decodesState() throws {
        let s = try StateSnapshot.decode(json: """
            {"time": "2026-11-17T10:00:00Z", "prices": {"ETH": "3200.5"}, "frozen": true,
             "windows": {"exchange-daily": {"kraken": {"usd": "4500000", "count": 9}}}}
            """)
        #expect(s.time == Fixtures.tuesdayMorning)
        #expect(s.prices["ETH"] == FixedDecimal(parsing: "3200.5"))
        #expect(s.frozen)
        #expect(s.windows["exchange-daily", "kraken"] == .init(usd: FixedDecimal(4_500_000)!, count: 9))
        #expect(s.windows["exchange-daily", "binance"] == .zero)
        #expect(try StateSnapshot.decode(json: #"{"time": 1794909600}"#).time == Fixtures.tuesdayMorning)
    }

    @Test(arguments: [
        "1970-01-01T00:00:00Z", "2000-02-29T12:34:56Z", "2026-11-17T10:00:00Z", "1969-12-31T23:59:59Z",
    ])
    func parsesISO8601(text: String) throws {
        let expected: [String: Int64] = [
            "1970-01-01T00:00:00Z": 0, "2000-02-29T12:34:56Z": 951_827_696, "2026-11-17T10:00:00Z": 1_794_909_600,
            "1969-12-31T23:59:59Z": -1,
        ]
        #expect(StateSnapshot.parseISO8601(text) == expected[text])
    }

    @Test(arguments: ["2026-13-01T00:00:00Z", "2026-11-17 10:00:00Z", "2026-11-17T10:00:00", "yesterday"])
    func refusesBadTimes(text: String) {
        #expect(StateSnapshot.parseISO8601(text) == nil)
        #expect(throws: PolicyLoadError.self) { try StateSnapshot.decode(json: "{\"time\": \"\(text)\"}") }
    }
}
