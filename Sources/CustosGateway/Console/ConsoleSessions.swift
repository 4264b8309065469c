import CustosCore
import CustosCrypto
import CustosIdentity

/// The console's sign-in challenges and sessions, in the gateway's memory only (a restart signs
/// everyone out). A sign-in challenge is random, bound to the browser that asked for it (a
/// cookie), and taken once; a session lasts `sessionLifetime` from sign-in. Times are the
/// gateway clock's milliseconds, passed in. Both tables are bounded: the oldest entries go first.
actor ConsoleSessions {
    static let sessionLifetime: UInt64 = 15 * 60 * 1000
    static let challengeLifetime: UInt64 = 5 * 60 * 1000
    static let maximumSessions = 10_000
    static let maximumChallenges = 10_000

    private var challenges: [String: (binding: String, expiresAt: UInt64)] = [:]
    private var sessions: [String: ConsoleSession] = [:]
    /// The highest signature counter a sign-in showed for each credential (base64url id), so a
    /// cloned authenticator behind the governed state's counter is noticed at sign-in too.
    private var signCounts: [String: UInt32] = [:]

    /// What a person's authenticator signs to sign in with the one-time `nonce` of this
    /// cluster: `tagged("custos/console/sign-in", genesisDigest ‖ nonce)`, computed by the page's
    /// script too. Domain-separated from every approval's challenge, so a gateway cannot pass an
    /// approval off as a sign-in by choosing the nonce.
    static func signInChallenge(nonce: [UInt8], genesisDigest: [UInt8]) -> [UInt8] {
        Hashes.tagged("custos/console/sign-in", genesisDigest, nonce)
    }

    /// A new sign-in nonce for the browser holding `binding`.
    func newChallenge(binding: String, now: UInt64) -> [UInt8] {
        prune(now: now)
        let challenge = SecureRandom.bytes(count: 32)
        challenges[Base64URL.encode(challenge)] = (binding, now + Self.challengeLifetime)
        return challenge
    }

    /// The challenge `encoded` (base64url) if it was issued to `binding` and has not expired;
    /// it can never be taken again.
    func takeChallenge(_ encoded: String, binding: String, now: UInt64) -> [UInt8]? {
        guard let issued = challenges.removeValue(forKey: encoded), issued.expiresAt > now,
              ConsoleSessions.constantTimeEqual(issued.binding, binding) else { return nil }
        return Base64URL.decode(encoded)
    }

    /// The counter a sign-in with `credentialId` must exceed, at least `stored`.
    func signCount(of credentialId: [UInt8], stored: UInt32) -> UInt32 {
        max(stored, signCounts[Base64URL.encode(credentialId)] ?? 0)
    }

    /// Opens a session for `user` bound to `credentialId`; answers its id (a secret for the cookie).
    func open(user: String, credentialId: [UInt8], signCount: UInt32, now: UInt64) -> (id: String, session: ConsoleSession) {
        prune(now: now)
        signCounts[Base64URL.encode(credentialId)] = signCount
        let id = Base64URL.encode(SecureRandom.bytes(count: 32))
        let session = ConsoleSession(user: user, credentialId: credentialId, csrfToken: Base64URL.encode(SecureRandom.bytes(count: 32)),
                                     expiresAt: now + Self.sessionLifetime)
        sessions[id] = session
        return (id, session)
    }

    /// The session `id` names, unless it expired (then it is forgotten).
    func session(_ id: String, now: UInt64) -> ConsoleSession? {
        guard let session = sessions[id] else { return nil }
        guard session.expiresAt > now else {
            sessions[id] = nil
            return nil
        }
        return session
    }

    func close(_ id: String) { sessions[id] = nil }

    /// Drops what expired, then the oldest entries beyond the bounds.
    private func prune(now: UInt64) {
        challenges = challenges.filter { $0.value.expiresAt > now }
        sessions = sessions.filter { $0.value.expiresAt > now }
        if challenges.count >= Self.maximumChallenges {
            for key in challenges.sorted(by: { $0.value.expiresAt < $1.value.expiresAt }).prefix(challenges.count - Self.maximumChallenges + 1).map(\.key) {
                challenges[key] = nil
            }
        }
        if sessions.count >= Self.maximumSessions {
            for key in sessions.sorted(by: { $0.value.expiresAt < $1.value.expiresAt }).prefix(sessions.count - Self.maximumSessions + 1).map(\.key) {
                sessions[key] = nil
            }
        }
    }

    /// Compares two secrets without stopping at the first difference.
    nonisolated static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
