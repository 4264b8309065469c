import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosState

/// One node's side of a vault's proactive refresh, as a pure state machine (no I/O): a dealer
/// reshares its current share (`Reshare.deal` with the refresh's parameters), commits the
/// dealing to the log (`dealEntry`) and sends each peer its secret share through the relay
/// (`shares`); once the log holds every dealing and every dealer's share arrived, the node either
/// confirms the transcript the log's dealings make, with its new share to seal, or names the
/// dealer whose share does not match its dealing (`finish(dealings:shares:softwareVersion:)`).
/// The current share is never changed here: the caller keeps it until the vault moves on.
public struct RefreshParty: Sendable, CustomStringConvertible {
    /// What the node does once it has every share: keep its new key share and confirm, or
    /// complain about the dealer whose share does not match its dealing.
    public typealias Outcome = KeyGenerationParty.Outcome

    public let vault: String
    public let epoch: UInt32
    public let me: NodeID
    public let scheme: Vault.Scheme
    /// The dealing to commit; nil when this node receives only (it is excluded from signing).
    public let dealEntry: VaultEntry?
    private let participants: [NodeID]
    private let dealers: [NodeID]
    private let publicKeyPackage: [UInt8]
    private let sessionID: [UInt8]
    /// This dealer's secret share for every participant, its own included.
    private let outgoing: [NodeID: VaultShareMessage]

    /// Deals this node's part in `vault`'s running refresh from `keyShare`, its sealed key
    /// package at the refresh's `fromEpoch`. Refuses when no refresh runs or this node takes no part.
    public init(vault: Vault, me: NodeID, keyShare: SecretBytes, genesisDigest: [UInt8]) throws {
        guard let r = vault.runningRefresh, let key = vault.key else {
            throw MPCError(.invalidParameters, "no refresh of \(vault.id) is running")
        }
        guard r.participants.contains(me), vault.ceremony.index(of: me) != nil else {
            throw MPCError(.unexpectedParticipant, "\(me) does not take part in the refresh of \(vault.id)")
        }
        let sessionID = r.sessionID(genesisDigest: genesisDigest, vault: vault.id)
        self.vault = vault.id
        self.epoch = r.epoch
        self.me = me
        self.scheme = vault.scheme
        self.participants = r.participants
        self.dealers = r.dealers
        self.publicKeyPackage = key.publicKeyPackage
        self.sessionID = sessionID
        guard r.dealers.contains(me) else {
            dealEntry = nil
            outgoing = [:]
            return
        }
        let dealt: (dealing: [UInt8], shares: [Int: [UInt8]])
        let dealerIndices = r.dealers.map { vault.ceremony.index(of: $0)! }
        let package = key.publicKeyPackage
        switch vault.scheme {
        case .ecdsaSecp256k1: dealt = try Self.deal(Secp256k1SHA256.self, keyShare, package, sessionID, dealerIndices)
        case .frostEd25519: dealt = try Self.deal(Ed25519SHA512.self, keyShare, package, sessionID, dealerIndices)
        case .frostTaproot: dealt = try Self.deal(Secp256k1TaprootSHA256.self, keyShare, package, sessionID, dealerIndices)
        }
        var outgoing: [NodeID: VaultShareMessage] = [:]
        for (index, share) in dealt.shares {
            let peer = vault.ceremony.participants[index - 1]
            outgoing[peer] = VaultShareMessage(vault: vault.id, epoch: r.epoch, recipient: peer, unsafeShare: share)
        }
        self.outgoing = outgoing
        self.dealEntry = .refreshDeal(vault: vault.id, epoch: r.epoch, dealing: dealt.dealing)
    }

    public var description: String { "RefreshParty(\(vault) to epoch \(epoch) as \(me), redacted)" }

    /// This dealer's secret share for every other participant (none for a node that only receives).
    public var shares: [NodeID: VaultShareMessage] { outgoing.filter { $0.key != me } }

