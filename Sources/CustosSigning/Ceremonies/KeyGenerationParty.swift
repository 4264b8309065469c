import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosState

/// One node's side of a vault's key generation, as a pure state machine (no I/O): the node
/// commits its round-1 package to the log (`commitEntry`), sends each peer its secret share
/// through the relay once the log holds every round-1 package (`shares(for:)`), and from the
/// shares it received either confirms the key the log's packages make or names the peer whose
/// share does not match its commitments (`finish(round1:shares:)`). Everything it reads comes
/// from the committed log or from envelopes the caller has opened and checked.
public struct KeyGenerationParty: Sendable, CustomStringConvertible {
    /// What the node does once it has every share.
    public enum Outcome: Sendable {
        /// The key share to seal and keep, and the confirmation to commit.
        case confirm(VaultEntry, keyShare: SecretBytes)
        /// A peer's share does not match its commitments: complain with the envelope's evidence.
        case badShare(from: NodeID)
    }

    public let vault: String
    public let epoch: UInt32
    public let me: NodeID
    public let participants: [NodeID]
    public let scheme: Vault.Scheme
    /// The round-1 entry to commit.
    public let commitEntry: VaultEntry
    private let chainCode: JointRandomness.Secret
    private var secrets: Secrets

    private enum Secrets: Sendable {
        case ecdsa(Typed<Secp256k1SHA256>)
        case ed25519(Typed<Ed25519SHA512>)
        case taproot(Typed<Secp256k1TaprootSHA256>)
    }

    /// Starts this node's part in `vault`'s current ceremony (part 1 of the DKG under the
    /// ceremony's context). Refuses when this node does not take part or the ceremony is over.
    public init(vault: Vault, me: NodeID, genesisDigest: [UInt8]) throws {
        let c = vault.ceremony
        guard vault.status == .generating else {
            throw MPCError(.invalidParameters, "the key generation of \(vault.id) is \(vault.status.rawValue)")
        }
        guard let index = c.index(of: me) else { throw MPCError(.unexpectedParticipant, "\(me) does not take part in \(vault.id)") }
        let context = VaultCeremony.context(genesisDigest: genesisDigest, vault: vault.id, epoch: c.epoch)
        let n = c.participants.count
        let package: [UInt8]
        switch vault.scheme {
        case .ecdsaSecp256k1:
            let t = try Typed<Secp256k1SHA256>(index: index, n: n, minSigners: c.minSigners, context: context)
            (secrets, package) = (.ecdsa(t), t.package)
        case .frostEd25519:
            let t = try Typed<Ed25519SHA512>(index: index, n: n, minSigners: c.minSigners, context: context)
            (secrets, package) = (.ed25519(t), t.package)
        case .frostTaproot:
            let t = try Typed<Secp256k1TaprootSHA256>(index: index, n: n, minSigners: c.minSigners, context: context)
            (secrets, package) = (.taproot(t), t.package)
        }
        let (chainSecret, chainCommitment) = JointRandomness.commit(
            identifier: try Identifier<Secp256k1SHA256>(UInt64(index)), label: "bip32-chain-code")
        self.vault = vault.id
        self.epoch = c.epoch
        self.me = me
        self.participants = c.participants
        self.scheme = vault.scheme
        self.chainCode = chainSecret
        self.commitEntry = .commit(vault: vault.id, epoch: c.epoch, package: package, chainCodeCommitment: chainCommitment)
    }

    public var description: String { "KeyGenerationParty(\(vault) epoch \(epoch) as \(me), redacted)" }

    /// Part 2: this node's secret share for every other participant, once the log holds every
    /// participant's round-1 package (`round1`, by node). Succeeds once.
    public mutating func shares(for round1: [NodeID: [UInt8]]) throws -> [NodeID: VaultShareMessage] {
        let indexed = try indexed(round1)
        let shares: [Int: [UInt8]]
        switch secrets {
        case .ecdsa(var t): shares = try t.part2(indexed); secrets = .ecdsa(t)
        case .ed25519(var t): shares = try t.part2(indexed); secrets = .ed25519(t)
        case .taproot(var t): shares = try t.part2(indexed); secrets = .taproot(t)
        }
        var out: [NodeID: VaultShareMessage] = [:]
        for (index, share) in shares {
            let peer = participants[index - 1]
            out[peer] = VaultShareMessage(vault: vault, epoch: epoch, recipient: peer, unsafeShare: share)
        }
        return out
    }

