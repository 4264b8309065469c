import CustosCore
@testable import CustosPolicy
import Synchronization
import Testing

/// `CompiledPolicy.compiled(_:)`: an equal document gets the policy compiled before (the same
/// object, with the lockouts it has worked out), any difference gets its own, a document that
/// does not compile is refused every time, and only the most recent documents are kept.
@Suite struct RecentCompiledPolicyTests {
    /// A document no other test compiles (its own rule name), so that what this process
    /// compiled before does not decide what a test sees.
    static func document(_ tag: String, rules extra: String = "") throws -> PolicyDocument {
        try PolicyDocument.decode(yaml: Fixtures.yaml(rules: """
              - name: recent-\(tag)
                match: {kind: [transfer], asset: [USDC]}
                outcome: deny
            \(extra)
            """))
    }

    @Test func anEqualDocumentGetsThePolicyCompiledBeforeAndAnyChangeItsOwn() throws {
        let tag = "\(UInt64.random(in: 0...UInt64.max))"
        let first = try CompiledPolicy.compiled(try Self.document(tag))
        // Decoded again from the same text: an equal value, not the same one.
        let again = try CompiledPolicy.compiled(try Self.document(tag))
        #expect(again === first)
        #expect(!again.lockoutAnswers.withLock { $0.isEmpty }, "the checker's lockout answers are kept with the policy")

        // One more person (without roles, as the registries add one): another policy, compiled
        // from that document.
        var changed = try Self.document(tag)
        var person = try #require(changed.principals.first { $0.kind == .person })
        person.id = "newcomer"
        person.roles = []
        changed.principals.append(person)
        let other = try CompiledPolicy.compiled(changed)
        #expect(other !== first && other.document == changed && other.document != first.document)
        #expect(try CompiledPolicy.compiled(try Self.document(tag)) === first)
    }

    /// Swift's `==` holds for the NFC and the NFD spelling of a name; the policy handed back holds
    /// its own document's bytes, never those of the spelling compiled before.
    @Test func aNameSpelledInAnotherNormalFormGetsItsOwnPolicy() throws {
        let tag = "\(UInt64.random(in: 0...UInt64.max))"
        func spelled(_ id: String) throws -> PolicyDocument {
            var document = try Self.document(tag)
            var person = try #require(document.principals.first { $0.kind == .person })
            person.id = id
            person.roles = []
            document.principals.append(person)
            return document
        }
        let composed = "jos\u{E9}", decomposed = "jose\u{301}"
        let (nfc, nfd) = (try spelled(composed), try spelled(decomposed))
        #expect(nfc == nfd && composed == decomposed && !composed.utf8.elementsEqual(decomposed.utf8))
        let first = try CompiledPolicy.compiled(nfc)
        let second = try CompiledPolicy.compiled(nfd)
        #expect(second !== first)
        #expect(second.document.principals.last.map { Array($0.id.utf8) } == Array(decomposed.utf8))
        #expect(first.document.principals.last.map { Array($0.id.utf8) } == Array(composed.utf8))
        #expect(try CompiledPolicy.compiled(nfd) === second)
    }

    @Test func aDocumentThatDoesNotCompileIsRefusedEveryTime() throws {
        let tag = "\(UInt64.random(in: 0...UInt64.max))"
        let broken = try Self.document(tag, rules: """
              - name: needs-a-missing-group
                match: {kind: [transfer]}
                outcome: {require: {group: no-such-group, count: 1}}
            """)
        for _ in 0..<2 {
            #expect(throws: PolicyLoadError.self) { try CompiledPolicy.compiled(broken) }
        }
    }

    @Test func onlyTheMostRecentDocumentsAreKept() throws {
        let tag = "\(UInt64.random(in: 0...UInt64.max))"
        // Other suites compile beside this one; a few more than the capacity leaves room for them.
        let first = try CompiledPolicy.compiled(try Self.document(tag))
        for n in 0..<(CompiledPolicy.recentCapacity * 4) { _ = try CompiledPolicy.compiled(try Self.document("\(tag)-\(n)")) }
        let later = try CompiledPolicy.compiled(try Self.document(tag))
        #expect(later !== first && later.document == first.document)
    }
}