    /// Checks every dealer's share against its dealing in the log (`dealings`, by dealer) and, if
    /// all match, combines them into this node's new share and confirms the log's transcript.
    /// `shares` holds what each other dealer sent this node.
    public func finish(dealings: [NodeID: [UInt8]], shares: [NodeID: VaultShareMessage], softwareVersion: String) throws -> Outcome {
        var received: [Int: [UInt8]] = [:]
        var indexedDealings: [Int: [UInt8]] = [:]
        for dealer in dealers {
            let index = participants.firstIndex(of: dealer)! + 1
            guard let dealing = dealings[dealer] else { throw MPCError(.missingParticipant, "no dealing from \(dealer) in the log") }
            indexedDealings[index] = dealing
            if dealer == me {
                guard dealEntry == .refreshDeal(vault: vault, epoch: epoch, dealing: dealing) else {
                    throw MPCError(.commitmentMismatch, "the log's dealing of this node is not the one it made")
                }
                received[index] = outgoing[me]!.unsafeShare
                continue
            }
            guard let message = shares[dealer] else { throw MPCError(.missingParticipant, "no refresh share from \(dealer)") }
            guard message.vault == vault, message.epoch == epoch, message.signing == nil, message.recipient == me else {
                return .badShare(from: dealer)
            }
            received[index] = message.unsafeShare
        }
        let mine = participants.firstIndex(of: me)! + 1
        let result: (bad: Int?, keyShare: SecretBytes?, transcript: [UInt8])
        switch scheme {
        case .ecdsaSecp256k1: result = try Self.receive(Secp256k1SHA256.self, publicKeyPackage, sessionID, mine, indexedDealings, received)
        case .frostEd25519: result = try Self.receive(Ed25519SHA512.self, publicKeyPackage, sessionID, mine, indexedDealings, received)
        case .frostTaproot: result = try Self.receive(Secp256k1TaprootSHA256.self, publicKeyPackage, sessionID, mine, indexedDealings, received)
        }
        if let bad = result.bad { return .badShare(from: participants[bad - 1]) }
        return .confirm(.refreshConfirm(vault: vault, epoch: epoch, transcriptDigest: result.transcript, softwareVersion: softwareVersion),
                        keyShare: result.keyShare!)
    }

    private static func deal<Suite: Ciphersuite>(
        _: Suite.Type, _ keyShare: SecretBytes, _ publicKeyPackage: [UInt8], _ sessionID: [UInt8], _ dealers: [Int]
    ) throws -> (dealing: [UInt8], shares: [Int: [UInt8]]) {
        let parameters = try VaultRefreshing.parameters(Suite.self, publicKeyPackage: publicKeyPackage, sessionID: sessionID, dealers: dealers)
        let (dealing, shares) = try Reshare<Suite>.deal(keyPackage: try KeyPackage<Suite>(sealedRepresentation: keyShare), parameters: parameters)
        var out: [Int: [UInt8]] = [:]
        for (id, share) in shares {
            guard let index = (1...parameters.newParticipants.count).first(where: { (try? Identifier<Suite>(UInt64($0))) == id }) else { continue }
            out[index] = share.unsafeSerializedBytes().unsafeCopyBytes()
        }
        return (try dealing.serializedBytes, out)
    }

    /// The new key share (sealed representation) and the transcript, or the first dealer (by
    /// index) whose share does not decode or match its dealing.
    private static func receive<Suite: Ciphersuite>(
        _: Suite.Type, _ publicKeyPackage: [UInt8], _ sessionID: [UInt8], _ me: Int, _ dealings: [Int: [UInt8]], _ shares: [Int: [UInt8]]
    ) throws -> (bad: Int?, keyShare: SecretBytes?, transcript: [UInt8]) {
        let parameters = try VaultRefreshing.parameters(Suite.self, publicKeyPackage: publicKeyPackage, sessionID: sessionID,
                                                        dealers: dealings.keys.sorted())
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
