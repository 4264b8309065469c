import CustosBackup
import CustosCore
import CustosCrypto
import Testing

/// SLIP-39 split and combine on their own: round trips through words, and the refusals an
/// operator or an attacker would meet, each naming the mnemonic or group at fault.
@Suite struct SLIP39Tests {
    static let layout = [SLIP39.MemberGroup(threshold: 2, count: 3), SLIP39.MemberGroup(threshold: 3, count: 5)]

    static func split(_ secret: SecretBytes = SecretBytes(randomCount: 32)) throws -> [[String]] {
        try SLIP39.split(secret, groupThreshold: 2, groups: layout, iterationExponent: 0).map { $0.map(\.mnemonic) }
    }

    @Test func roundTripThroughWords() throws {
        let secret = SecretBytes(randomCount: 32)
        let shares = try Self.split(secret)
        #expect(shares.map(\.count) == [3, 5])
        #expect(shares.joined().allSatisfy { $0.split(separator: " ").count == 33 })
        // Any two of group 1 with any three of group 2, in any order.
        let chosen = [shares[1][4], shares[0][2], shares[1][0], shares[0][0], shares[1][2]]
        #expect(try SLIP39.combine(chosen).constantTimeEquals(secret))
        #expect(try SLIP39.combine(chosen.map { $0.uppercased() + "\n" }).constantTimeEquals(secret))
    }

    @Test func aPassphraseChangesWhatIsRecovered() throws {
        let secret = SecretBytes(randomCount: 16)
        let passphrase = SecretBytes(Array("custody".utf8))
        let shares = try SLIP39.split(secret, groupThreshold: 1, groups: [SLIP39.MemberGroup(threshold: 1, count: 1)],
                                      passphrase: passphrase, iterationExponent: 0)
        #expect(try SLIP39.combine([shares[0][0].mnemonic], passphrase: passphrase).constantTimeEquals(secret))
        #expect(try !SLIP39.combine([shares[0][0].mnemonic]).constantTimeEquals(secret))
        #expect(throws: BackupError(.invalidPassphrase, "")) {
            try SLIP39.combine([shares[0][0].mnemonic], passphrase: SecretBytes([0x63, 0x0A]))
        }
    }

    @Test func tooFewMnemonicsNameWhatIsMissing() throws {
        let shares = try Self.split()
        let oneGroup = [shares[1][0], shares[1][1], shares[1][2]]
        do {
            _ = try SLIP39.combine(oneGroup)
            Issue.record("one group of two recovered the secret")
        } catch {
            #expect(error.code == .groupThresholdNotMet)
            #expect(error.reason.contains("needs 2 groups"))
        }
        do {
            _ = try SLIP39.combine([shares[0][0], shares[0][1], shares[1][0], shares[1][1]])
            Issue.record("two of three members of group 2 recovered the secret")
        } catch {
            #expect(error.code == .memberThresholdNotMet)
            #expect(error.reason.contains("group 2"))
        }
        #expect(throws: BackupError(.tooManyShares, "")) { try SLIP39.combine(shares[0] + Array(shares[1].prefix(3))) }
        #expect(throws: BackupError(.groupThresholdNotMet, "")) { try SLIP39.combine([]) }
    }

    @Test func hostileMnemonicsAreRefusedByNumber() throws {
        let shares = try Self.split()
        var words = shares[0][1].split(separator: " ").map(String.init)
        words[9] = "bitcoin"
        do {
            _ = try SLIP39.combine([shares[0][0], words.joined(separator: " ")])
            Issue.record("a word outside the list was read")
        } catch {
            #expect(error.code == .unknownWord)
            #expect(error.reason.contains("mnemonic 2"))
            #expect(error.reason.contains("word 10"))
        }
        // Two words swapped: the checksum catches it.
        words = shares[0][1].split(separator: " ").map(String.init)
        words.swapAt(5, 6)
        if words[5] != words[6] {
            #expect(throws: BackupError(.invalidChecksum, "")) { try SLIP39.combine([shares[0][0], words.joined(separator: " ")]) }
        }
        // The same member twice, and a member of another set.
        #expect(throws: BackupError(.duplicateMemberIndex, "")) {
            try SLIP39.combine([shares[0][0], shares[0][0], shares[1][0], shares[1][1], shares[1][2]])
        }
        let other = try Self.split()
        #expect(throws: BackupError(.mismatchedShares, "")) {
            try SLIP39.combine([shares[0][0], other[0][1], shares[1][0], shares[1][1], shares[1][2]])
        }
        // Truncated: the last word left out.
        #expect(throws: BackupError.self) { try SLIP39.combine([String(shares[0][0].split(separator: " ").dropLast().joined(separator: " "))]) }
    }

    @Test func splitParametersAreChecked() throws {
        let secret = SecretBytes(randomCount: 16)
        let cases: [(Int, [SLIP39.MemberGroup], SecretBytes, Int)] = [
            (3, Self.layout, secret, 0),                                                         // group threshold above the group count
            (0, Self.layout, secret, 0),
            (1, [SLIP39.MemberGroup(threshold: 1, count: 3)], secret, 0),                        // 1 of 3 hands out the group share
            (1, [SLIP39.MemberGroup(threshold: 4, count: 3)], secret, 0),
            (1, [SLIP39.MemberGroup(threshold: 2, count: 17)], secret, 0),
            (1, Array(repeating: SLIP39.MemberGroup(threshold: 1, count: 1), count: 17), secret, 0),
            (1, Self.layout, SecretBytes(randomCount: 15), 0),                                  // odd length
            (1, Self.layout, SecretBytes(randomCount: 14), 0),                                  // below 128 bits
            (1, Self.layout, secret, 16),                                                        // iteration exponent
        ]
        for (threshold, groups, secret, exponent) in cases {
            #expect(throws: BackupError(.invalidParameters, "")) {
                try SLIP39.split(secret, groupThreshold: threshold, groups: groups, iterationExponent: exponent)
            }
        }
        #expect(try SLIP39.MemberGroup(parsing: "2of3") == SLIP39.MemberGroup(threshold: 2, count: 3))
        #expect(try SLIP39.MemberGroup(parsing: "3-of-5") == SLIP39.MemberGroup(threshold: 3, count: 5))
        #expect(throws: BackupError(.invalidParameters, "")) { try SLIP39.MemberGroup(parsing: "2/3") }
    }

    @Test func sharesNeverPrintTheirValue() throws {
        let share = try SLIP39.split(SecretBytes(randomCount: 16), groupThreshold: 1,
                                     groups: [SLIP39.MemberGroup(threshold: 2, count: 2)], iterationExponent: 0)[0][0]
        #expect(share.description.contains("redacted"))
        for word in share.words.dropFirst(4).dropLast(3) { #expect(!share.description.contains(word)) }
    }
}
