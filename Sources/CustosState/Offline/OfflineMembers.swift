import CustosCore
import CustosCrypto
import CustosLedger

/// What people compare between the offline signer's screen and the online side when the
/// cluster's voting members change (air-gapped signing, #15 item 3): the member-set fingerprint,
/// each member's key fingerprint, and which members a new member set adds and removes. The
/// offline signer trusts a member set only after a person at its machine confirmed it
/// (`custos offline update-cluster`); these are the words they confirm with.
public enum OfflineMembers {
    /// The first 32 hex digits (128 bits, as the enrolment's fingerprint) of
    /// `OfflineAttestation.membersDigest(of:)`, in groups of four (`1a2b 3c4d … 7a8b`): the same for the same ids and identity keys in any order, and
    /// what every place that shows the cluster's members prints, so that people can compare it.
    public static func fingerprint(of members: [Member]) -> String {
        grouped(Array(OfflineAttestation.membersDigest(of: members).prefix(16)).hexString)
    }

    /// The first 16 hex digits of SHA-256 over a member's identity key: the fingerprint the
    /// console's list of voting members and the key inventory show for it.
    public static func keyFingerprint(of member: Member) -> String {
        String(Hashes.sha256(member.publicKeyBytes).hexString.prefix(16))
    }

    /// The members of `next` that `current` does not hold (added) and those of `current` that
    /// `next` does not hold (removed), each sorted by id. A member compares by its id and both
    /// its keys: one whose key changed is removed and added.
    public static func changes(from current: [Member], to next: [Member]) -> (added: [Member], removed: [Member]) {
        let old = Set(current), new = Set(next)
        return (next.filter { !old.contains($0) }.sorted { $0.id < $1.id }, current.filter { !new.contains($0) }.sorted { $0.id < $1.id })
    }

    /// Hex digits in groups of four, separated by spaces.
    static func grouped(_ hex: String) -> String {
        let digits = Array(hex)
        return stride(from: 0, to: digits.count, by: 4).map { String(digits[$0..<min($0 + 4, digits.count)]) }.joined(separator: " ")
    }
}
