import CustosCore
import CustosCrypto
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// The challenges people's authenticators sign for their decisions, pinned with fixed vectors
/// and derived again by an independent implementation (Python's hashlib,
/// `Tests/python/decision_challenge.py`): a request's approval and rejection, untimed (v1) and
/// timed (v2, binding the signing time and the review), and a governance operation's, untimed
/// and timed (`custos.governance.challenge.v2`). The console's script derives the timed
/// governance challenge the same way in the browser (`ConsoleBrowserTests`).
@Suite struct DecisionChallengeVectorTests {
    /// Genesis digest 00 01 … 1f; request id ab…ab.
    static let genesis = (0..<32).map { UInt8($0) }
    static let requestId = String(repeating: "ab", count: 32)
    static let proposal = GovernanceProposal(id: "vector-1", proposer: "erin", change: .freeze, lifetimeSeconds: 3600)
    static let timed = DecisionTiming(signedAt: 1_800_000_000_123, reviewMillis: 4_567)
    static let unmeasured = DecisionTiming(signedAt: 1_800_000_000_123, reviewMillis: nil)

    struct Vector: Encodable {
        let scope: String
        let act: String
        let genesis: String
        let subject: String
        let signedAt: UInt64?
        let reviewMillis: UInt64?
        /// The challenge as pinned (hex).
        let expected: String
        let derived: [UInt8]

        private enum CodingKeys: String, CodingKey { case scope, act, genesis, subject, signedAt, reviewMillis }
    }

    struct Answer: Decodable { let challenges: [String] }

    static func request(_ act: RequestDecisionEntry.Act, _ timing: DecisionTiming?, _ expected: String) -> Vector {
        Vector(scope: "request", act: act.rawValue, genesis: genesis.hexString, subject: requestId, signedAt: timing?.signedAt,
               reviewMillis: timing?.reviewMillis, expected: expected,
               derived: RequestDecisionEntry.challenge(act, requestId: requestId, genesisDigest: genesis, timing: timing)!)
    }

    static func governance(_ act: GovernanceProposal.Act, _ timing: DecisionTiming?, _ expected: String) -> Vector {
        Vector(scope: "governance", act: act.rawValue, genesis: genesis.hexString, subject: proposal.encoded.hexString, signedAt: timing?.signedAt,
               reviewMillis: timing?.reviewMillis, expected: expected,
               derived: proposal.challenge(act, genesisDigest: genesis, timing: timing))
    }

    static let vectors: [Vector] = [
        request(.approve, nil,
            "f5bad5f7ee010bd64345b300d2e520d4b2377509922e51ab828c37a06423f62e"),
        request(.approve, timed,
            "97d56f1422a896ae86404ed442a6cfedfa5a4a8bd6e58264431352f3ff2ad48a"),
        request(.reject, unmeasured,
            "e76530064cca7c9d1dd88068e6cb521218729464cf6883720e75d3ef4bca530c"),
        governance(.approve, nil,
            "abe2f33cdd1b6b0eab6225ce1a2d33f8d4874ad0c5e6f48ac604380f8d5386c4"),
        governance(.approve, timed,
            "4ace34f1a2b687a0e869b8b91f432742b7ddaa0b1a92e715efed105ac9560e65"),
        governance(.reject, unmeasured,
            "0cb7427e4be9d81a0b919ee6d183a9b403ce58d2c94cc3c62895927f2cb0ae8c"),
    ]

    @Test func theChallengesMatchTheirPinnedVectorsAndAnIndependentDerivation() async throws {
        // The operation's canonical encoding, fixed too (tag, id, proposer, lifetime, change 8: freeze).
        #expect(Self.proposal.encoded.hexString
            == "0000001d637573746f732e676f7665726e616e63652e70726f706f73616c2e763100000008766563746f722d31000000046572696e00000e1008")
        struct Input: Encodable { let vectors: [Vector] }
        let answer = try await PythonPeer.call("decision_challenge.py", Input(vectors: Self.vectors), as: Answer.self)
        #expect(answer.challenges.count == Self.vectors.count)
        for (i, (vector, python)) in zip(Self.vectors, answer.challenges).enumerated() {
            #expect(vector.derived.hexString == vector.expected, "vector \(i) (\(vector.scope) \(vector.act), signedAt \(String(describing: vector.signedAt)))")
            #expect(python == vector.expected, "vector \(i): hashlib derives \(python)")
        }
    }

    @Test func timedAndUntimedChallengesNeverCoincideAndEveryFieldCounts() {
        let untimed = Self.proposal.challenge(.approve, genesisDigest: Self.genesis)
        let variants = [
            Self.proposal.challenge(.approve, genesisDigest: Self.genesis, timing: Self.timed),
            Self.proposal.challenge(.approve, genesisDigest: Self.genesis, timing: Self.unmeasured),
            Self.proposal.challenge(.approve, genesisDigest: Self.genesis, timing: DecisionTiming(signedAt: Self.timed.signedAt + 1, reviewMillis: 4_567)),
            Self.proposal.challenge(.approve, genesisDigest: Self.genesis, timing: DecisionTiming(signedAt: Self.timed.signedAt, reviewMillis: 4_568)),
            // A measured review of 0 ms is not an unmeasured one.
            Self.proposal.challenge(.approve, genesisDigest: Self.genesis, timing: DecisionTiming(signedAt: Self.timed.signedAt, reviewMillis: 0)),
            Self.proposal.challenge(.reject, genesisDigest: Self.genesis, timing: Self.timed),
            Self.proposal.cancelChallenge(executesAt: Self.timed.signedAt, genesisDigest: Self.genesis),
        ]
        #expect(Set(variants + [untimed]).count == variants.count + 1)
    }
}
