import CustosCore
import CustosPolicy
import Foundation
import Testing

/// `signing`: how long the signers of one attempt or presigning batch have, read as a policy
/// author would get it wrong, and shown in a policy diff.
@Suite struct SigningTimePolicyTests {
    static func yaml(_ signing: String?) -> String {
        Fixtures.yaml(rules: CoolingOffPolicyTests.rules)
            .replacingOccurrences(of: "governance:\n", with: (signing.map { "signing: \($0)\n" } ?? "") + "governance:\n")
    }

    @Test func theAttemptTimeoutIsReadAndIs30SecondsWithoutTheSection() throws {
        #expect(try PolicyDocument.decode(yaml: Self.yaml(nil)).signing.attemptTimeoutSeconds == 30)
        #expect(try PolicyDocument.decode(yaml: Self.yaml("{}")).signing.attemptTimeoutSeconds == 30)
        let set = try PolicyDocument.decode(yaml: Self.yaml("{attempt_timeout: 12s}"))
        #expect(set.signing.attemptTimeoutSeconds == 12 && set.signing.attemptTimeoutMillis == 12_000)
        #expect(try PolicyDocument.decode(yaml: Self.yaml("{attempt_timeout: 10m}")).signing.attemptTimeoutSeconds == 600)
    }

    @Test(arguments: [
        ("{attempt_timeout: 9s}", "signing.attempt_timeout must be from 10s to 10m"),
        ("{attempt_timeout: 11m}", "signing.attempt_timeout must be from 10s to 10m"),
        ("{attempt_timeout: soon}", "signing.attempt_timeout must be a duration"),
        ("{attempt_timeout: -5s}", "signing.attempt_timeout must be a duration"),
        ("{attempt_timout: 20s}", "attempt_timout"),
        ("20s", "signing"),
    ])
    func badSectionsAreRefusedNamingWhy(section: String, message: String) {
        let error = #expect(throws: PolicyLoadError.self) { _ = try PolicyDocument.decode(yaml: Self.yaml(section)) }
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "no error")")
    }

    @Test func aChangedTimeoutIsInTheDiff() throws {
        let old = try PolicyDocument.decode(yaml: Self.yaml(nil))
        let new = try PolicyDocument.decode(yaml: Self.yaml("{attempt_timeout: 10s}").replacingOccurrences(of: "version: 1\n", with: "version: 2\n"))
        let lines = PolicyDiff(old: old, new: new).changes.map { "\($0.subject): \($0.detail)" }
        #expect(lines.contains("signing attempt_timeout: 30 s → 10 s"), "\(lines)")
    }
}
