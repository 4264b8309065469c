import CustosCore
import CustosCrypto

/// Commit-then-reveal joint randomness: every participant commits to 32 random bytes, then
/// reveals them; the result hashes all reveals. No participant can bias the result after
/// seeing the others' values, and a reveal that does not match its commitment is named.
/// Used for the threshold-ECDSA key's BIP-32 chain code.
public enum JointRandomness {
    public struct Secret: Sendable, CustomStringConvertible {
        public let identifier: Identifier<Secp256k1SHA256>
        let value: [UInt8]
        public var description: String { "JointRandomness.Secret(\(identifier), redacted)" }
    }

    /// Round 1: a fresh value and the commitment to broadcast.
    public static func commit(identifier: Identifier<Secp256k1SHA256>, label: String) -> (Secret, commitment: [UInt8]) {
        let value = SecureRandom.bytes(count: 32)
        return (Secret(identifier: identifier, value: value), commitment(identifier: identifier, label: label, value: value))
    }

    /// Round 2: the value to broadcast once everyone's commitment has been received.
    public static func reveal(_ secret: Secret) -> [UInt8] { secret.value }

    /// Checks every reveal against its commitment and combines them.
    public static func combine(
        label: String, commitments: [Identifier<Secp256k1SHA256>: [UInt8]], reveals: [Identifier<Secp256k1SHA256>: [UInt8]]
    ) throws(MPCError) -> [UInt8] {
        let participants = commitments.keys.sorted()
        try Participants.requireExactly(participants, present: reveals.keys, what: "reveal")
        var transcript = Array("custos/joint-randomness/\(label)".utf8)
        for id in participants {
            let value = reveals[id]!
            guard value.count == 32, commitment(identifier: id, label: label, value: value) == commitments[id]! else {
                throw MPCError(.commitmentMismatch, "the reveal of \(id) does not match its commitment", culprits: [id.description])
            }
            transcript += id.scalar.rawRepresentation + value
        }
        return Hashes.sha256(transcript)
    }

    /// Whether `value` is what `commitment` committed to, for one participant: lets a third
    /// party check each reveal as it arrives, before all are in.
    public static func verifies(reveal value: [UInt8], commitment: [UInt8], identifier: Identifier<Secp256k1SHA256>, label: String) -> Bool {
        value.count == 32 && Self.commitment(identifier: identifier, label: label, value: value) == commitment
    }

    static func commitment(identifier: Identifier<Secp256k1SHA256>, label: String, value: [UInt8]) -> [UInt8] {
        Hashes.sha256(Array("custos/joint-randomness-commit/\(label)".utf8), identifier.scalar.rawRepresentation, value)
    }
}
