import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosState

/// This node's part in one presigning batch the log started: one threshold-ECDSA presigning run
/// per slot of the batch, all advanced together, so each round is one sealed message per peer.
/// Pure: the caller moves messages through the relay and the confirmations through the log. A
/// run whose checks fail (or whose message from a peer does not decode) is given up alone: its
/// confirmation is empty and it never yields a presignature.
public final class PresignBatchRun {
    /// One run's party, held between rounds.
    private final class Slot {
        var party: ThresholdECDSA.PresignParty
        var failed = false
        init(_ party: consuming ThresholdECDSA.PresignParty) { self.party = party }
    }

    public let vault: String
    public let epoch: UInt32
    public let batch: UInt32
    public let signers: [NodeID]
    public let me: NodeID
    private let ids: [NodeID: ThresholdECDSA.ID]
    private let slots: [Slot]
    /// The last round this run produced messages for (0 before round 1).
    public private(set) var round: UInt16 = 0
    /// The confirmations made by `finish`, one per run.
    public private(set) var confirmations: [[UInt8]]?
    /// The runs that finished here, sealed with their public transcripts: the node stores them
    /// before it confirms (`takeFinished`), and uses one only once the log pools it.
    private var finished: [Int: (sealed: SecretBytes, transcript: [UInt8])] = [:]

    /// Prepares the runs of `batch` of `vault` from the committed state and this node's key share.
    public init(_ state: ReplicatedState, vault: Vault, batch: PresignBatch, me: NodeID, keyShare: ThresholdECDSA.KeyShare) throws {
        let ids = try vault.ecdsaIdentifiers(batch.signers)
        guard let mine = vault.index(of: me), try ThresholdECDSA.ID(UInt64(mine)) == keyShare.identifier else {
            throw FROSTSigningRound.Refusal(reason: "the key share stored for \(vault.id) is not this node's")
        }
        let session = state.presignSessionID(vault: vault, batch: batch.number, signers: batch.signers, startedHeight: batch.startedHeight)
        var slots: [Slot] = []
        for index in 0..<batch.count {
            let context = try ThresholdECDSA.PresignContext(
                sessionID: ReplicatedState.presignRunID(batchSession: session, index: UInt16(index)), keyShare: keyShare, signers: ids)
            slots.append(Slot(try ThresholdECDSA.PresignParty(context: context, keyShare: keyShare)))
        }
        self.vault = vault.id
        self.epoch = vault.epoch
        self.batch = batch.number
        self.signers = batch.signers
        self.me = me
        self.ids = Dictionary(uniqueKeysWithValues: zip(batch.signers, ids))
        self.slots = slots
    }

    /// Round 1: for every signer (this node included), each run's broadcast commitment and the
    /// secret evaluations for that signer.
    public func round1() throws -> [NodeID: PresignMessage] {
        guard round == 0 else { throw FROSTSigningRound.Refusal(reason: "round 1 already ran") }
        var runs: [NodeID: [[UInt8]]] = [:]
        for slot in slots {
            let (broadcast, shares) = try slot.party.round1Messages()
            for node in signers {
                // The broadcast (fixed size) and then this signer's evaluations.
                runs[node, default: []].append(broadcast.serializedBytes + shares[ids[node]!]!.unsafeSerializedBytes.unsafeCopyBytes())
            }
        }
        round = 1
        return messages(runs)
    }

    /// Rounds 2 and 3, and the round-4 confirmations: each takes every signer's message of the
    /// round before (this node's own included). Returns the next round's messages, or, after
    /// round 3's messages, nil and sets `confirmations`.
    public func next(received: [NodeID: PresignMessage]) throws -> [NodeID: PresignMessage]? {
        guard (1...3).contains(round), confirmations == nil else { throw FROSTSigningRound.Refusal(reason: "no presigning round to advance") }
        for node in signers {
            guard let m = received[node], m.vault == vault, m.epoch == epoch, m.batch == batch, m.round == round, m.recipient == me,
                  m.unsafeRuns.count == slots.count
            else { throw FROSTSigningRound.Refusal(reason: "no round-\(round) message from \(node) for this batch") }
        }
        var out: [NodeID: [[UInt8]]] = [:]
        var digests: [[UInt8]] = []
        for (index, slot) in slots.enumerated() {
            var payload: [UInt8] = []
            if !slot.failed {
                do { payload = try step(slot, index: index, received: received) } catch { slot.failed = true }
            }
            if round == 3 {
                if !slot.failed {
                    do {
                        let transcript = try slot.party.transcript.serializedBytes
                        finished[index] = (try slot.party.presignatureBeforeConfirmation().sealedRepresentation(), transcript)
                    } catch { slot.failed = true }
                }
                digests.append(slot.failed ? [] : payload)
            } else {
                for node in signers { out[node, default: []].append(payload) }
            }
        }
        if round == 3 {
            confirmations = digests
            return nil
        }
        round += 1
        return messages(out)
    }

    private func step(_ slot: Slot, index: Int, received: [NodeID: PresignMessage]) throws -> [UInt8] {
        switch round {
        case 1:
            var broadcasts: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound1] = [:]
            var shares: [ThresholdECDSA.ID: ThresholdECDSA.PresignShares] = [:]
            for node in signers {
                let run = received[node]!.unsafeRuns[index]
                let split = ThresholdECDSA.PresignRound1.serializedCount
                guard run.count > split else { throw FROSTSigningRound.Refusal(reason: "a round-1 run from \(node) is truncated") }
                broadcasts[ids[node]!] = try .init(serializedBytes: Array(run[..<split]))
                shares[ids[node]!] = try .init(unsafeSerializedBytes: Array(run[split...]))
            }
            return try slot.party.round2Message(broadcasts: broadcasts, shares: shares).serializedBytes
        case 2:
            var broadcasts: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound2] = [:]
            for node in signers { broadcasts[ids[node]!] = try .init(serializedBytes: received[node]!.unsafeRuns[index]) }
            return try slot.party.round3Message(broadcasts: broadcasts).serializedBytes
        default:
            var broadcasts: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound3] = [:]
            for node in signers { broadcasts[ids[node]!] = try .init(serializedBytes: received[node]!.unsafeRuns[index]) }
            return try slot.party.finish(broadcasts: broadcasts).digest
        }
    }

    /// The runs that finished here (sealed presignature and public transcript, by run), handed
    /// over once: the node stores them durably before it submits its confirmations.
    public func takeFinished() -> [Int: (sealed: SecretBytes, transcript: [UInt8])] {
        defer { finished = [:] }
        return finished
    }

    /// This node's reveal of run `index` (`ThresholdECDSA.PresignReveal`, encoded), once the log
    /// proved the run abandoned; the run can never yield a presignature afterwards.
    public func reveal(index: Int) throws -> [UInt8] {
        guard slots.indices.contains(index) else { throw FROSTSigningRound.Refusal(reason: "batch \(batch) has no run \(index)") }
        slots[index].failed = true
        return try slots[index].party.revealAbandoned().serializedBytes
    }

    private func messages(_ runs: [NodeID: [[UInt8]]]) -> [NodeID: PresignMessage] {
        var out: [NodeID: PresignMessage] = [:]
        for (node, r) in runs {
            out[node] = PresignMessage(vault: vault, epoch: epoch, batch: batch, round: round, recipient: node, unsafeRuns: r)
        }
        return out
    }
}
