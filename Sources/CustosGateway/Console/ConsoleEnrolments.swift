import CustosCore
import CustosCrypto
import CustosIdentity
import CustosState

/// Enrolments in the gateway's memory that wait, by operation id, for someone to propose them:
/// an invitation names the person and the code key they handed over (no secret: the code stays
/// with the person). The table is bounded and expires after `lifetime`.
actor ConsoleEnrolments {
    static let lifetime: UInt64 = 24 * 3600 * 1000
    static let maximum = 1_000

    private var unproposed: [String: ConsoleEnrolment] = [:]

    /// A new invitation for `user` whose code has the key `codeKey`.
    func invite(user: String, codeKey: [UInt8], invitedBy: String, now: UInt64) -> ConsoleEnrolment {
        prune(now: now)
        let suffix = Base64URL.encode(SecureRandom.bytes(count: 6))
        let operationId = "enrol-" + String(user.map { $0 == "@" ? "." : $0 }).prefix(64) + "-" + suffix
        let enrolment = ConsoleEnrolment(user: user, operationId: operationId, invitedBy: invitedBy, codeKey: codeKey,
                                         expiresAt: now + Self.lifetime)
        unproposed[operationId] = enrolment
        return enrolment
    }

    /// Enrolments waiting to be proposed, oldest first.
    func waiting(now: UInt64) -> [ConsoleEnrolment] {
        prune(now: now)
        return unproposed.values.sorted { $0.expiresAt < $1.expiresAt }
    }

    func waiting(_ operationId: String, now: UInt64) -> ConsoleEnrolment? {
        guard let enrolment = unproposed[operationId], enrolment.expiresAt > now else { return nil }
        return enrolment
    }

    /// Whether an invitation still waiting to be proposed names `codeKey`.
    func isWaiting(codeKey: [UInt8], now: UInt64) -> Bool {
        unproposed.values.contains { $0.codeKey == codeKey && $0.expiresAt > now }
    }

    /// Forgets an enrolment waiting to be proposed once its operation is proposed.
    func proposed(_ operationId: String) { unproposed[operationId] = nil }

    /// Drops what expired, then the oldest beyond `maximum`.
    private func prune(now: UInt64) {
        unproposed = unproposed.filter { $0.value.expiresAt > now }
        guard unproposed.count >= Self.maximum else { return }
        for key in unproposed.sorted(by: { $0.value.expiresAt < $1.value.expiresAt }).prefix(unproposed.count - Self.maximum + 1).map(\.key) {
            unproposed[key] = nil
        }
    }
}
