import CustosCore
import CustosCrypto
import CustosIdentity
import CustosNode
@testable import CustosNodeService
import CustosState
import Foundation
import Logging
import Synchronization
import Testing

/// A security officer's local freeze on the node, as the review (findings L2, L3) tried to undo
/// it: once verified it is kept as verified, so it holds when it could no longer be verified
/// (too old to be taken now, across a restart); an unfreeze proposed before the freeze does not
/// lift it, one proposed after does; a lifted freeze presented again, or an old one found later,
/// halts nothing.
struct LocalFreezeHaltTests {
    static let now: UInt64 = 1_800_000_000_000

    @Test func aVerifiedFreezeHoldsUntilAnUnfreezeProposedAfterItAndCountsOnce() throws {
        var genesis = try TestGenesis()
        let state = try ReplicatedState(genesis: genesis.document)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-freeze-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("votes.sqlite").path
        let database = try NodeDatabase(path: path)
        let clock = Mutex(Self.now)
        func halt() throws -> SigningHalt {
            try SigningHalt(database: try NodeDatabase(path: path), node: "node-1", logger: Logger(label: "test"),
                            clock: { clock.withLock { $0 } })
        }
        func freeze(at issuedAt: UInt64) throws -> (SigningHaltRecord, digest: [UInt8]) {
            let nonce = SecureRandom.bytes(count: 16)
            let challenge = LocalFreeze.challenge(genesisDigest: state.genesisDigest, node: "node-1", issuedAt: issuedAt, nonce: nonce)
            let assertion = genesis.authenticators["heidi"]!.getAssertion(
                relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: challenge)
            let made = LocalFreeze(user: "heidi", node: "node-1", issuedAt: issuedAt, nonce: nonce, assertion: assertion)
            return (SigningHaltRecord(cause: .localFreeze, height: 5, since: issuedAt, reason: "frozen by heidi",
                                      evidence: Array(try JSONEncoder().encode(made))), made.digest(genesisDigest: state.genesisDigest))
        }

        // heidi's freeze, recorded on the host; the node takes it and records it verified.
        let (record, digest) = try freeze(at: Self.now)
        try database.record(halt: record)
        let running = try halt()
        try running.committed(state, height: 5, unfreezesProposedAt: [])
        #expect(running.isHalted)
        #expect(try database.localFreezeUse(digest) == .verified)

        // An hour later it could no longer be taken (too old), yet it holds: checked again, and
        // after a restart.
        clock.withLock { $0 = Self.now + 3_600_000 }
        try running.reload()
        #expect(running.isHalted)
        let restarted = try halt()
        try restarted.committed(state, height: 6, unfreezesProposedAt: [])
        #expect(restarted.isHalted)

        // An unfreeze the quorum proposed before the freeze was made does not lift it (L3).
        try restarted.committed(state, height: 7, unfreezesProposedAt: [Self.now - 1_000])
        #expect(restarted.isHalted)
        // One proposed after it does, and the freeze is spent.
        try restarted.committed(state, height: 8, unfreezesProposedAt: [Self.now + 60_000])
        #expect(!restarted.isHalted)
        #expect(try database.localFreezeUse(digest) == .lifted)

        // The same freeze presented again halts nothing (L2: used once).
        try database.record(halt: record)
        try restarted.reload()
        #expect(!restarted.isHalted)
        #expect(try database.signingHalts().isEmpty)

        // An old freeze found later (made ten minutes before it reached the node) is refused…
        let (old, oldDigest) = try freeze(at: Self.now + 3_000_000)
        try database.record(halt: old)
        try restarted.reload()
        #expect(!restarted.isHalted)
        #expect(try database.localFreezeUse(oldDigest) == nil)
        // …and a fresh one is taken.
        let (fresh, freshDigest) = try freeze(at: Self.now + 3_590_000)
        try database.record(halt: fresh)
        try restarted.reload()
        #expect(restarted.isHalted)
        #expect(try database.localFreezeUse(freshDigest) == .verified)
    }
}
