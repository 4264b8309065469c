import CustosCore
import CustosCrypto
import CustosIdentity
import CustosState

/// Enrolments in the gateway's memory: an invitation is a one-time code (a secret, handed to
/// the person out of band) that lets its holder register one credential for one person under
/// the enrolment operation it names; the code is spent by the registration. Invitations wait, by
/// operation id, for someone to propose their enrolment. Both tables are bounded and expire
/// after `lifetime`.
actor ConsoleEnrolments {
    static let lifetime: UInt64 = 24 * 3600 * 1000
    static let maximum = 1_000

    private var invited: [String: ConsoleEnrolment] = [:]
    private var unproposed: [String: ConsoleEnrolment] = [:]

    /// A new invitation for `user`; answers its code.
    func invite(user: String, invitedBy: String, now: UInt64) -> (code: String, enrolment: ConsoleEnrolment) {
        prune(now: now)
        let code = Base64URL.encode(SecureRandom.bytes(count: 16))
        let suffix = Base64URL.encode(SecureRandom.bytes(count: 6))
        let operationId = "enrol-" + String(user.map { $0 == "@" ? "." : $0 }).prefix(64) + "-" + suffix
        let enrolment = ConsoleEnrolment(user: user, operationId: operationId, invitedBy: invitedBy,
                                         codeDigest: CredentialEnrolment.digest(ofCode: Array(code.utf8)), expiresAt: now + Self.lifetime)
        invited[code] = enrolment
        unproposed[operationId] = enrolment
        return (code, enrolment)
    }

    /// The unspent, unexpired invitation `code` names.
    func invitation(_ code: String, now: UInt64) -> ConsoleEnrolment? {
        guard let enrolment = invited[code], enrolment.expiresAt > now else { return nil }
        return enrolment
    }

    /// Spends `code`; answers its enrolment, or nil if the code is unknown, spent or expired.
    func spend(_ code: String, now: UInt64) -> ConsoleEnrolment? {
        guard let enrolment = invited.removeValue(forKey: code), enrolment.expiresAt > now else { return nil }
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

    /// Forgets an enrolment waiting to be proposed once its operation is proposed.
    func proposed(_ operationId: String) { unproposed[operationId] = nil }

    private func prune(now: UInt64) {
        Self.prune(&invited, now: now)
        Self.prune(&unproposed, now: now)
    }

    /// Drops what expired, then the oldest beyond `maximum`.
    private static func prune(_ table: inout [String: ConsoleEnrolment], now: UInt64) {
        table = table.filter { $0.value.expiresAt > now }
        guard table.count >= maximum else { return }
        for key in table.sorted(by: { $0.value.expiresAt < $1.value.expiresAt }).prefix(table.count - maximum + 1).map(\.key) {
            table[key] = nil
        }
    }
}
