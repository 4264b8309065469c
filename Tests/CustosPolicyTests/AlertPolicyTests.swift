import CustosCore
import CustosPolicy
import Foundation
import Testing

/// `alerts`: how long a signed transaction may go without a receipt on each chain, read as a
/// policy author would get it wrong, and shown in a policy diff.
@Suite struct AlertPolicyTests {
    static func yaml(_ alerts: String?) -> String {
        Fixtures.yaml(rules: CoolingOffPolicyTests.rules)
            .replacingOccurrences(of: "governance:\n", with: (alerts.map { "alerts: \($0)\n" } ?? "") + "governance:\n")
    }

    @Test func theReceiptDeadlineIs30MinutesUnlessSetAndChainsMayHaveTheirOwn() throws {
        #expect(try PolicyDocument.decode(yaml: Self.yaml(nil)).alerts.receiptDeadlineMillis(chain: "ethereum") == 30 * 60_000)
        let set = try PolicyDocument.decode(yaml: Self.yaml("{receipt_deadline: 1h, receipt_deadline_by_chain: {ethereum: 5m}}")).alerts
        #expect(set.receiptDeadlineMillis(chain: "ethereum") == 5 * 60_000 && set.receiptDeadlineMillis(chain: "bitcoin") == 3_600_000)
        #expect(Fixtures.errors(Self.yaml("{receipt_deadline_by_chain: {ethereum: 5m}}")).isEmpty)
    }

    @Test(arguments: [
        ("{receipt_deadline: 59s}", "alerts.receipt_deadline must be from 1m to 24h"),
        ("{receipt_deadline: 25h}", "alerts.receipt_deadline must be from 1m to 24h"),
        ("{receipt_deadline_by_chain: {ethereum: 30s}}", "alerts.receipt_deadline_by_chain.ethereum must be from 1m to 24h"),
        ("{receipt_deadline: soon}", "alerts.receipt_deadline must be a duration"),
        ("{freeze_on: [mismatch]}", "freeze_on"),
        ("30m", "alerts"),
    ])
    func badSectionsAreRefusedNamingWhy(section: String, message: String) {
        let error = #expect(throws: PolicyLoadError.self) { _ = try PolicyDocument.decode(yaml: Self.yaml(section)) }
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "no error")")
    }

    @Test func freezeOnNamesTheAlertsThatFreezeSigningNoneUnlessSet() throws {
        #expect(try PolicyDocument.decode(yaml: Self.yaml(nil)).alerts.freezeOn.isEmpty)
        let set = try PolicyDocument.decode(yaml: Self.yaml("{freeze_on: [receipt-mismatch, receipt-disputed]}")).alerts
        #expect(set.freezeOn == ["receipt-mismatch", "receipt-disputed"] && set.freezeOnText == "receipt-disputed, receipt-mismatch")
        #expect(try PolicyDocument.decode(yaml: Self.yaml("{freeze_on: mined-reverted}")).alerts.freezeOn == ["mined-reverted"])
        // An overdue receipt rests on nobody's reading of the chain: it never freezes; nor does a class named twice.
        for bad in ["{freeze_on: [receipt-overdue]}", "{freeze_on: [receipt-mismatch, receipt-mismatch]}", "{freeze_on: [foreign-authority-event]}"] {
            #expect(throws: PolicyLoadError.self, "\(bad)") { _ = try PolicyDocument.decode(yaml: Self.yaml(bad)) }
        }
    }

    @Test func fewerFreezeClassesAreWeakerInTheDiff() throws {
        let old = try PolicyDocument.decode(yaml: Self.yaml("{freeze_on: [receipt-mismatch, mined-reverted]}"))
        let new = try PolicyDocument.decode(yaml: Self.yaml("{freeze_on: [mined-reverted]}").replacingOccurrences(of: "version: 1\n", with: "version: 2\n"))
        #expect(PolicyDiff(old: old, new: new).changes.map(\.description).contains("alerts freeze_on: mined-reverted, receipt-mismatch → mined-reverted (weaker)"))
        #expect(PolicyDiff(old: new, new: old).changes.map(\.description).contains("alerts freeze_on: mined-reverted → mined-reverted, receipt-mismatch (stronger)"))
    }

    @Test func aChainOfNoAssetIsAnUnknownReference() throws {
        let errors = Fixtures.errors(Self.yaml("{receipt_deadline_by_chain: {etherium: 5m}}"))
        #expect(errors.map(\.code) == [.unknownReference] && errors.first?.message.contains("chain 'etherium' of alerts.receipt_deadline_by_chain") == true,
                "\(errors)")
    }

    @Test func aChangedDeadlineIsInTheDiff() throws {
        let old = try PolicyDocument.decode(yaml: Self.yaml(nil))
        let new = try PolicyDocument.decode(yaml: Self.yaml("{receipt_deadline_by_chain: {ethereum: 10m}}").replacingOccurrences(of: "version: 1\n", with: "version: 2\n"))
        let lines = PolicyDiff(old: old, new: new).changes.map { "\($0.subject): \($0.detail)" }
        #expect(lines.contains("alerts receipt_deadline: 1800 s → 1800 s; ethereum 600 s"), "\(lines)")
    }
}
