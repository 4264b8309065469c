import CustosCrypto

/// What every node knows about the WebAuthn relying party it verifies for: the RP id, the origins
/// a ceremony may come from, and whether only attested hardware authenticators are acceptable.
public struct RelyingParty: Sendable, Hashable, Codable {
    /// Whether software credentials may be registered and used.
    public enum Mode: String, Sendable, Hashable, Codable {
        /// Registers only authenticators whose attestation chains to the cluster's attestation
        /// roots (so never a software credential), and refuses software credentials' assertions.
        case production
        /// Accepts software credentials (development clusters, CLI approvals).
        case development
    }

    /// The RP id, a registrable domain ("custos.example.com").
    public let id: String
    /// Exact origins accepted in client data ("https://custos.example.com").
    public let allowedOrigins: Set<String>
    /// Whether a ceremony inside a cross-origin iframe is acceptable (WebAuthn §5.8.1 crossOrigin).
    public let allowCrossOrigin: Bool
    public let mode: Mode

    public init(id: String, allowedOrigins: Set<String>, allowCrossOrigin: Bool = false, mode: Mode) {
        self.id = id
        self.allowedOrigins = allowedOrigins
        self.allowCrossOrigin = allowCrossOrigin
        self.mode = mode
    }

    /// SHA-256 of the RP id's UTF-8 bytes: what authenticator data must start with.
    public var idHash: [UInt8] { Hashes.sha256(Array(id.utf8)) }
}
