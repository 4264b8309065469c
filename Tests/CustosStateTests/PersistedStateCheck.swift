import CustosPolicy
@testable import CustosState
import Testing

/// Every stored property of a value, recursively, as text: dictionaries and sets by their
/// elements sorted (their iteration order is not part of their value), everything else in
/// order. Two states with the same dump hold the same values in every room, down to the
/// indexes and caches a room keeps, so a state that went through its persisted encoding and
/// came back dumps exactly as before. `skipping` names properties that are derived and rebuilt
/// on their own (the digest cache).
func canonicalDump(_ value: Any, skipping: Set<String> = ["digestCache", "overdueCheck"]) -> String {
    let mirror = Mirror(reflecting: value)
    // Numbers whose storage varies with how they were made (a BigUInt held inline or in an
    // array): by their value.
    if ["BigUInt", "BigInt"].contains(String(describing: mirror.subjectType)) { return "\(mirror.subjectType):\(value)" }
    func children() -> [String] {
        mirror.children.compactMap { child in
            if let label = child.label, skipping.contains(label) { return nil }
            return "\(child.label ?? "_")=\(canonicalDump(child.value, skipping: skipping))"
        }
    }
    switch mirror.displayStyle {
    case .dictionary, .set:
        return "\(mirror.subjectType){\(children().sorted().joined(separator: ","))}"
    case .struct, .class, .tuple, .collection, .optional:
        return "\(mirror.subjectType)(\(children().joined(separator: ",")))"
    case .enum:
        let payload = children()
        return payload.isEmpty ? "\(mirror.subjectType).\(value)" : "\(mirror.subjectType).\(payload.joined(separator: ","))"
    default:
        return "\(mirror.subjectType):\(value)"
    }
}

/// `state` through its persisted encoding and back: the same digest, and the same value in
/// every room (`canonicalDump`), the policy in force included.
func expectPersistsWhole(_ state: ReplicatedState, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let persisted = try PersistedState(state)
    let restored = try persisted.state()
    #expect(restored.digest == state.digest, sourceLocation: sourceLocation)
    // The policy in force is a function of the document it was compiled from: compared by it
    // (dumping the compiled policy's indexes would cost more than the rest of the state).
    #expect(restored.policy.document == state.policy.document, sourceLocation: sourceLocation)
    #expect(restored.document == state.document, sourceLocation: sourceLocation)
    let skipped: Set<String> = ["digestCache", "overdueCheck", "policy", "document"]
    let before = canonicalDump(state, skipping: skipped), after = canonicalDump(restored, skipping: skipped)
    if before != after {
        let a = Array(before), b = Array(after)
        let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        Issue.record("the restored state differs from the state persisted, from: \(String(a[max(0, first - 300)..<min(a.count, first + 200)]))\n  restored: \(String(b[max(0, first - 300)..<min(b.count, first + 200)]))",
                     sourceLocation: sourceLocation)
    }
}

/// The snapshot's body carries every stored property of the state but the derived ones: a
/// property added to `ReplicatedState` and not to `PersistedState.Body` (or the other way
/// round) fails here, whether or not a test fills it. Names only, at the top level: the values,
/// and the rooms' own properties, are what `expectPersistsWhole` compares.
@Suite struct PersistedStateBodyTests {
    @Test func theBodyCarriesEveryStoredPropertyOfTheState() throws {
        let state = try Cluster().state
        let derived: Set<String> = ["policy", "document", "digestCache", "overdueCheck"]
        let ownLabels: Set<String> = ["format", "digestTag", "software", "principals"]
        let stateLabels = Set(Mirror(reflecting: state).children.compactMap(\.label)).subtracting(derived)
        let bodyLabels = Set(Mirror(reflecting: PersistedState.Body(state)).children.compactMap(\.label)).subtracting(ownLabels)
        #expect(stateLabels.count >= 30, "Mirror lists the state's stored properties")
        #expect(stateLabels.subtracting(bodyLabels).sorted() == [], "stored in the state, not in the snapshot")
        #expect(bodyLabels.subtracting(stateLabels).sorted() == [], "in the snapshot, not stored in the state")
    }
}
