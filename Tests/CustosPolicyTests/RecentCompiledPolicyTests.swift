import CustosCore
import Foundation
@testable import CustosPolicy
import Synchronization
import Testing

/// `RecentCompiledPolicies`: an identical document gets the policy compiled before (the same
/// object, with the lockouts it has worked out), any difference (a spelling of a name in another
/// normal form included) gets its own, a document that does not compile is refused every time and
/// not kept, and only the most recent documents are kept. Each test uses its own cache, so tests
/// compiling beside it do not decide what it sees. Only documents whose lockout check samples
/// every hour of the week are kept: the documents here have a condition on `change_policy`.
@Suite struct RecentCompiledPolicyTests {
    /// A governance rule with a condition on changing the policy: the lockout check samples every
    /// hour of the week, so the compiled policy is worth keeping.
    static let hourly = """
          - name: no-policy-change-on-oneself
            match: {operation: [change_policy]}
            when: request.operation.target == request.initiator
            outcome: deny
        """

    static func document(_ tag: String = "t", rules extra: String = "") throws -> PolicyDocument {
        try PolicyDocument.decode(yaml: Fixtures.yaml(rules: """
              - name: recent-\(tag)
                match: {kind: [transfer], asset: [USDC]}
                outcome: deny
            \(hourly)
            \(extra)
            """))
    }

    /// The example policy with `hourly` among its rules.
    static func exampleSampledHourly() throws -> PolicyDocument {
        let text = try Fixtures.examplePolicyText()
        let rules = try #require(text.range(of: "\nrules:\n"))
        return try PolicyDocument.decode(yaml: text.replacingCharacters(in: rules, with: "\nrules:\n" + hourly + "\n"))
    }

    /// `document` with one more person (no roles, as the registries add one) named `id`.
    static func withPerson(_ id: String, _ document: PolicyDocument) throws -> PolicyDocument {
        var document = document
        var person = try #require(document.principals.first { $0.kind == .person })
        person.id = id
        person.roles = []
        document.principals.append(person)
        return document
    }

    @Test func anIdenticalDocumentGetsThePolicyCompiledBeforeAndAnyChangeItsOwn() throws {
        let recent = RecentCompiledPolicies(capacity: 4)
        let first = try recent.compiled(try Self.document())
        // Decoded again from the same text: an equal value, not the same one.
        let again = try recent.compiled(try Self.document())
        #expect(again === first && recent.count == 1)
        #expect(!again.lockoutAnswers.withLock { $0.isEmpty }, "the checker's lockout answers are kept with the policy")

        let changed = try Self.withPerson("newcomer", try Self.document())
        let other = try recent.compiled(changed)
        #expect(other !== first && other.document == changed && other.document != first.document && recent.count == 2)
        #expect(try recent.compiled(try Self.document()) === first)
    }

    /// What a kept policy answers is what a fresh compile of the document answers.
    @Test func aKeptPolicyAnswersAsAFreshCompile() throws {
        let recent = RecentCompiledPolicies(capacity: 2)
        let document = try Self.exampleSampledHourly()
        let first = try recent.compiled(document)
        let kept = try recent.compiled(document), fresh = try CompiledPolicy(document: document)
        #expect(kept === first && recent.count == 1)
        #expect(kept.warnings == fresh.warnings)
        for people in [["erin", "frank", "grace", "heidi"], ["erin", "frank", "grace", "heidi", "laura"]] {
            #expect(kept.governanceLockouts(people: people) == fresh.governanceLockouts(people: people))
        }
        let unfreeze = PolicyRequest(kind: .governance, initiator: "heidi", operation: .init(.unfreeze), approvals: ["erin", "frank"])
        #expect(kept.evaluate(unfreeze, in: StateSnapshot(time: 1_800_000_000)) == fresh.evaluate(unfreeze, in: StateSnapshot(time: 1_800_000_000)))
    }

    /// Swift's `==` holds for the NFC and the NFD spelling of a name; the policy handed back holds
    /// its own document's bytes, never those of the spelling compiled before.
    @Test func aNameSpelledInAnotherNormalFormGetsItsOwnPolicy() throws {
        let recent = RecentCompiledPolicies(capacity: 4)
        let composed = "jos\u{E9}", decomposed = "jose\u{301}"
        let (nfc, nfd) = (try Self.withPerson(composed, try Self.document()), try Self.withPerson(decomposed, try Self.document()))
        #expect(nfc == nfd && composed == decomposed && !composed.utf8.elementsEqual(decomposed.utf8))
        let first = try recent.compiled(nfc)
        let second = try recent.compiled(nfd)
        #expect(second !== first && recent.count == 2)
        #expect(second.document.principals.last.map { Array($0.id.utf8) } == Array(decomposed.utf8))
        #expect(first.document.principals.last.map { Array($0.id.utf8) } == Array(composed.utf8))
        #expect(try recent.compiled(nfd) === second && recent.compiled(nfc) === first)
    }

