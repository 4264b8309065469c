import ArgumentParser
import CustosChains
import CustosCore
import CustosCrypto
import CustosMPC

#if canImport(Glibc)
import Glibc
#endif
// With swift-certificates in the graph, `timespec` is found through CoreFoundation's module.
#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// `custos demo`: the threshold core end to end on this machine — a dealerless key generation
/// among four signer nodes, threshold signatures checked by libsecp256k1 and libsodium, a
/// proactive refresh, and a cheating node caught by name. Every step is the real protocol;
/// the nodes simply share one process.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a local 4-node key generation and threshold signatures, verified independently.")

    @Option(help: "Number of signer nodes (n ≥ 4 tolerates f = ⌊(n−1)/3⌋ faulty nodes).")
    var nodes: Int = 4

    func run() throws {
        guard nodes >= 4, nodes <= 64 else { throw ValidationError("--nodes must be between 4 and 64") }
        let f = (nodes - 1) / 3
        let t = 2 * f + 1
        print("Custos — threshold signing on this machine")
        print("  \(nodes) signer nodes, tolerating f = \(f) faulty; any \(t) sign (FROST, RFC 9591).\n")
        do {
            try taproot(t: t)
            try ed25519(t: t)
            try ethereum(f: f)
        } catch let error as MPCError {
            throw ValidationError("protocol failure: \(error)")
        }
        print("""

        Also try: custos policy check examples/policies/trading-firm.yaml
                  custos policy explain examples/policies/trading-firm.yaml \\
                      --request examples/policies/requests/risk-bot-kraken.json \\
                      --state examples/policies/requests/state.json
        A first slice of the cluster runs as processes (custos gateway, custos node); governance
        and MPC are not wired into it yet — README.md says what exists and how to start it.
        """)
    }

    private func ids<Suite: Ciphersuite>(_: Suite.Type) throws -> [Identifier<Suite>] {
        try (1...nodes).map { try Identifier<Suite>(UInt64($0)) }
    }

    private func taproot(t: Int) throws {
        typealias TR = Secp256k1TaprootSHA256
        print("1. Bitcoin vault (Taproot, BIP-340/341)")
        let start = nowMilliseconds()
        let (keys, pub) = try LocalCeremony<TR>.keyGeneration(identifiers: ids(TR.self), minSigners: t)
        print("   Distributed key generation (Pedersen VSS + proofs of knowledge), no dealer: \(elapsed(start))")
        let outputKey = try TR.outputKey(internalKey: pub.verifyingKey, tweak: .keyPathOnly).xOnlyRepresentation()
        print("   Output key (BIP-341 key path): \(outputKey.hexString)")
        for id in pub.participants {
            print("     node \(id) verifying share \(try pub.verifyingShares[id]!.compressedRepresentation().hexString)")
        }
        let message = Hashes.sha256(Array("custos demo: spend 0.5 BTC to cold storage".utf8))
        let signers = Array(pub.participants.shuffled().prefix(t)).sorted()
        let signStart = nowMilliseconds()
        let signature = try LocalCeremony.sign(message: message, signers: signers.map { keys[$0]! },
                                               publicKeyPackage: pub, tweak: .keyPathOnly)
        let bytes = try signature.serializedBytes
        let valid = Secp256k1.Schnorr.isValidSignature(bytes, for: message, xOnlyPublicKey: outputKey)
        print("   Nodes \(signers.map(\.description).joined(separator: ", ")) signed in \(elapsed(signStart)):")
        print("     \(bytes.hexString)")
        print("   libsecp256k1 secp256k1_schnorrsig_verify: \(valid ? "valid" : "INVALID")")
        guard valid else { throw ValidationError("the Taproot signature did not verify") }

        let (fresh, freshPub) = try LocalCeremony<TR>.reshare(parameters: .refresh(pub, sessionID: SecureRandom.bytes(count: 32)), dealerKeys: keys)
        let changed = pub.participants.filter { freshPub.verifyingShares[$0] != pub.verifyingShares[$0] }.count
        print("   Proactive refresh: \(changed) of \(nodes) shares changed, group key unchanged: \(freshPub.verifyingKey == pub.verifyingKey)")
        let afterRefresh = try LocalCeremony.sign(message: message, signers: Array(fresh.values.prefix(t)),
                                                  publicKeyPackage: freshPub, tweak: .keyPathOnly)
        print("   Signature with refreshed shares verifies: "
              + "\(Secp256k1.Schnorr.isValidSignature(try afterRefresh.serializedBytes, for: message, xOnlyPublicKey: outputKey))")

        // A cheating node: its share is off by one; aggregation names it.
        var commitments: [Identifier<TR>: FROST<TR>.SigningCommitments] = [:]
        var shares: [Identifier<TR>: FROST<TR>.SignatureShare] = [:]
        let cheater = signers.last!
        var nonces: [Identifier<TR>: NonceBox] = [:]
        for id in signers {
            let n = FROST<TR>.commit(keyPackage: keys[id]!)
            commitments[id] = n.commitments
            nonces[id] = NonceBox(n)
        }
        let package = FROST<TR>.SigningPackage(commitments: commitments, message: message, tweak: .keyPathOnly)
        for id in signers {
            let share = try FROST<TR>.sign(package: package, nonces: nonces[id]!.take(), keyPackage: keys[id]!,
                                           publicKeyPackage: pub, expectedMessage: message, expectedTweak: .keyPathOnly)
            shares[id] = id == cheater ? .init(share: share.share + .one, packageDigest: share.packageDigest) : share
        }
        do {
            _ = try FROST<TR>.aggregate(package: package, shares: shares, publicKeyPackage: pub)
            throw ValidationError("a corrupted share was accepted")
        } catch let error as MPCError {
            print("   Node \(cheater) sends a corrupted share → refused: \(error)")
        }
    }

    private func ed25519(t: Int) throws {
        typealias ED = Ed25519SHA512
        print("\n2. Solana-style vault (Ed25519)")
        let start = nowMilliseconds()
        let (keys, pub) = try LocalCeremony<ED>.keyGeneration(identifiers: ids(ED.self), minSigners: t)
        let publicKey = try pub.verifyingKey.rawRepresentationExcludingIdentity()
        print("   Distributed key generation: \(elapsed(start)); public key \(publicKey.hexString)")
        let message = Array("custos demo: transfer 250 SOL".utf8)
        let signStart = nowMilliseconds()
        let signature = try LocalCeremony.sign(message: message, signers: Array(keys.values.prefix(t)), publicKeyPackage: pub)
        let valid = Ed25519.isValidSignature(try signature.serializedBytes, for: message, publicKey: publicKey)
        print("   Threshold signature in \(elapsed(signStart)); libsodium crypto_sign_verify_detached: \(valid ? "valid" : "INVALID")")
        guard valid else { throw ValidationError("the Ed25519 signature did not verify") }
    }

    private func ethereum(f: Int) throws {
        typealias T = ThresholdECDSA
        print("\n3. Ethereum vault (threshold ECDSA, DJNPØ 2020: presignatures offline, one online round)")
        let start = nowMilliseconds()
        let ids = try (1...nodes).map { try T.ID(UInt64($0)) }
        let keys = try T.Local.keyGeneration(identifiers: ids, maxFaulty: f)
        let share = keys[ids[0]]!
        let root = try BIP32.ExtendedPublicKey(key: share.publicKey, chainCode: share.chainCode)
        print("   Key generation with a joint BIP-32 chain code: \(elapsed(start))")
        let signers = Array(ids.shuffled().prefix(2 * f + 1)).sorted()
        let presignStart = nowMilliseconds()
        let presignatures = try T.Local.presign(keyShares: keys, signers: signers)
        print("   Presignature by nodes \(signers.map(\.description).joined(separator: ", ")) (4 rounds, in the background): \(elapsed(presignStart))")
        let (child, tweak) = try BIP32.derive(from: root, path: [0, 7])
        let address = EVM.Address(publicKey: try Secp256k1.ECDSA.PublicKey(encoding: child.key.compressedRepresentation()))
        let hash = EVM.PersonalMessage.hash(Array("custos demo: prove control of the deposit address".utf8))
        let signStart = nowMilliseconds()
        let signature = try T.Local.sign(presignatures: presignatures, keyShares: keys,
                                         request: try T.SignRequest(messageHash: hash, tweak: tweak,
                                                                    entropy: SecureRandom.bytes(count: 32)))
        let recoverable = try Secp256k1.ECDSA.RecoverableSignature(
            r: signature.r.rawRepresentation, s: signature.s.rawRepresentation, recoveryID: signature.recoveryID)
        let recovered = EVM.Address(publicKey: try recoverable.recoverPublicKey(forDigest: hash))
        print("   Derived address m/0/7: \(address.checksummed)")
        print("   One-round signature in \(elapsed(signStart)); recovered signer \(recovered.checksummed): "
              + (recovered == address ? "matches" : "DOES NOT MATCH"))
        guard recovered == address else { throw ValidationError("the ECDSA signature did not recover to the address") }
    }

    /// One signer's nonces between the rounds, handed out once.
    final class NonceBox {
        private var nonces: FROST<Secp256k1TaprootSHA256>.SigningNonces?
        init(_ nonces: consuming FROST<Secp256k1TaprootSHA256>.SigningNonces) { self.nonces = consume nonces }
        func take() throws -> FROST<Secp256k1TaprootSHA256>.SigningNonces {
            guard let n = nonces.take() else { throw ValidationError("nonces already used") }
            return n
        }
    }

    private func nowMilliseconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }

    private func elapsed(_ start: Double) -> String {
        let ms = nowMilliseconds() - start
        return ms < 1 ? "\(Int(ms * 1000)) µs" : "\(Int(ms)).\(Int(ms * 10) % 10) ms"
    }
}
