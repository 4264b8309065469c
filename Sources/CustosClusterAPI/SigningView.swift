import CustosCore
import CustosLedger
import CustosState

/// A request's signing session as the API and `custos request show` show it: which vault signs
/// what, the attempt and its signers, the signature every node verified (hex, the scheme's own
/// encoding: RFC 8032 for Ed25519, BIP-340 for Taproot), and any blame.
public struct SigningView: Codable, Sendable, Equatable {
    public struct Blame: Codable, Sendable, Equatable {
        public var attempt: UInt32
        public var culprit: String
        public var reason: String
    }

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
        blames = s.blames.map { Blame(attempt: $0.attempt, culprit: $0.culprit.rawValue, reason: $0.reason) }
    }
}
