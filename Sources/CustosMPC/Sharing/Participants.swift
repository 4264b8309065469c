import CustosCore

/// The one check that a round's messages came from exactly the expected participants:
/// missing senders and unexpected senders are errors that name them.
enum Participants {
    static func requireExactly<Suite: Ciphersuite>(
        _ expected: [Identifier<Suite>], present: some Collection<Identifier<Suite>>, what: String
    ) throws(MPCError) {
        let presentSet = Set(present)
        let missing = expected.filter { !presentSet.contains($0) }
        guard missing.isEmpty else {
            throw MPCError(.missingParticipant, "no \(what) from \(missing.map(\.description).joined(separator: ", "))",
                           culprits: missing.map(\.description))
        }
        let extra = presentSet.subtracting(expected).sorted()
        guard extra.isEmpty else {
            throw MPCError(.unexpectedParticipant, "\(what) from participants outside this run",
                           culprits: extra.map(\.description))
        }
    }
}
