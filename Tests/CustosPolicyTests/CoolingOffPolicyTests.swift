import CustosCore
import CustosPolicy
import Foundation
import Testing

/// `cooling_off`: how long a new or changed address-book entry waits before it is usable, read
/// as a policy author would get it wrong (a negative or unknown duration, a tag or counterparty
/// no entry has); the decision a held destination gets, whatever the rules say; and a diff that
/// says when a change shortens a wait.
@Suite struct CoolingOffPolicyTests {
    static let rules = "  - name: allow-all\n    outcome: allow\n"

    static func yaml(_ coolingOff: String?, version: Int = 1) -> String {
        Fixtures.yaml(rules: rules)
            .replacingOccurrences(of: "governance:\n", with: (coolingOff.map { "cooling_off: \($0)\n" } ?? "") + "governance:\n")
            .replacingOccurrences(of: "version: 1\n", with: "version: \(version)\n")
    }

    @Test func theSectionIsReadWithItsOverridesAndTheLongestApplyingOneWins() throws {
        let document = try PolicyDocument.decode(yaml: Self.yaml("{default: 48h, tags: {internal: 0s, exchange: 1h}, counterparties: {kraken: 24h}}"))
        let section = try #require(document.coolingOff)
        #expect(section.defaultSeconds == 48 * 3600)
        #expect(section.tags.map(\.name.value) == ["internal", "exchange"] && section.tags.map(\.seconds) == [0, 3600])
        #expect(section.delay(tags: ["internal"], counterparty: nil) == 0)
        #expect(section.delay(tags: ["exchange"], counterparty: "kraken") == 24 * 3600, "the longest of the settings that apply")
        #expect(section.delay(tags: ["exchange", "internal"], counterparty: "binance") == 3600)
        #expect(section.delay(tags: ["defi"], counterparty: "binance") == 48 * 3600, "no setting applies: the default")
        let kraken = try #require(document.addressBook.first { $0.name == "kraken" })
        #expect(document.coolingOffSeconds(of: kraken) == 24 * 3600)
        // Without the section nothing waits.
        let none = try PolicyDocument.decode(yaml: Self.yaml(nil))
        #expect(none.coolingOff == nil && none.coolingOffSeconds(of: kraken) == 0)
        #expect(try PolicyDocument.decode(yaml: Self.yaml("{default: 0}")).coolingOff?.defaultSeconds == 0)
    }

