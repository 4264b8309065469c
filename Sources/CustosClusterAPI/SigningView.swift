import CustosCore
import CustosLedger
import CustosState

/// A request's signing session as the API and `custos request show` show it: which vault signs
/// what, the attempt and its signers, the signature every node verified (hex, the scheme's own
/// encoding: RFC 8032 for Ed25519, BIP-340 for Taproot), and any blame.
public struct SigningView: Codable, Sendable, Equatable {
    public struct Blame: Codable, Sendable, Equatable {
        public var attempt: UInt32
        /// The member, or `offline signer` (`SigningView.offlineSigner`).
        public var culprit: String
        public var reason: String
    }

    /// The current attempt's air-gapped part, for a vault with an offline share.
    public struct Offline: Codable, Sendable, Equatable {
        public struct Attestation: Codable, Sendable, Equatable {
            public var member: String
            /// The height of the block that committed it.
            public var height: UInt64
            /// SHA-256 of the statement it attests, hex: the offline signer needs a quorum on one.
            public var statement: String
        }

        /// The members that attested the attempt's statement, by id.
        public var attestations: [Attestation]
        /// Block time by which the offline answer must be in the log.
        public var answerDeadline: UInt64
        /// The height of the block that took the offline signer's answer, once it did.
        public var answeredHeight: UInt64?
    }

    /// How a blame of the offline signer names it (no member id has a space).
    public static let offlineSigner = "offline signer"

    public var vault: String
    public var epoch: UInt32
    /// `waiting`, `signing`, `signed` or `failed`.
    public var status: String
    /// What is signed, hex: the signing input every node derived from the committed request.
    public var message: String
    public var attempt: UInt32
    public var signers: [String]
    public var signature: String?
    public var signedBy: String?
    public var signedHeight: UInt64?
    public var failure: String?
    public var blames: [Blame]
    public var offline: Offline?

    public init(_ s: SigningSession) {
        vault = s.vault
        epoch = s.epoch
        status = s.status.rawValue
        message = s.message.hexString
        attempt = s.attempt
        signers = s.signers.map(\.rawValue)
        signature = s.signature?.hexString
        signedBy = s.signedBy?.rawValue
        signedHeight = s.signedHeight
        failure = s.failure
        offline = s.offline.map { o in
            Offline(attestations: o.attestations.sorted { $0.key < $1.key }.map {
                .init(member: $0.key.rawValue, height: $0.value.height, statement: $0.value.statement.hexString)
            },
                    answerDeadline: o.answerDeadline, answeredHeight: o.answer?.height)
        }
        blames = s.blames.map { Blame(attempt: $0.attempt, culprit: $0.culprit?.rawValue ?? Self.offlineSigner, reason: $0.reason) }
    }
}
