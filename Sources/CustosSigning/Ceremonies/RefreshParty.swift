import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosState

/// One node's side of a vault's refresh or reshare, as a pure state machine (no I/O): a dealer
/// reshares its current share (`Reshare.deal` with the run's parameters), commits the dealing to
/// the log (`dealEntry`) and sends each receiver its secret share through the relay (`shares`);
/// once the log holds every dealing and every dealer's share arrived, a receiver either confirms
/// the transcript the log's dealings make, with its new share to seal, or names the dealer whose
/// share does not match its dealing (`finish(dealings:shares:softwareVersion:)`). A node that
/// joined by the membership change only receives. The current share is never changed here: the
/// caller keeps it until the vault moves on.
public struct RefreshParty: Sendable, CustomStringConvertible {
    /// What the node does once it has every share: keep its new key share and confirm, or
    /// complain about the dealer whose share does not match its dealing.
    public typealias Outcome = KeyGenerationParty.Outcome

    public let vault: String
    public let epoch: UInt32
    public let me: NodeID
    public let scheme: Vault.Scheme
    /// The dealing to commit; nil when this node receives only (it is excluded from signing, or
    /// held no share at the run's `fromEpoch`).
    public let dealEntry: VaultEntry?
    private let dealers: [NodeID]
    /// Every dealer's and receiver's MPC identifier.
    private let identifiers: [NodeID: Int]
    private let committee: VaultRefreshing.Committee
    private let publicKeyPackage: [UInt8]
    private let sessionID: [UInt8]
    /// This dealer's secret share for every participant, its own included.
    private let outgoing: [NodeID: VaultShareMessage]

    /// Takes this node's part in `vault`'s running refresh or reshare: a dealer deals from
    /// `keyShare`, its sealed key package at the run's `fromEpoch` (nil for a node that only
    /// receives). Refuses when no run is under way, this node takes no part, or a dealer has no
    /// share to deal from.
    public init(vault: Vault, me: NodeID, keyShare: SecretBytes?, genesisDigest: [UInt8]) throws {
        guard let r = vault.runningRefresh, let key = vault.key, let committee = VaultRefreshing.Committee(r, of: vault) else {
            throw MPCError(.invalidParameters, "no refresh or reshare of \(vault.id) is running")
        }
        guard r.participants.contains(me) else {
            throw MPCError(.unexpectedParticipant, "\(me) does not take part in the \(r.kind.rawValue) of \(vault.id)")
        }
        let sessionID = r.sessionID(genesisDigest: genesisDigest, vault: vault.id)
        var identifiers: [NodeID: Int] = [:]
        for node in r.dealers + r.participants { identifiers[node] = vault.identifier(of: node)! }
        self.vault = vault.id
        self.epoch = r.epoch
        self.me = me
        self.scheme = vault.scheme
        self.dealers = r.dealers
        self.identifiers = identifiers
        self.committee = committee
        self.publicKeyPackage = key.publicKeyPackage
        self.sessionID = sessionID
        guard r.dealers.contains(me) else {
            dealEntry = nil
            outgoing = [:]
            return
        }
        guard let keyShare else { throw MPCError(.missingParticipant, "\(me) deals in the \(r.kind.rawValue) of \(vault.id) but has no share") }
        let dealt: (dealing: [UInt8], shares: [Int: [UInt8]])
        let package = key.publicKeyPackage
        switch vault.scheme {
        case .ecdsaSecp256k1: dealt = try Self.deal(Secp256k1SHA256.self, keyShare, package, sessionID, committee)
        case .frostEd25519: dealt = try Self.deal(Ed25519SHA512.self, keyShare, package, sessionID, committee)
        case .frostTaproot: dealt = try Self.deal(Secp256k1TaprootSHA256.self, keyShare, package, sessionID, committee)
        }
        var outgoing: [NodeID: VaultShareMessage] = [:]
        for peer in r.participants {
            guard let share = dealt.shares[identifiers[peer]!] else { continue }
            outgoing[peer] = VaultShareMessage(vault: vault.id, epoch: r.epoch, recipient: peer, unsafeShare: share)
        }
        self.outgoing = outgoing
        self.dealEntry = .refreshDeal(vault: vault.id, epoch: r.epoch, dealing: dealt.dealing)
    }

    public var description: String { "RefreshParty(\(vault) to epoch \(epoch) as \(me), redacted)" }

    /// This dealer's secret share for every other receiver (none for a node that only receives).
    public var shares: [NodeID: VaultShareMessage] { outgoing.filter { $0.key != me } }

