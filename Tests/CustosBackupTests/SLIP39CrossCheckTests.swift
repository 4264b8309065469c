import CustosBackup
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// SLIP-39 against python-shamir-mnemonic (`Tests/python/slip39_peer.py`), both ways and with
/// groups: what this package splits, Python combines to the same secret; what Python splits,
/// this package combines.
@Suite struct SLIP39CrossCheckTests {
    struct Split: Codable {
        var secret: String
        var passphrase: String
        var group_threshold: Int
        var groups: [[Int]]
        var extendable: Bool
        var iteration_exponent: Int
    }
    struct Combine: Codable {
        var mnemonics: [String]
        var passphrase: String
    }
    struct Request: Codable {
        var combine: [Combine] = []
        var split: [Split] = []
    }
    struct Response: Decodable {
        enum Outcome: Decodable {
            case secret(String)
            case error(String)
            init(from decoder: any Decoder) throws {
                if let text = try? decoder.singleValueContainer().decode(String.self) {
                    self = .secret(text)
                } else {
                    struct Failure: Decodable { var error: String }
                    self = .error(try Failure(from: decoder).error)
                }
            }
        }
        var combine: [Outcome]
        var split: [[[String]]]
    }

    /// Group layouts tried both ways: one group, two levels with a 1-of-1 group, and more.
    static let layouts: [(threshold: Int, groups: [[Int]])] = [
        (1, [[1, 1]]),
        (1, [[3, 5]]),
        (2, [[1, 1], [2, 3], [3, 5]]),
        (3, [[2, 3], [2, 2], [3, 4], [1, 1]]),
    ]

    /// Mnemonics of `shares` that meet the thresholds: the last `threshold` groups, the last
    /// members of each, so that neither the first indices nor the order is favoured.
    static func selection(_ shares: [[String]], threshold: Int, groups: [[Int]]) -> [String] {
        let chosen = Array(shares.indices.suffix(threshold))
        return chosen.reversed().flatMap { g in Array(shares[g].suffix(groups[g][0]).reversed()) }
    }

    @Test func oursSplitTheirsCombine() async throws {
        var request = Request()
        var secrets: [String] = []
        for (number, layout) in Self.layouts.enumerated() {
            for length in [16, 32] {
                let secret = SecretBytes(randomCount: length)
                let passphrase = number % 2 == 0 ? "" : "correct horse"
                let shares = try SLIP39.split(
                    secret, groupThreshold: layout.threshold,
                    groups: layout.groups.map { SLIP39.MemberGroup(threshold: $0[0], count: $0[1]) },
                    passphrase: SecretBytes(Array(passphrase.utf8)), iterationExponent: number % 2, extendable: number != 2)
                let mnemonics = shares.map { $0.map(\.mnemonic) }
                request.combine.append(Combine(mnemonics: Self.selection(mnemonics, threshold: layout.threshold, groups: layout.groups),
                                               passphrase: passphrase))
                secrets.append(secret.unsafeCopyBytes().hexString)
            }
        }
        let response = try await PythonPeer.call("slip39_peer.py", request, as: Response.self)
        try #require(response.combine.count == secrets.count)
        for (outcome, secret) in zip(response.combine, secrets) {
            guard case .secret(let recovered) = outcome else {
                Issue.record("Python refused our mnemonics: \(outcome)")
                continue
            }
            #expect(recovered == secret)
        }
    }

    @Test func theirsSplitOursCombine() async throws {
        var request = Request()
        var secrets: [String] = []
        for (number, layout) in Self.layouts.enumerated() {
            for length in [16, 32] {
                let secret = SecureRandom.bytes(count: length).hexString
                request.split.append(Split(secret: secret, passphrase: number % 2 == 0 ? "TREZOR" : "", group_threshold: layout.threshold,
                                           groups: layout.groups, extendable: number != 3, iteration_exponent: number % 3))
                secrets.append(secret)
            }
        }
        let response = try await PythonPeer.call("slip39_peer.py", request, as: Response.self)
        try #require(response.split.count == secrets.count)
        for ((split, mnemonics), secret) in zip(zip(request.split, response.split), secrets) {
            let chosen = Self.selection(mnemonics, threshold: split.group_threshold, groups: split.groups)
            let recovered = try SLIP39.combine(chosen, passphrase: SecretBytes(Array(split.passphrase.utf8)))
            #expect(recovered.unsafeCopyBytes().hexString == secret)
            // One mnemonic short of the thresholds is refused, by us and by Python.
            #expect(throws: BackupError.self) { try SLIP39.combine(Array(chosen.dropLast()), passphrase: SecretBytes(Array(split.passphrase.utf8))) }
        }
    }

    /// A corrupted mnemonic of ours is refused by Python too, and Python's refusal of a set
    /// with a changed word matches ours.
    @Test func bothRefuseAChangedWord() async throws {
        let shares = try SLIP39.split(SecretBytes(randomCount: 16), groupThreshold: 1,
                                      groups: [SLIP39.MemberGroup(threshold: 2, count: 3)], iterationExponent: 0)
        var words = shares[0][1].words
        words[7] = words[7] == "academic" ? "acid" : "academic"
        let altered = [shares[0][0].mnemonic, words.joined(separator: " ")]
        #expect(throws: BackupError(.invalidChecksum, "")) { try SLIP39.combine(altered) }
        let response = try await PythonPeer.call("slip39_peer.py", Request(combine: [Combine(mnemonics: altered, passphrase: "")]), as: Response.self)
        guard case .error = try #require(response.combine.first) else {
            Issue.record("Python combined a mnemonic with a changed word")
            return
        }
    }
}
