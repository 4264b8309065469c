import CustosCore
import CustosCrypto

/// SLIP-0039 "Shamir's Secret-Sharing for Mnemonic Codes": a master secret encrypted under a
/// passphrase (a four-round Feistel network over PBKDF2-HMAC-SHA256), split in two levels —
/// a group threshold of groups, each group a member threshold of its members — over GF(256),
/// with a digest share that catches a wrong or forged share, and each share written as words
/// with an RS1024 checksum.
///
/// Pure: no I/O; the only randomness is the identifier and the random polynomial coefficients.
/// Secrets (the master secret, the encrypted master secret, share values) live in `SecretBytes`
/// or in arrays zeroed before they are released; no error names a secret byte.
public enum SLIP39 {
    /// The smallest master secret, in bytes (SLIP-0039: at least 128 bits, a multiple of 16 bits).
    public static let minimumSecretLength = 16
    /// At most 16 groups and 16 members per group: indices are 4-bit fields.
    public static let maximumShareCount = 16
    /// Iteration exponents are a 4-bit field: 10000 × 2^e PBKDF2 iterations in all.
    public static let maximumIterationExponent = 15

    /// Splits `secret` into `groups.count` groups of mnemonic shares, any `groupThreshold` of
    /// which (each with its own member threshold of mnemonics) recover it (SLIP-0039
    /// "GenerateShares"). The result is indexed by group, then member. New share sets are
    /// extendable (*ext* = 1) unless `extendable` is false.
    public static func split(
        _ secret: SecretBytes, groupThreshold: Int, groups: [MemberGroup], passphrase: SecretBytes = SecretBytes([]),
        iterationExponent: Int = 1, extendable: Bool = true
    ) throws(BackupError) -> [[SLIP39Share]] {
        guard secret.count >= minimumSecretLength, secret.count % 2 == 0 else {
            throw BackupError(.invalidParameters, "the master secret must be at least 128 bits long and a multiple of 16 bits, not \(secret.count * 8) bits")
        }
        guard (0...maximumIterationExponent).contains(iterationExponent) else {
            throw BackupError(.invalidParameters, "the iteration exponent is 0 to \(maximumIterationExponent), not \(iterationExponent)")
        }
        guard (1...maximumShareCount).contains(groups.count) else {
            throw BackupError(.invalidParameters, "1 to \(maximumShareCount) groups, not \(groups.count)")
        }
        guard (1...groups.count).contains(groupThreshold) else {
            throw BackupError(.invalidParameters, "the group threshold is 1 to the number of groups (\(groups.count)), not \(groupThreshold)")
        }
        for (number, group) in groups.enumerated() {
            guard (1...maximumShareCount).contains(group.count), (1...group.count).contains(group.threshold) else {
                throw BackupError(.invalidParameters,
                                  "group \(number + 1): \(group.threshold) of \(group.count) is not a threshold of 1 to at most \(maximumShareCount) members")
            }
            guard group.threshold > 1 || group.count == 1 else {
                throw BackupError(.invalidParameters,
                                  "group \(number + 1): a threshold of 1 with \(group.count) members would give each member the whole group share; use 1of1")
            }
        }
        try checkPassphrase(passphrase)
        let identifier = UInt16(SecureRandom.bytes(count: 2).reduce(0) { $0 << 8 | UInt16($1) } & 0x7FFF)
        let exponent = UInt8(iterationExponent)
        let encrypted = encrypt(secret, passphrase: passphrase, iterationExponent: exponent, identifier: identifier, extendable: extendable)
        let groupShares = try splitSecret(threshold: groupThreshold, count: groups.count, secret: encrypted)
        var result: [[SLIP39Share]] = []
        for (groupIndex, group) in groups.enumerated() {
            let memberShares = try splitSecret(threshold: group.threshold, count: group.count, secret: groupShares[groupIndex])
            result.append(memberShares.enumerated().map { memberIndex, value in
                SLIP39Share(identifier: identifier, extendable: extendable, iterationExponent: exponent,
                            groupIndex: UInt8(groupIndex), groupThreshold: UInt8(groupThreshold), groupCount: UInt8(groups.count),
                            memberIndex: UInt8(memberIndex), memberThreshold: UInt8(group.threshold), value: value)
            })
        }
        return result
    }

