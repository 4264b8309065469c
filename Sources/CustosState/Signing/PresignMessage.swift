import CustosCore
import CustosLedger

/// The plaintext one signer seals for another in a presigning batch's round: the vault, epoch,
/// batch, round (1 to 3) and recipient it is for, and one payload per run of the batch (empty
/// for a run the sender gave up). Round 1 carries secret evaluations: never logged or described.
public struct PresignMessage: Sendable, Hashable, CustomStringConvertible {
    public let vault: String
    public let epoch: UInt32
    public let batch: UInt32
    public let round: UInt16
    public let recipient: NodeID
    let runs: [[UInt8]]

    public init(vault: String, epoch: UInt32, batch: UInt32, round: UInt16, recipient: NodeID, unsafeRuns runs: [[UInt8]]) {
        self.vault = vault
        self.epoch = epoch
        self.batch = batch
        self.round = round
        self.recipient = recipient
        self.runs = runs
    }

    /// Each run's payload (round 1: secret).
    public var unsafeRuns: [[UInt8]] { runs }

    public var description: String { "PresignMessage(\(vault) epoch \(epoch) batch \(batch) round \(round) for \(recipient), redacted)" }

    static let tag = "custos.vault.presign.v1"

    public var encoded: [UInt8] {
        var w = CanonicalWriter(tag: Self.tag)
        w.append(string: vault)
        w.append(epoch)
        w.append(batch)
        w.append(UInt32(round))
        w.append(string: recipient.rawValue)
        w.append(UInt32(runs.count))
        for run in runs { w.append(lengthPrefixed: run) }
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(GovernanceError) {
        var r = try GovernanceReader(bytes, tag: Self.tag, what: "presigning message")
        let vault = try r.string("vault")
        let epoch = try r.uint32("epoch")
        let batch = try r.uint32("batch")
        let round = try r.uint32("round")
        guard (1...3).contains(round) else { throw r.fail("presigning round \(round) is not 1, 2 or 3") }
        let recipient = try r.node("recipient")
        let count = Int(try r.uint32("run count"))
        guard (1...PresignBatch.size).contains(count) else { throw r.fail("a presigning batch has 1 to \(PresignBatch.size) runs, not \(count)") }
        var runs: [[UInt8]] = []
        for i in 0..<count { runs.append(try r.bytes("run \(i)", max: 1024)) }
        try r.finish()
        self.init(vault: vault, epoch: epoch, batch: batch, round: UInt16(round), recipient: recipient, unsafeRuns: runs)
    }
}