    /// The lockout check of the example policy needs only its rules' own times (its one
    /// governance condition is on granting roles): the policy is compiled again each time, which
    /// costs less than the key, and nothing is kept.
    @Test func aDocumentWhoseLockoutCheckIsCheapIsCompiledEachTime() throws {
        let recent = RecentCompiledPolicies(capacity: 2)
        let document = try PolicyDocument.decode(yaml: Fixtures.examplePolicyText())
        #expect(!GovernanceWeek.samplesEveryHour(document))
        let first = try recent.compiled(document), second = try recent.compiled(document)
        #expect(first !== second && recent.count == 0 && first.document == second.document)
        #expect(GovernanceWeek.samplesEveryHour(try Self.exampleSampledHourly()))
    }

    /// Which documents sample every hour: a condition on a governance rule that can apply to
    /// `change_policy` or `unfreeze` (an empty list of operations, or only unknown names, apply
    /// to every operation); not a condition on other operations, on transfers, or a governance
    /// rule without one.
    @Test(arguments: [
        ("{operation: [change_policy]}", "when: request.initiator == 'erin'", true),
        ("{operation: [unfreeze, add_user]}", "when: request.initiator == 'erin'", true),
        ("{operation: []}", "when: request.initiator == 'erin'", true),
        ("{operation: [assign_role]}", "when: request.initiator == 'erin'", false),
        ("{operation: [change_policy]}", "", false),
        ("{kind: [transfer]}", "when: request.initiator == 'erin'", false),
    ])
    func samplesEveryHourWhenAConditionCanApplyToTheCheckedOperations(match: String, when: String, expected: Bool) throws {
        let document = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: """
              - name: under-test
                match: \(match)
            \(when.isEmpty ? "" : "    " + when)
                outcome: deny
            """))
        #expect(GovernanceWeek.samplesEveryHour(document) == expected)
    }

    @Test func aDocumentThatDoesNotCompileIsRefusedEveryTimeAndNotKept() throws {
        let recent = RecentCompiledPolicies(capacity: 4)
        _ = try recent.compiled(try Self.document())
        let broken = try Self.document(rules: """
              - name: needs-a-missing-group
                match: {kind: [transfer]}
                outcome: {require: {group: no-such-group, count: 1}}
            """)
        for _ in 0..<2 {
            #expect(throws: PolicyLoadError.self) { try recent.compiled(broken) }
            #expect(recent.count == 1)
        }
    }

    @Test func theMostRecentlyUsedDocumentsAreKeptUpToTheCapacity() throws {
        let recent = RecentCompiledPolicies(capacity: 3)
        let documents = try (0..<4).map { try Self.document("\($0)") }
        let policies = try documents.prefix(3).map { try recent.compiled($0) }
        #expect(recent.count == 3)
        // Using the oldest makes it the newest: the fourth pushes out the second, not the first.
        #expect(try recent.compiled(documents[0]) === policies[0])
        _ = try recent.compiled(documents[3])
        #expect(recent.count == 3)
        #expect(try recent.compiled(documents[0]) === policies[0])
        #expect(try recent.compiled(documents[2]) === policies[2])
        #expect(try recent.compiled(documents[1]) !== policies[1])
    }

    @Test func concurrentCompilesOfOneDocumentKeepOneEntry() async throws {
        let recent = RecentCompiledPolicies(capacity: 4)
        let document = try Self.document()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try recent.compiled(document) } }
            try await group.waitForAll()
        }
        #expect(recent.count == 1)
    }

    /// The key is the document's fields found by reflection: it tells every field and every text
    /// byte apart only while each value shows all it holds. A custom reflection, a custom
    /// description on a value without fields that holds text, or a class, would let two documents
    /// share a key. The example policy (every section) is walked: every value is a struct, enum
    /// or tuple, and the only ones with their own descriptions are collections, which show every
    /// element, and leaves without text. Two decodings of one text get one key, whatever order
    /// their dictionaries hold their members in.
    @Test func everyValueInADocumentPrintsAllItHolds() throws {
        let document = try PolicyDocument.decode(yaml: Fixtures.examplePolicyText())
        let leaves: Set<String> = ["String", "Int", "Int64", "UInt64", "UInt32", "Int32", "UInt8", "Int128", "UInt128", "Bool", "FixedDecimal", "SourceLocation"]
        let collections = ["Optional<", "Array<", "Dictionary<", "Set<"]
        var custom: Set<String> = [], classes: Set<String> = [], walked = 0
        func walk(_ value: Any) {
            walked += 1
            let type = String(describing: Swift.type(of: value))
            if Swift.type(of: value) is AnyClass { classes.insert(type) }
            if value is any CustomStringConvertible || value is any CustomDebugStringConvertible || value is any CustomReflectable,
               !leaves.contains(type), !collections.contains(where: type.hasPrefix) {
                custom.insert(type)
            }
            for child in Mirror(reflecting: value).children { walk(child.value) }
        }
        walk(document)
        #expect(walked > 1_000, "the example policy holds more than \(walked) values")
        #expect(custom.isEmpty, "types in a policy document with their own descriptions: \(custom.sorted())")
        #expect(classes.isEmpty, "classes in a policy document: \(classes.sorted())")
        #expect(RecentCompiledPolicies.key(of: document) == RecentCompiledPolicies.key(of: try PolicyDocument.decode(yaml: Fixtures.examplePolicyText())))
    }
}
