import CustosIdentity
import CustosLedger
import CustosState
import Foundation

/// Entries for tests of the log's own mechanics (sequencing, durability, catch-up, restarts),
/// now that every entry in the log is of a kind the nodes know and signed: a rejection, by a
/// person (erin unless named), of an operation that does not exist. It is well-formed and carries an assertion with a
/// signature, so the gateway queues it (its state refuses it before reading the assertion, for
/// the unknown operation, which is no failed authentication) and every node accepts a block
/// carrying it and records the same refusal. The same note is always the same entry.
enum TestNote {
    /// Never verified: the state refuses the entry for its unknown operation first.
    static let placeholderAssertion = WebAuthnAssertion.Response(
        credentialId: [1], authenticatorData: [UInt8](repeating: 0, count: 37), clientDataJSON: Array("{}".utf8), signature: [1],
        userHandle: nil)

    static func entry(_ note: String, by user: String = "erin") throws -> Entry {
        try GovernanceEntry.reject(operationId: "note-\(note)", user: user, assertion: placeholderAssertion).entry()
    }

    /// The entry as `custos node status` lists it: `kind:base64(payload)`.
    static func key(_ note: String) throws -> String {
        let entry = try entry(note)
        return "\(entry.kind):\(Data(entry.payload).base64EncodedString())"
    }
}