    /// Recovers the master secret from mnemonics (SLIP-0039 "Combining the shares"): exactly
    /// the group threshold of groups, each with exactly its member threshold of mnemonics, all
    /// of one share set. Every refusal names the mnemonic (numbered from 1, in the order given)
    /// or the group at fault. A wrong passphrase is not detectable: it yields another secret.
    ///
    /// `maximumIterationExponent` bounds the work the mnemonics may ask for (10000 × 2^E PBKDF2
    /// iterations per Feistel round): a set asking for more is refused (`invalidParameters`)
    /// before any of it is done, so a hostile mnemonic cannot hold a restore for hours.
    public static func combine(_ mnemonics: [String], passphrase: SecretBytes = SecretBytes([]),
                               maximumIterationExponent: Int = maximumIterationExponent) throws(BackupError) -> SecretBytes {
        try checkPassphrase(passphrase)
        guard !mnemonics.isEmpty else { throw BackupError(.groupThresholdNotMet, "no mnemonic given") }
        var shares: [SLIP39Share] = []
        for (number, mnemonic) in mnemonics.enumerated() {
            do { shares.append(try SLIP39Share(mnemonic: mnemonic)) } catch {
                throw BackupError(error.code, "mnemonic \(number + 1): \(error.reason)")
            }
        }
        let first = shares[0]
        guard Int(first.iterationExponent) <= maximumIterationExponent else {
            throw BackupError(.invalidParameters, "mnemonic 1 asks for iteration exponent \(first.iterationExponent) (10000 × 2^\(first.iterationExponent) PBKDF2 "
                              + "iterations); at most \(maximumIterationExponent) is accepted here")
        }
        for (number, share) in shares.enumerated().dropFirst() {
            let differing = first.differingSetField(share)
            if let differing {
                throw BackupError(.mismatchedShares,
                                  "mnemonic \(number + 1) is not of the same share set as mnemonic 1: its \(differing) differs")
            }
        }
        var groups: [UInt8: [SLIP39Share]] = [:]
        for share in shares { groups[share.groupIndex, default: []].append(share) }
        let threshold = Int(first.groupThreshold)
        guard groups.count >= threshold else {
            throw BackupError(.groupThresholdNotMet,
                              "mnemonics of \(groups.count) group\(groups.count == 1 ? "" : "s") given; this share set needs \(threshold) groups of its \(first.groupCount)")
        }
        guard groups.count == threshold else {
            throw BackupError(.tooManyShares, "mnemonics of \(groups.count) groups given; give exactly \(threshold), the group threshold")
        }
        var groupValues: [(x: UInt8, y: SecretBytes)] = []
        for (groupIndex, members) in groups.sorted(by: { $0.key < $1.key }) {
            let memberThreshold = members[0].memberThreshold
            let name = "group \(groupIndex + 1)"
            guard members.allSatisfy({ $0.memberThreshold == memberThreshold }) else {
                throw BackupError(.mismatchedMemberThreshold, "the mnemonics of \(name) claim different member thresholds")
            }
            guard Set(members.map(\.memberIndex)).count == members.count else {
                throw BackupError(.duplicateMemberIndex, "two mnemonics of \(name) are the same member's share")
            }
            guard members.count >= Int(memberThreshold) else {
                throw BackupError(.memberThresholdNotMet,
                                  "\(name) has \(members.count) mnemonic\(members.count == 1 ? "" : "s"); it needs \(memberThreshold)")
            }
            guard members.count == Int(memberThreshold) else {
                throw BackupError(.tooManyShares, "\(name) has \(members.count) mnemonics; give exactly \(memberThreshold), its member threshold")
            }
            let value: SecretBytes
            do { value = try recoverSecret(threshold: Int(memberThreshold), shares: members.map { ($0.memberIndex, $0.value) }) } catch {
                throw BackupError(error.code, "\(name): \(error.reason)")
            }
            groupValues.append((groupIndex, value))
        }
        let encrypted = try recoverSecret(threshold: threshold, shares: groupValues)
        return decrypt(encrypted, passphrase: passphrase, iterationExponent: first.iterationExponent,
                       identifier: first.identifier, extendable: first.extendable)
    }

    /// SLIP-0039 "Passphrase": printable ASCII only (32 to 126), so that every implementation reads it alike.
    static func checkPassphrase(_ passphrase: SecretBytes) throws(BackupError) {
        let printable = passphrase.withUnsafeBytes { bytes in bytes.allSatisfy { (32...126).contains($0) } }
        guard printable else { throw BackupError(.invalidPassphrase, "a SLIP-39 passphrase holds printable ASCII characters only") }
    }
}
