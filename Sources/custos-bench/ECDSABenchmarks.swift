import CSecp256k1
import CustosCrypto
import CustosMPC
import Dispatch

/// Threshold ECDSA at n = 4, f = 1 (three signers): online signing per party and in total
/// (three shares, combination, verification and recovery), and presignature generation
/// amortized over a batch, each against one plain libsecp256k1 ECDSA signature.
enum ECDSABenchmarks {
    typealias T = ThresholdECDSA

    static func run() throws -> String {
        let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
        defer { secp256k1_context_destroy(ctx) }
        let secret = Secp256k1.Scalar.random().rawRepresentation
        let digest = SecureRandom.bytes(count: 32)
        var sig = secp256k1_ecdsa_signature()
        let plain = { precondition(secp256k1_ecdsa_sign(ctx, &sig, digest, secret, nil, nil) == 1) }
        let baseline = measure("ECDSA sign, libsecp256k1", iterations: 2000, plain)

        let ids = try (1...4).map { try T.ID(UInt64($0)) }
        let keys = try T.Local.keyGeneration(identifiers: ids, maxFaulty: 1)
        let signers = Array(ids.prefix(3))
        let request = try T.SignRequest(messageHash: digest, entropy: SecureRandom.bytes(count: 32))

        let iterations = 300
        var pool: [[T.ID: T.PresignatureBox]] = []
        for _ in 0..<(2 * iterations + 20) { pool.append(try T.Local.presign(keyShares: keys, signers: signers)) }

        var section = Section("Threshold ECDSA (n = 4, f = 1), vs one plain libsecp256k1 ECDSA signature", baseline: baseline)
        var next = 0
        section.add(try measureInterleaved("online signing, one party's share", iterations: iterations, baseline: plain) {
            let presignature = pool[next][signers[0]]!.take()!
            next += 1
            blackHole(try T.sign(presignature: presignature, keyShare: keys[signers[0]]!, signers: signers, request: request))
        }, note: "goal ≤ 4×")
        section.add(try measureInterleaved("online signing, all three shares + combine, verify, recover", iterations: iterations,
                                           baseline: plain) {
            blackHole(try T.Local.sign(presignatures: pool[next], keyShares: keys, request: request))
            next += 1
        })

        // Presignatures: one whole three-party run per presignature, in batches.
        let batch = 50
        let sequential = try measureBatch("presignature generation, all three parties, one core", rounds: 6, operations: batch) {
            for _ in 0..<batch { blackHole(try T.Local.presign(keyShares: keys, signers: signers)) }
        }
        section.add(sequential, note: "\(formatFixed(1e9 / sequential.p50, digits: 0)) presignatures/s on one core")
        let parallel = measureBatch("presignature generation, two batches on two cores", rounds: 6, operations: 2 * batch) {
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                for _ in 0..<batch { blackHole(try! T.Local.presign(keyShares: keys, signers: signers)) }
            }
        }
        section.add(parallel, note: "\(formatFixed(1e9 / parallel.p50, digits: 0)) presignatures/s on this 2-core machine; goal ≥ 500")
        return section.render()
    }
}
