import CustosCore
import CustosCrypto

/// An operation as proposed: its id (unique for the cluster's lifetime), the proposer, the change
/// and how long it may wait for approvals. Its `digest` names the exact operation: approvers sign
/// a challenge derived from it, so an approval can count only for this id and this content.
public struct GovernanceProposal: Sendable, Hashable, Codable {
    public static let maximumIdLength = 128
    /// Longest time an operation may wait for approvals: 30 days.
    public static let maximumLifetimeSeconds: UInt32 = 30 * 24 * 3600

    public let id: String
    public let proposer: String
    public let change: GovernanceChange
    /// Seconds after the proposing block's time at which the operation expires.
    public let lifetimeSeconds: UInt32

    /// Operation ids: 1 to `maximumIdLength` of ASCII letters, digits, '.', '_' and '-', so that
    /// they compare byte for byte on every node (no Unicode equivalence) and travel in URLs as they are.
    public static func isValidId(_ id: String) -> Bool {
        (1...maximumIdLength).contains(id.utf8.count) && id.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(c)
        }
    }

    public init(id: String, proposer: String, change: GovernanceChange, lifetimeSeconds: UInt32 = 24 * 3600) {
        self.id = id
        self.proposer = proposer
        self.change = change
        self.lifetimeSeconds = lifetimeSeconds
    }

    static let tag = "custos.governance.proposal.v1"

    /// The canonical encoding (the `governance.propose` entry payload).
    public var encoded: [UInt8] {
        var w = CanonicalWriter(tag: Self.tag)
        w.append(string: id)
        w.append(string: proposer)
        w.append(lifetimeSeconds)
        w.append(change)
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(GovernanceError) {
        var r = try GovernanceReader(bytes, tag: Self.tag, what: "governance proposal")
        let id = try r.string("id", max: Self.maximumIdLength)
        let proposer = try r.string("proposer")
        let lifetime = try r.uint32("lifetime")
        let change = try r.change()
        try r.finish()
        self.init(id: id, proposer: proposer, change: change, lifetimeSeconds: lifetime)
    }

    /// SHA-256 of the canonical encoding: the operation's id and exact content.
    public var digest: [UInt8] { Hashes.sha256(encoded) }

    /// What a person does with an operation; each has its own challenge, so an assertion made
    /// for one can never be presented as another.
    public enum Act: String, Sendable, Hashable, CaseIterable {
        case propose, approve, reject
    }

    static let timedChallengeTag = "custos.governance.challenge.v2"

    /// The WebAuthn challenge for `act` on this exact operation in the cluster whose genesis
    /// digest is `genesisDigest`: `tagged("custos/governance/<act>", genesisDigest ‖ digest)`, so
    /// an approval made for staging never counts in production. With `timing` (a timed approval
    /// or rejection) the tagged hash is of the canonical encoding instead: tag
    /// `custos.governance.challenge.v2`, the genesis digest and the digest (each 32-bit
    /// length-prefixed), then the timing (`DecisionTiming`), so a timed and an untimed challenge
    /// never coincide (the untimed one hashes 64 bytes, the timed one more) and the gateway can
    /// change neither the signing time nor the review.
    public func challenge(_ act: Act, genesisDigest: [UInt8], timing: DecisionTiming? = nil) -> [UInt8] {
        guard let timing else { return Hashes.tagged("custos/governance/\(act.rawValue)", genesisDigest, digest) }
        var w = CanonicalWriter(tag: Self.timedChallengeTag)
        w.append(lengthPrefixed: genesisDigest)
        w.append(lengthPrefixed: digest)
        timing.append(to: &w)
        return Hashes.tagged("custos/governance/\(act.rawValue)", w.bytes)
    }

    /// The WebAuthn challenge with which a security officer cancels this operation, approved and
    /// waiting its time-lock until `executesAt` (block time, milliseconds), in the cluster whose
    /// genesis digest is `genesisDigest`: `tagged("custos/governance/cancel", genesisDigest ‖
    /// digest ‖ executesAt as 8 bytes big-endian)`. A rejection made while the operation was
    /// proposed, and held back by a gateway, never counts as a cancel; nor does a cancel of an
    /// earlier approval of the same content.
    public func cancelChallenge(executesAt: UInt64, genesisDigest: [UInt8]) -> [UInt8] {
        Hashes.tagged("custos/governance/cancel", genesisDigest, digest, (0..<8).reversed().map { UInt8(truncatingIfNeeded: executesAt >> ($0 * 8)) })
    }

    /// The challenge a credential registration for `user` inside operation `operationId` of the
    /// cluster whose genesis digest is `genesisDigest` signs (the registration is part of the
    /// operation, so it cannot sign the operation's digest).
    public static func registrationChallenge(operationId: String, user: String, genesisDigest: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.governance.registration.v2")
        w.append(lengthPrefixed: genesisDigest)
        w.append(string: operationId)
        w.append(string: user)
        return Hashes.sha256(w.bytes)
    }
}