    /// Checks every dealer's share against its dealing in the log (`dealings`, by dealer) and, if
    /// all match, combines them into this node's new share and confirms the log's transcript.
    /// `shares` holds what each other dealer sent this node.
    public func finish(dealings: [NodeID: [UInt8]], shares: [NodeID: VaultShareMessage], softwareVersion: String) throws -> Outcome {
        var received: [Int: [UInt8]] = [:]
        var indexedDealings: [Int: [UInt8]] = [:]
        for dealer in dealers {
            let index = identifiers[dealer]!
            guard let dealing = dealings[dealer] else { throw MPCError(.missingParticipant, "no dealing from \(dealer) in the log") }
            indexedDealings[index] = dealing
            if dealer == me, let own = outgoing[me] {
                guard dealEntry == .refreshDeal(vault: vault, epoch: epoch, dealing: dealing) else {
                    throw MPCError(.commitmentMismatch, "the log's dealing of this node is not the one it made")
                }
                received[index] = own.unsafeShare
                continue
            }
            guard let message = shares[dealer] else { throw MPCError(.missingParticipant, "no share from \(dealer)") }
            guard message.vault == vault, message.epoch == epoch, message.signing == nil, message.recipient == me else {
                return .badShare(from: dealer)
            }
            received[index] = message.unsafeShare
        }
        let mine = identifiers[me]!
        let result: (bad: Int?, keyShare: SecretBytes?, transcript: [UInt8])
        switch scheme {
        case .ecdsaSecp256k1: result = try Self.receive(Secp256k1SHA256.self, publicKeyPackage, sessionID, committee, mine, indexedDealings, received)
        case .frostEd25519: result = try Self.receive(Ed25519SHA512.self, publicKeyPackage, sessionID, committee, mine, indexedDealings, received)
        case .frostTaproot:
            result = try Self.receive(Secp256k1TaprootSHA256.self, publicKeyPackage, sessionID, committee, mine, indexedDealings, received)
        }
        if let bad = result.bad { return .badShare(from: dealers.first { identifiers[$0] == bad }!) }
        return .confirm(.refreshConfirm(vault: vault, epoch: epoch, transcriptDigest: result.transcript, softwareVersion: softwareVersion),
                        keyShare: result.keyShare!)
    }

    private static func deal<Suite: Ciphersuite>(
        _: Suite.Type, _ keyShare: SecretBytes, _ publicKeyPackage: [UInt8], _ sessionID: [UInt8], _ committee: VaultRefreshing.Committee
    ) throws -> (dealing: [UInt8], shares: [Int: [UInt8]]) {
        let parameters = try VaultRefreshing.parameters(Suite.self, publicKeyPackage: publicKeyPackage, sessionID: sessionID, committee: committee)
        let (dealing, shares) = try Reshare<Suite>.deal(keyPackage: try KeyPackage<Suite>(sealedRepresentation: keyShare), parameters: parameters)
        var out: [Int: [UInt8]] = [:]
        for index in committee.receivers {
            guard let share = shares[try Identifier<Suite>(UInt64(index))] else { continue }
            out[index] = share.unsafeSerializedBytes().unsafeCopyBytes()
        }
        return (try dealing.serializedBytes, out)
    }

    /// The new key share (sealed representation) and the transcript, or the first dealer (by
    /// index) whose share does not decode or match its dealing.
    private static func receive<Suite: Ciphersuite>(
        _: Suite.Type, _ publicKeyPackage: [UInt8], _ sessionID: [UInt8], _ committee: VaultRefreshing.Committee, _ me: Int,
        _ dealings: [Int: [UInt8]], _ shares: [Int: [UInt8]]
    ) throws -> (bad: Int?, keyShare: SecretBytes?, transcript: [UInt8]) {
        let parameters = try VaultRefreshing.parameters(Suite.self, publicKeyPackage: publicKeyPackage, sessionID: sessionID, committee: committee)
        let myID = try Identifier<Suite>(UInt64(me))
        var parsedDealings: [Identifier<Suite>: Reshare<Suite>.Dealing] = [:]
        var parsedShares: [Identifier<Suite>: Reshare<Suite>.Share] = [:]
        for index in dealings.keys.sorted() {
            let id = try Identifier<Suite>(UInt64(index))
            let dealing = try Reshare<Suite>.Dealing(serializedBytes: dealings[index]!)
            guard let bytes = shares[index], let share = try? Reshare<Suite>.Share(serializedBytes: bytes),
                  Reshare<Suite>.shareMatches(share, dealing: dealing, at: myID)
            else { return (index, nil, []) }
            parsedDealings[id] = dealing
            parsedShares[id] = share
        }
        let (key, _) = try Reshare<Suite>.receive(identifier: myID, parameters: parameters, dealings: parsedDealings, shares: parsedShares)
        return (nil, try key.sealedRepresentation(), try Reshare<Suite>.transcript(parameters: parameters, dealings: parsedDealings))
    }
}
