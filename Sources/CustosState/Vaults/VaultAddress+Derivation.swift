import CustosChains
import CustosCore
import CustosCrypto
import CustosMPC

extension VaultAddress {
    /// The address on `chain` of the key at `path` below a vault key of `scheme` (`groupKey` in
    /// the scheme's encoding, 32-byte `chainCode`): BIP-32 CKDpub for secp256k1 keys,
    /// `Ed25519Derivation` for Ed25519 keys, then the chain's format — the EIP-55 address of the
    /// child key, the Bech32m address of the child's BIP-341 key-path output key (no script
    /// tree), or the Base58 of the child key. Pure; the same on every node. Refuses a chain of
    /// another scheme, a path deeper than `maximumDepth` or with a hardened index.
    public static func derive(
        scheme: Vault.Scheme, groupKey: [UInt8], chainCode: [UInt8], chain: Chain, path: [UInt32]
    ) throws(GovernanceError) -> String {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        guard chain.scheme == scheme else {
            throw invalid("\(chain.rawValue) addresses are for \(chain.scheme.rawValue) vaults, not \(scheme.rawValue)")
        }
        guard path.count <= maximumDepth else { throw invalid("a derivation path has at most \(maximumDepth) levels, not \(path.count)") }
        if let hardened = path.first(where: { $0 >= BIP32.hardenedOffset }) {
            throw invalid("index \(hardened - BIP32.hardenedOffset)' is hardened: only non-hardened paths derive from the public key")
        }
        do {
            switch chain {
            case .evm:
                let child = try secp256k1Child(groupKey, chainCode, path)
                return EVM.Address(publicKey: try Secp256k1.ECDSA.PublicKey(encoding: try child.compressedRepresentation())).checksummed
            case .bitcoin, .bitcoinTestnet, .bitcoinRegtest:
                let child = try secp256k1Child(groupKey, chainCode, path)
                let output = try Secp256k1TaprootSHA256.outputKey(internalKey: child, tweak: .keyPathOnly)
                let network: BitcoinNetwork = chain == .bitcoin ? .mainnet : chain == .bitcoinTestnet ? .testnet : .regtest
                return try SegwitAddress(taprootOutputKey: try output.xOnlyRepresentation(), network: network).encoded
            case .solana:
                let child = try Ed25519Derivation.derive(key: try Ed25519.Point(rawRepresentation: groupKey), chainCode: chainCode, path: path)
                return Base58.encode(try child.key.rawRepresentationExcludingIdentity())
            }
        } catch {
            // MPCError, CryptoError or AddressError: an index whose tweak is out of range
            // (probability below 2⁻¹²⁷), or key material the log should never have activated.
            throw invalid("no \(chain.rawValue) address at \(pathDescription(path)): \(error)")
        }
    }

    private static func secp256k1Child(_ groupKey: [UInt8], _ chainCode: [UInt8], _ path: [UInt32]) throws -> Secp256k1.Point {
        let root = try BIP32.ExtendedPublicKey(key: try Secp256k1.Point(compressedRepresentation: groupKey), chainCode: chainCode)
        return try BIP32.derive(from: root, path: path).0.key
    }
}
