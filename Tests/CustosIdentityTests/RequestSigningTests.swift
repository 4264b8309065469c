import Crypto
import CustosCore
import CustosIdentity
import Foundation
import Testing

@Suite("Bot request signing")
struct RequestSigningTests {
    static let now: Int64 = 1_763_726_400_000  // 2025-11-21T12:00:00Z in milliseconds
    let verifier = RequestVerifier(maxClockSkew: 60_000)
    /// The genesis digest of the cluster the requests are signed for, and of another one.
    static let cluster: [UInt8] = Array(repeating: 0xc1, count: 32)
    static let staging: [UInt8] = Array(repeating: 0x5a, count: 32)
    let body: JSONValue = try! JSONParser().parse(Array(#"{"type":"transfer","vault":"treasury","to":"0xabc","amount":"100.25","asset":"USDC","chainId":1}"#.utf8))

    static let keys: [BotSigningKey] = [
        BotSigningKey(ed25519: Curve25519.Signing.PrivateKey()), BotSigningKey(p256: P256.Signing.PrivateKey()),
    ]

    func code(
        _ request: SignedRequest, key: BotPublicKey, keyId: String = "risk-bot", now: Int64 = now,
        cluster: [UInt8] = cluster, cache: inout ReplayCache
    ) -> RequestSigningError.Code? {
        do {
            try verifier.verify(request, keyId: keyId, key: key, cluster: cluster, now: now, replayCache: &cache)
            return nil
        } catch {
            return error.code
        }
    }

    func envelopeCode(_ text: String) -> RequestSigningError.Code? {
        do {
            _ = try SignedRequest(json: Array(text.utf8))
            return nil
        } catch {
            return error.code
        }
    }

    func request(_ key: BotSigningKey, timestamp: Int64 = now, nonce: String = "bm9uY2Utbm9uY2Utbm9uY2U") -> SignedRequest {
        SignedRequest(body: body, cluster: Self.cluster, keyId: "risk-bot", timestamp: timestamp, nonce: nonce, key: key)
    }

    @Test("Signed requests verify after a round trip through their JSON, for Ed25519 and P-256", arguments: 0..<2)
    func roundTrip(keyIndex: Int) throws {
        let key = Self.keys[keyIndex]
        var cache = ReplayCache()
        let parsed = try SignedRequest(json: request(key).jsonBytes)
        #expect(parsed == request(key) || parsed.signingInput == request(key).signingInput)
        #expect(code(parsed, key: key.publicKey, cache: &cache) == nil)
        #expect(cache.entries.count == 1)
    }

    @Test("Re-serialization in transit (whitespace, member order, number spelling) keeps the signature valid")
    func reserialized() throws {
        let key = Self.keys[0]
        let r = SignedRequest(body: body, cluster: Self.cluster, keyId: "risk-bot", timestamp: Self.now, nonce: "AAAAAAAAAAAAAAAAAAAAAA", key: key)
        let text = """
            { "signature" : "\(Base64URL.encode(r.signature))", "nonce": "AAAAAAAAAAAAAAAAAAAAAA",
              "timestamp": 1.7637264E12, "keyId": "risk-bot", "cluster": "\(Self.cluster.hexString)",
              "body": {"chainId": 1.0, "asset": "USDC", "amount": "100.25", "to": "0xabc", "vault": "treasury", "type": "transfer"} }
            """
        var cache = ReplayCache()
        #expect(code(try SignedRequest(json: Array(text.utf8)), key: key.publicKey, cache: &cache) == nil)
    }

    @Test("Altered body, timestamp, nonce or key id break the signature", arguments: 0..<2)
    func altered(keyIndex: Int) throws {
        let key = Self.keys[keyIndex]
        let r = request(key)
        let alteredBody = try JSONParser().parse(Array(#"{"type":"transfer","vault":"treasury","to":"0xabd","amount":"100.25","asset":"USDC","chainId":1}"#.utf8))
        let variants = [
            SignedRequest(body: alteredBody, cluster: r.cluster, keyId: r.keyId, timestamp: r.timestamp, nonce: r.nonce, signature: r.signature),
            SignedRequest(body: r.body, cluster: r.cluster, keyId: r.keyId, timestamp: r.timestamp + 1, nonce: r.nonce, signature: r.signature),
            SignedRequest(body: r.body, cluster: r.cluster, keyId: r.keyId, timestamp: r.timestamp, nonce: r.nonce + "A", signature: r.signature),
            SignedRequest(body: r.body, cluster: r.cluster, keyId: r.keyId, timestamp: r.timestamp, nonce: r.nonce, signature: Array(r.signature.reversed())),
        ]
        for v in variants {
            var cache = ReplayCache()
            #expect(code(v, key: key.publicKey, cache: &cache) == .badSignature)
            #expect(cache.entries.isEmpty)
        }
        var cache = ReplayCache()
        let renamed = SignedRequest(body: r.body, cluster: r.cluster, keyId: "other-bot", timestamp: r.timestamp, nonce: r.nonce, signature: r.signature)
        #expect(code(renamed, key: key.publicKey, keyId: "other-bot", cache: &cache) == .badSignature)
        #expect(code(r, key: key.publicKey, keyId: "other-bot", cache: &cache) == .wrongKey)
        #expect(code(r, key: Self.keys[1 - keyIndex].publicKey, cache: &cache) == .badSignature)
    }

    @Test("A request signed for another cluster (staging) never counts in this one", arguments: 0..<2)
    func anotherCluster(keyIndex: Int) throws {
        let key = Self.keys[keyIndex]
        let staging = SignedRequest(body: body, cluster: Self.staging, keyId: "risk-bot", timestamp: Self.now,
                                    nonce: "c3RhZ2luZy1ub25jZS0wMDA", key: key)
        var cache = ReplayCache()
        #expect(code(staging, key: key.publicKey, cache: &cache) == .wrongCluster)
        #expect(cache.entries.isEmpty)
        // Relabelled for production, its signature no longer verifies.
        let relabelled = SignedRequest(body: staging.body, cluster: Self.cluster, keyId: staging.keyId, timestamp: staging.timestamp,
                                       nonce: staging.nonce, signature: staging.signature)
        #expect(code(relabelled, key: key.publicKey, cache: &cache) == .badSignature)
        // In staging it is fine, and its id differs from the same request signed for production.
        #expect(code(staging, key: key.publicKey, cluster: Self.staging, cache: &cache) == nil)
        #expect(staging.signingInput != relabelled.signingInput)
    }

    @Test("Replays within the window are refused; the cache forgets only what has gone stale")
    func replay() throws {
        let key = Self.keys[0]
        var cache = ReplayCache()
        let r = request(key)
        #expect(code(r, key: key.publicKey, cache: &cache) == nil)
        #expect(code(r, key: key.publicKey, cache: &cache) == .replayedNonce)
        #expect(code(r, key: key.publicKey, now: Self.now + 59_000, cache: &cache) == .replayedNonce)
        // Once outside the window, the same request is stale rather than a replay.
        #expect(code(r, key: key.publicKey, now: Self.now + 60_001, cache: &cache) == .staleTimestamp)
        // Another nonce is fine; another key may reuse a nonce.
        #expect(code(request(key, nonce: "c2Vjb25kLW5vbmNlLTEyMzQ"), key: key.publicKey, cache: &cache) == nil)
        let other = SignedRequest(body: body, cluster: Self.cluster, keyId: "other-bot", timestamp: Self.now, nonce: r.nonce, key: Self.keys[1])
        #expect(code(other, key: Self.keys[1].publicKey, keyId: "other-bot", cache: &cache) == nil)
        // Accepting a request a window later prunes nonces that can no longer be replayed.
        #expect(cache.entries.count == 3)
        let later = request(key, timestamp: Self.now + 120_000, nonce: "bGF0ZXItbm9uY2UtMTIzNDU")
        #expect(code(later, key: key.publicKey, now: Self.now + 120_000, cache: &cache) == nil)
        #expect(cache.entries.count == 1)
        // Within the same window nothing is pruned yet, but nothing stale is accepted either.
        let soon = request(key, timestamp: Self.now + 121_000, nonce: "c29vbi1ub25jZS0xMjM0NTY")
        #expect(code(soon, key: key.publicKey, now: Self.now + 121_000, cache: &cache) == nil)
        #expect(cache.entries.count == 2)
        #expect(code(later, key: key.publicKey, now: Self.now + 121_000, cache: &cache) == .replayedNonce)
    }

    @Test("Stale and future timestamps are refused; a clock stepping back cannot revive a forgotten nonce")
    func window() throws {
        let key = Self.keys[1]
        var cache = ReplayCache()
        #expect(code(request(key, timestamp: Self.now - 60_001), key: key.publicKey, cache: &cache) == .staleTimestamp)
        #expect(code(request(key, timestamp: Self.now + 60_001), key: key.publicKey, cache: &cache) == .futureTimestamp)
        #expect(code(request(key, timestamp: Self.now - 60_000), key: key.publicKey, cache: &cache) == nil)
        #expect(code(request(key, timestamp: Self.now + 60_000, nonce: "bm9uY2Utbm9uY2Utbm9uY2V"), key: key.publicKey, cache: &cache) == nil)
        // The cache has seen `now`; after an hour it forgets the nonce...
        let r = request(key, timestamp: Self.now + 3_600_000, nonce: "aG91ci1sYXRlci1ub25jZTE")
        #expect(code(r, key: key.publicKey, now: Self.now + 3_600_000, cache: &cache) == nil)
        // ...and a caller clock stepping back an hour does not make old requests acceptable.
        #expect(code(request(key, timestamp: Self.now - 60_000), key: key.publicKey, now: Self.now, cache: &cache) == .staleTimestamp)
        // Extreme caller times do not trap.
        #expect(code(request(key), key: key.publicKey, now: .max, cache: &cache) == .staleTimestamp)
        var fresh = ReplayCache()
        #expect(code(request(key), key: key.publicKey, now: .min, cache: &fresh) == .futureTimestamp)
    }

    @Test("A full cache refuses rather than forgets; the cache persists through Codable")
    func capacity() throws {
        let key = Self.keys[0]
        var cache = ReplayCache(capacity: 2)
        #expect(code(request(key, nonce: "MDAwMDAwMDAwMDAwMDAwMDA"), key: key.publicKey, cache: &cache) == nil)
        #expect(code(request(key, nonce: "MTExMTExMTExMTExMTExMTE"), key: key.publicKey, cache: &cache) == nil)
        #expect(code(request(key, nonce: "MjIyMjIyMjIyMjIyMjIyMjI"), key: key.publicKey, cache: &cache) == .replayCacheFull)
        // A full cache prunes what has gone stale before it refuses.
        let muchLater = Self.now + 600_000
        #expect(code(request(key, timestamp: muchLater, nonce: "MjIyMjIyMjIyMjIyMjIyMjI"), key: key.publicKey, now: muchLater, cache: &cache) == nil)
        #expect(cache.entries.count == 1)
        let restored = try JSONDecoder().decode(ReplayCache.self, from: JSONEncoder().encode(cache))
        #expect(restored == cache)
        var copy = restored
        #expect(code(request(key, timestamp: muchLater, nonce: "MjIyMjIyMjIyMjIyMjIyMjI"), key: key.publicKey, now: muchLater, cache: &copy) == .replayedNonce)
    }

    @Test("Malformed envelopes are refused with their codes")
    func malformed() {
        let sig = Base64URL.encode([UInt8](repeating: 1, count: 64))
        let cluster = Self.cluster.hexString
        let good = #"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#
        #expect(envelopeCode(good) == nil)
        #expect(envelopeCode(#"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)","extra":1}"#) == .unknownField)
        let malformed = [
            "", "[]", "{}", "not json",
            #"{"body":{},"cluster":"\#(cluster)","keyId":"k","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"cluster":"\#(cluster)","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":"\#(cluster.uppercased())","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":"\#(cluster.dropLast(2))","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":7,"keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"keyId":"","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"keyId":"k k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":"1","nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":1.5,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":1e300,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":1,"nonce":"short","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA!","signature":"\#(sig)"}"#,
            #"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":"\#(sig)="}"#,
            #"{"body":{},"cluster":"\#(cluster)","keyId":"k","timestamp":1,"nonce":"AAAAAAAAAAAAAAAA","signature":7}"#,
        ]
        for (i, text) in malformed.enumerated() {
            #expect(envelopeCode(text) == .malformed, "case \(i)")
        }
    }

    @Test("Bot public keys are validated on init")
    func keyValidation() {
        func code(_ algorithm: BotPublicKey.Algorithm, _ bytes: [UInt8]) -> RequestSigningError.Code? {
            do {
                _ = try BotPublicKey(algorithm: algorithm, rawRepresentation: bytes)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code(.ed25519, Array(repeating: 0, count: 32)) == .invalidKey)
        #expect(code(.ed25519, Array(repeating: 1, count: 31)) == .invalidKey)
        #expect(code(.p256, [4] + Array(repeating: 1, count: 64)) == .invalidKey)
        #expect(code(.p256, Array(Self.keys[1].publicKey.rawRepresentation.prefix(33))) == .invalidKey)
        #expect(code(.p256, Self.keys[1].publicKey.rawRepresentation) == nil)
    }
}