    /// Part 3: checks every peer's share against its committed package and, if all match,
    /// yields this node's key share and its confirmation of the key (with `softwareVersion`).
    public func finish(round1: [NodeID: [UInt8]], shares: [NodeID: VaultShareMessage], softwareVersion: String) throws -> Outcome {
        let indexed = try indexed(round1)
        var received: [Int: [UInt8]] = [:]
        for (peer, message) in shares {
            guard let i = participants.firstIndex(of: peer), peer != me else {
                throw MPCError(.unexpectedParticipant, "a share from \(peer), which is not a peer in \(vault)")
            }
            guard message.vault == vault, message.epoch == epoch, message.recipient == me else {
                return .badShare(from: peer)
            }
            received[i + 1] = message.unsafeShare
        }
        let result: PartThree
        switch secrets {
        case .ecdsa(let t): result = try t.part3(indexed, received)
        case .ed25519(let t): result = try t.part3(indexed, received)
        case .taproot(let t): result = try t.part3(indexed, received)
        }
        switch result {
        case .bad(let index): return .badShare(from: participants[index - 1])
        case .good(let keyShare, let groupKey, let transcript):
            return .confirm(.confirm(vault: vault, epoch: epoch, groupKey: groupKey, transcriptDigest: transcript,
                                     softwareVersion: softwareVersion, chainCodeReveal: JointRandomness.reveal(chainCode)),
                            keyShare: keyShare)
        }
    }

    private func indexed(_ round1: [NodeID: [UInt8]]) throws -> [Int: [UInt8]] {
        var out: [Int: [UInt8]] = [:]
        for (i, node) in participants.enumerated() {
            guard let package = round1[node] else { throw MPCError(.missingParticipant, "no round-1 package from \(node)") }
            out[i + 1] = package
        }
        return out
    }
}

/// What part 3 found, for any suite.
private enum PartThree: Sendable {
    case good(keyShare: SecretBytes, groupKey: [UInt8], transcript: [UInt8])
    /// The share from this 1-based index does not decode or match its commitments.
    case bad(index: Int)
}

/// The DKG steps for one suite, over 1-based participant indices.
private struct Typed<Suite: Ciphersuite>: Sendable {
    let index: Int
    let package: [UInt8]
    private let round1Secret: DKG<Suite>.Round1.SecretPackage
    private var round2Secret: DKG<Suite>.Round2.SecretPackage?

    init(index: Int, n: Int, minSigners: Int, context: [UInt8]) throws {
        let (secret, package) = try DKG<Suite>.part1(
            identifier: try Identifier<Suite>(UInt64(index)), maxSigners: n, minSigners: minSigners, context: context)
        self.index = index
        self.package = try package.serializedBytes
        self.round1Secret = secret
    }

    private func peers(_ round1: [Int: [UInt8]]) throws -> [Identifier<Suite>: DKG<Suite>.Round1.Package] {
        var out: [Identifier<Suite>: DKG<Suite>.Round1.Package] = [:]
        for (i, bytes) in round1 where i != index { out[try Identifier<Suite>(UInt64(i))] = try .init(serializedBytes: bytes) }
        return out
    }

    mutating func part2(_ round1: [Int: [UInt8]]) throws -> [Int: [UInt8]] {
        guard round1[index] == package else {
            throw MPCError(.commitmentMismatch, "the log's round-1 package of this node is not the one it made")
        }
        let (secret, outgoing) = try DKG<Suite>.part2(secretPackage: round1Secret, round1Packages: try peers(round1))
        round2Secret = secret
        var out: [Int: [UInt8]] = [:]
        for (id, share) in outgoing {
            guard let i = round1.keys.first(where: { (try? Identifier<Suite>(UInt64($0))) == id }) else { continue }
            out[i] = share.unsafeSerializedBytes().unsafeCopyBytes()
        }
        return out
    }

    func part3(_ round1: [Int: [UInt8]], _ shares: [Int: [UInt8]]) throws -> PartThree {
        guard let round2Secret else { throw MPCError(.invalidParameters, "part 3 before part 2") }
        let peers = try peers(round1)
        var received: [Identifier<Suite>: DKG<Suite>.Round2.Package] = [:]
        for (i, bytes) in shares.sorted(by: { $0.key < $1.key }) {
            let id = try Identifier<Suite>(UInt64(i))
            guard let share = try? DKG<Suite>.Round2.Package(serializedBytes: bytes),
                  let commitment = peers[id]?.commitment, share.verifies(against: commitment, at: try Identifier<Suite>(UInt64(index)))
            else { return .bad(index: i) }
            received[id] = share
        }
        let (key, publicKeyPackage) = try DKG<Suite>.part3(secretPackage: round2Secret, round1Packages: peers, round2Packages: received)
        return .good(keyShare: try key.sealedRepresentation(), groupKey: try publicKeyPackage.verifyingKey.serialized(),
                     transcript: try DKG<Suite>.transcript(round1Packages: peers.merging(
                        [try Identifier<Suite>(UInt64(index)): try .init(serializedBytes: package)]) { a, _ in a }))
    }
}
