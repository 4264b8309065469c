import CSecp256k1
import CSodium
import CustosCrypto
import CustosMPC

/// Threshold Schnorr: a whole FROST signature (both rounds of every signer, aggregation and
/// its verification, messages through their wire encodings) against one plain signature from
/// the C libraries; plus the curve operations underneath.
enum FROSTBenchmarks {
    static func run() throws -> String {
        let message = SecureRandom.bytes(count: 32)

        // Baselines: a plain single-key BIP-340 signature (libsecp256k1) and Ed25519 (libsodium).
        let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
        var keypair = secp256k1_keypair()
        let secret = Secp256k1.Scalar.random().rawRepresentation
        precondition(secp256k1_keypair_create(ctx, &keypair, secret) == 1)
        var sig = [UInt8](repeating: 0, count: 64)
        let aux = SecureRandom.bytes(count: 32)
        let signBIP340 = { precondition(secp256k1_schnorrsig_sign32(ctx, &sig, message, &keypair, aux) == 1) }
        let bip340 = measure("BIP-340 sign, libsecp256k1", iterations: 2000, signBIP340)
        var edPublic = [UInt8](repeating: 0, count: 32)
        var edSecret = [UInt8](repeating: 0, count: 64)
        precondition(Sodium.ready && crypto_sign_keypair(&edPublic, &edSecret) == 0)
        var edSig = [UInt8](repeating: 0, count: 64)
        let signEd25519 = { _ = crypto_sign_detached(&edSig, nil, message, UInt64(message.count), edSecret) }
        let ed25519 = measure("Ed25519 sign, libsodium", iterations: 2000, signEd25519)

        var taproot = Section("FROST, Taproot (BIP-340) suite, vs one plain BIP-340 signature", baseline: bip340)
        var edwards = Section("FROST, Ed25519 suite, vs one plain Ed25519 signature", baseline: ed25519)
        for encode in [false, true] {
            for (t, n) in [(2, 3), (3, 4)] {
                let goal = t == 2 && !encode ? "goal ≤ 15×" : ""
                taproot.add(try frostSignature(Secp256k1TaprootSHA256.self, t: t, n: n, message: message, encode: encode,
                                               baseline: signBIP340), note: goal)
                edwards.add(try frostSignature(Ed25519SHA512.self, t: t, n: n, message: message, encode: encode,
                                               baseline: signEd25519), note: goal)
            }
        }
        for (t, n) in [(2, 3), (3, 4)] {
            taproot.add(try frostSignature(Secp256k1TaprootSHA256.self, t: t, n: n, message: message, tweak: .keyPathOnly,
                                           encode: false, baseline: signBIP340))
        }

        // Curve operations.
        let a = Secp256k1.Scalar.random()
        let b = Secp256k1.Scalar.random()
        let p = Secp256k1.Point.generatorMultiple(a)
        var scalarSink = a
        var section = Section("Curve operations, vs one plain BIP-340 signature", baseline: bip340)
        section.add(measure("secp256k1 scalar × scalar (Swift, constant time)", iterations: 20000) { scalarSink = scalarSink * b })
        section.add(measure("secp256k1 scalar inversion (Swift, constant time)", iterations: 2000) {
            scalarSink = try! scalarSink.inverse()
        })
        section.add(measure("secp256k1 scalar × point (libsecp256k1, constant time)", iterations: 2000) { blackHole(b * p) })
        section.add(measure("secp256k1 scalar × G (libsecp256k1)", iterations: 2000) { blackHole(Secp256k1.Point.generatorMultiple(b)) })
        let ea = Ed25519.Scalar.random()
        var edSink = Ed25519.Scalar.random()
        let ep = Ed25519.Point.generatorMultiple(ea)
        section.add(measure("Ed25519 scalar × scalar (libsodium)", iterations: 20000) { edSink = edSink * ea })
        section.add(measure("Ed25519 scalar inversion (libsodium)", iterations: 2000) { edSink = try! edSink.inverse() })
        section.add(measure("Ed25519 scalar × point (libsodium)", iterations: 2000) { blackHole(ea * ep) })
        section.add(measure("Ed25519 scalar × B (libsodium)", iterations: 2000) { blackHole(Ed25519.Point.generatorMultiple(ea)) })
        blackHole(scalarSink)
        blackHole(edSink)
        secp256k1_context_destroy(ctx)
        return [taproot.render(), edwards.render(), section.render()].joined(separator: "\n")
    }

    /// `custos-bench frost-profile`: 2-of-3 Taproot signatures in a loop, for `perf record`.
    static func profile() throws -> String {
        typealias TR = Secp256k1TaprootSHA256
        let ids = try (1...3).map { try Identifier<TR>(UInt64($0)) }
        let (keys, pub) = try LocalCeremony<TR>.keyGeneration(identifiers: ids, minSigners: 2)
        let message = SecureRandom.bytes(count: 32)
        let start = nowNanoseconds()
        for _ in 0..<2000 {
            blackHole(try LocalCeremony.sign(message: message, signers: [keys[ids[0]]!, keys[ids[1]]!], publicKeyPackage: pub,
                                             encodeMessages: false))
        }
        return "frost-profile: \(formatNanoseconds(Double(nowNanoseconds() - start) / 2000)) per 2-of-3 signature"
    }

    static func frostSignature<Suite: Ciphersuite>(
        _: Suite.Type, t: Int, n: Int, message: [UInt8], tweak: TaprootTweak? = nil, encode: Bool,
        baseline: () -> Void
    ) throws -> (target: Measurement, baseline: Measurement) {
        let ids = try (1...n).map { try Identifier<Suite>(UInt64($0)) }
        let (keys, pub) = try LocalCeremony<Suite>.keyGeneration(identifiers: ids, minSigners: t)
        let signers = Array(ids.prefix(t)).map { keys[$0]! }
        let label = (tweak == nil ? "" : ", BIP-341 tweak") + (encode ? ", messages through wire encodings" : "")
        return try measureInterleaved("FROST \(t)-of-\(n) full signature\(label)", iterations: 300, baseline: baseline) {
            blackHole(try LocalCeremony.sign(message: message, signers: signers, publicKeyPackage: pub, tweak: tweak,
                                             encodeMessages: encode))
        }
    }
}
