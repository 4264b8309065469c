import CustosCore
import CustosCrypto

/// A signer node's secrets as a backup carries them: its identity and transport keys and every
/// vault key share it holds, each named by its vault and key epoch in the `header`. Never its
/// presignatures or FROST nonces: they are one-time secrets, and a restored copy of one already
/// used could be used again. In the clear only inside this process; written out only encrypted
/// (`sealed(under:)`) under a random key that its custodians' SLIP-39 mnemonics recover.
public struct NodeBackup: Sendable, CustomStringConvertible {
    /// What the backup is of, authenticated but readable without the key.
    public let header: Header
    let identityKey: SecretBytes
    let transportKey: SecretBytes
    /// The vault key shares, in the order of `header.shares`.
    let vaultShares: [SecretBytes]

    init(header: Header, identityKey: SecretBytes, transportKey: SecretBytes, vaultShares: [SecretBytes]) {
        precondition(vaultShares.count == header.shares.count)
        self.header = header
        self.identityKey = identityKey
        self.transportKey = transportKey
        self.vaultShares = vaultShares
    }

    public var description: String {
        "NodeBackup(node \(header.node), \(header.shares.count) vault shares, keys redacted)"
    }
}