    @Test(arguments: [
        ("{default: -1h}", "cooling_off.default must not be negative"),
        ("{default: soon}", "cooling_off.default must be a duration"),
        ("{default: 91d}", "cooling_off.default must be at most 90d"),
        ("{tags: {internal: 0s}}", "missing"),
        ("{default: 1h, tags: {internal: 2w}}", "cooling_off.tags.internal must end in s, m, h or d"),
        ("{default: 1h, wallets: {x: 1h}}", "wallets"),
    ])
    func badSectionsAreRefusedNamingWhy(section: String, message: String) {
        let error = #expect(throws: PolicyLoadError.self) { _ = try PolicyDocument.decode(yaml: Self.yaml(section)) }
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "no error")")
    }

    @Test(arguments: [
        ("{default: 1h, tags: {internl: 0s}}", "cooling_off names tag 'internl' that no address book entry has; did you mean 'internal'?"),
        ("{default: 1h, counterparties: {krakn: 0s}}", "cooling_off names counterparty 'krakn' that no address book entry has; did you mean 'kraken'?"),
    ])
    func namesNoEntryHasAreRefused(section: String, message: String) {
        let error = #expect(throws: PolicyLoadError.self) { _ = try CompiledPolicy(yaml: Self.yaml(section)) }
        #expect(error?.errors.first?.code == .unknownReference)
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "no error")")
    }

    @Test func aHeldDestinationIsDeniedWhateverTheRulesSayWithTheTimeItBecomesUsable() throws {
        let policy = try CompiledPolicy(yaml: Self.yaml("{default: 48h}"))
        let usableFrom = try #require(StateSnapshot.parseISO8601("2026-12-04T10:00:00Z"))
        var state = Fixtures.state(time: usableFrom - 1)
        state.destinationHolds["kraken"] = .coolingOff(usableFrom: usableFrom)
        let explanation = policy.explain(Fixtures.transfer(to: Fixtures.kraken.uppercased().replacingOccurrences(of: "0X", with: "0x")), in: state)
        #expect(explanation.decision.reason == .destinationHeld(entry: "kraken", .coolingOff(usableFrom: usableFrom)))
        #expect(explanation.decision.applied.isEmpty)
        #expect(explanation.lines[0] == "DENY: kraken usable from 2026-12-04 10:00 UTC (new or changed address book entry, cooling off)")
        // A call whose token movement goes to it is held too; another entry, a message, a
        // governance operation are not.
        var call = Fixtures.transfer(to: Fixtures.kraken)
        call.kind = .contractCall
        call.call = .init(target: Fixtures.router, function: "transfer")
        #expect(policy.evaluate(call, in: state).reason == .destinationHeld(entry: "kraken", .coolingOff(usableFrom: usableFrom)))
        #expect(policy.evaluate(Fixtures.transfer(to: Fixtures.binance), in: state).outcome == .allow)
        #expect(policy.evaluate(PolicyRequest(kind: .message, initiator: "alice"), in: state).reason != .destinationHeld(entry: "kraken", .coolingOff(usableFrom: usableFrom)))
        #expect(policy.destinationHold(of: Fixtures.transfer(to: Fixtures.kraken), in: state)?.entry == "kraken")
        // At its time the rules decide again; a cancelled entry is refused at any time.
        state.time = usableFrom
        #expect(policy.evaluate(Fixtures.transfer(to: Fixtures.kraken), in: state).outcome == .allow)
        #expect(policy.destinationHold(of: Fixtures.transfer(to: Fixtures.kraken), in: state) == nil)
        state.destinationHolds["kraken"] = .cancelled(by: "erin", at: usableFrom - 3600)
        state.time = usableFrom + 365 * 86_400
        let cancelled = policy.explain(Fixtures.transfer(to: Fixtures.kraken), in: state)
        #expect(cancelled.decision.outcome == .deny)
        #expect(cancelled.lines[0] == "DENY: kraken was cancelled by erin at 2026-12-04 09:00 UTC during its cooling-off and is not usable")
    }

    @Test func theExamplePolicyWaitsTwoDaysForANewCounterpartyAndNotForTheFirmsOwnWallets() throws {
        let policy = try CompiledPolicy(yaml: try Fixtures.examplePolicyText())
        let book = policy.document.addressBook
        let seconds = { (name: String) in book.first { $0.name == name }.map(policy.document.coolingOffSeconds(of:)) }
        #expect(seconds("kraken-eth") == 48 * 3600 && seconds("wintermute-otc") == 48 * 3600)
        #expect(seconds("cold-eth") == 0 && seconds("hot-arb") == 0)
    }

    @Test func timesReadAsUTC() {
        #expect(UTCTime.text(0) == "1970-01-01 00:00 UTC")
        #expect(UTCTime.text(StateSnapshot.parseISO8601("2026-12-04T10:00:00Z")!) == "2026-12-04 10:00 UTC")
        #expect(UTCTime.text(StateSnapshot.parseISO8601("2028-02-29T23:59:07Z")!) == "2028-02-29 23:59:07 UTC")
        #expect(UTCTime.text(-1) == "1969-12-31 23:59:59 UTC")
    }

    @Test func aShorterOrRemovedCoolingOffWeakensThePolicy() throws {
        func document(_ section: String?, version: Int) throws -> PolicyDocument { try PolicyDocument.decode(yaml: Self.yaml(section, version: version)) }
        let base = try document("{default: 48h, tags: {internal: 0s}, counterparties: {kraken: 24h}}", version: 1)
        let cases: [(String?, String, PolicyDiff.Direction)] = [
            ("{default: 24h, tags: {internal: 0s}, counterparties: {kraken: 24h}}", "cooling_off default: 2d → 24h", .weaker),
            ("{default: 72h, tags: {internal: 0s}, counterparties: {kraken: 24h}}", "cooling_off default: 2d → 3d", .stronger),
            ("{default: 48h, counterparties: {kraken: 24h}}", "cooling_off tag internal: 0s → the default (2d)", .stronger),
            ("{default: 48h, tags: {internal: 0s}}", "cooling_off counterparty kraken: 24h → the default (2d)", .stronger),
            ("{default: 48h, tags: {internal: 0s}, counterparties: {kraken: 1h}}", "cooling_off counterparty kraken: 24h → 1h", .weaker),
            ("{default: 48h, tags: {internal: 0s, exchange: 1h}, counterparties: {kraken: 24h}}", "cooling_off tag exchange: the default (2d) → 1h", .weaker),
            (nil, "cooling_off: removed: new or changed address book entries are usable at once", .weaker),
        ]
        for (section, line, direction) in cases {
            let diff = PolicyDiff(old: base, new: try document(section, version: 2))
            #expect(diff.changes.contains { $0.description == "\(line) (\(direction.rawValue))" }, "\(diff.lines)")
            #expect(diff.weakens == (direction == .weaker), "\(diff.lines)")
        }
        let added = PolicyDiff(old: try document(nil, version: 1), new: base)
        #expect(added.lines.contains("cooling_off: added: new or changed address book entries wait 2d by default (stronger)"), "\(added.lines)")
        #expect(!added.weakens)
    }
}
