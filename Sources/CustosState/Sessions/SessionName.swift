import CustosCore
import CustosCrypto

/// What one MPC session is: the protocol, the vault and key epoch it works on, the nodes taking
/// part, the request it serves (signing) and the log height whose committed entry started it.
/// Every node derives the same session id from the same committed log, so a message names its
/// session by id and a receiver can tell whether its own log started that session.
///
/// The id binds the cluster's genesis digest: a session id, and every envelope that carries it,
/// means nothing in another cluster.
public struct SessionName: Sendable, Hashable {
    public let mpcProtocol: MPCProtocol
    public let vaultID: String
    public let keyEpoch: UInt64
    /// Node ids, sorted and without repeats whatever order they were given in.
    public let signers: [String]
    public let requestID: String?
    /// The height of the committed block whose entry started the session.
    public let startHeight: UInt64

    public init(
        mpcProtocol: MPCProtocol, vaultID: String, keyEpoch: UInt64, signers: some Sequence<String>,
        requestID: String? = nil, startHeight: UInt64
    ) {
        self.mpcProtocol = mpcProtocol
        self.vaultID = vaultID
        self.keyEpoch = keyEpoch
        self.signers = Set(signers).sorted()
        self.requestID = requestID
        self.startHeight = startHeight
    }

    static let tag = "custos/mpc-session/v1"

    /// The 32-byte session id: a tagged hash (BIP-340 style, tag `custos/mpc-session/v1`) of
    /// the canonical encoding of the genesis digest and every field of the name.
    /// Precondition: `genesisDigest` is the cluster's 32-byte genesis digest.
    public func sessionID(genesisDigest: [UInt8]) -> [UInt8] {
        precondition(genesisDigest.count == 32, "a genesis digest has 32 bytes")
        var w = CanonicalWriter()
        w.append(raw: genesisDigest)
        w.append(string: mpcProtocol.rawValue, prefix: .uint8)
        w.append(string: vaultID)
        w.append(keyEpoch)
        w.append(strings: signers)
        w.append(optional: requestID.map { Array($0.utf8) })
        w.append(startHeight)
        return Hashes.tagged(Self.tag, w.bytes)
    }
}
