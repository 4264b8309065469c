import CustosCore
import CustosPolicy
import Testing

/// Hostile and malformed documents are refused with a clear, positioned error, by the decoder's
/// limits (size, depth, node count, aliases) rather than after expanding them. No timing
/// assertion: the limits' codes show that the refusal came before the expansion.
@Suite struct HostileDocumentTests {
    /// Decodes and returns the first error; fails the test if the document is accepted.
    func refusal(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> PolicyDiagnostic? {
        let diagnostics = Fixtures.errors(text)
        #expect(!diagnostics.isEmpty, "document was accepted", sourceLocation: sourceLocation)
        return diagnostics.first
    }

    @Test func billionLaughsIsRefusedBeforeExpansion() throws {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"]
        var previous = "a"
        for name in names {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        text += "? *i\n: boom\n"
        let d = try #require(refusal(text))
        #expect(d.code == .yamlFeature)
        #expect(d.location == SourceLocation(line: 1, column: 4))
    }

    @Test(arguments: [
        ("policy: &name x\n", "anchors", 1, 9),
        ("policy: x\nversion: *v\n", "aliases", 2, 10),
        ("policy: !!str x\n", "tags", 1, 9),
        ("rules:\n  - !rule {name: a}\n", "tags", 2, 5),
        ("%YAML 1.1\n---\npolicy: x\n", "directives", 1, 1),
        ("x: [*a]\n", "aliases", 1, 5),
    ])
    func yamlFeaturesAreRefusedWithPosition(text: String, what: String, line: Int, column: Int) throws {
        let d = try #require(refusal(text))
        #expect(d.code == .yamlFeature)
        #expect(d.message.contains(what))
        #expect(d.location == SourceLocation(line: line, column: column))
    }

    @Test func mergeKeysAreRefused() throws {
        // Without an alias a merge key is still refused by name.
        let d = try #require(refusal("policy: x\n<<: {version: 1}\n"))
        #expect(d.code == .yamlFeature)
    }

    @Test func deepFlowNestingIsRefused() throws {
        let text = "policy: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let d = try #require(refusal(text))
        #expect(d.code == .limitExceeded)
    }

    @Test func deepBlockNestingIsRefused() throws {
        var text = "policy: x\nrules:\n"
        for depth in 0..<200 { text += String(repeating: "  ", count: depth + 1) + "- \n" }
        let d = try #require(refusal(text))
        #expect(d.code == .limitExceeded)
    }

    @Test func deepNestingOnOneLineIsRefused() throws {
        let text = "rules: " + String(repeating: "- ", count: 50_000) + "x\n"
        let d = try #require(refusal(text))
        #expect(d.code == .limitExceeded || d.code == .yamlSyntax)
    }

    @Test(arguments: [40, 300])
    func nestingHiddenBehindQuotedBracketsIsRefused(chunks: Int) throws {
        // Closing brackets inside quoted strings (double with \" escapes, single with ''
        // escapes) do not fool the depth estimate: the scan refuses at the 17th real bracket.
        let chunk = #"[[[["]]\"]]", ']]]''', "#
        var text = "policy: "
        for _ in 0..<chunks { text += chunk }
        text += "x" + String(repeating: "]", count: 4 * chunks)
        let d = try #require(refusal(text))
        #expect(d.code == .limitExceeded)
        #expect(d.location == SourceLocation(line: 1, column: 8 + 4 * chunk.count + 1))
    }

    @Test func quotedSymbolsAreText() throws {
        let text = Fixtures.yaml(rules: """
              - name: r
                description: "see: *notes & [refs]"
                match: {destination: {tags: ['exchange']}, amount: {up_to: 5}}
                when: "request.memo != '*' && request.memo != '&x' && request.memo != '[['"
                outcome: allow

            """)
        #expect(Fixtures.errors(text).isEmpty)
    }

    @Test func aQuoteCannotHideAnAliasOnTheNextLine() throws {
        let text = "a: x\n  'b\nc: *alias\n'\n"
        let d = try #require(refusal(text))
        #expect(d.code == .yamlFeature)
        #expect(d.location == SourceLocation(line: 3, column: 4))
    }

    @Test func hugeListIsRefused() throws {
        let text = "policy: x\nvaults: [" + Array(repeating: "v", count: 20_000).joined(separator: ",") + "]\n"
        let d = try #require(refusal(text))
        #expect(d.code == .limitExceeded)
        #expect(d.message.contains("20000"))
    }

    @Test func veryLongStringIsRefused() throws {
        let text = "policy: x\ndescription: \"" + String(repeating: "a", count: 10_000) + "\"\n"
        let d = try #require(refusal(text))
        #expect(d.code == .limitExceeded)
        #expect(d.location == SourceLocation(line: 2, column: 14))
    }

    @Test func oversizedDocumentIsRefusedBeforeParsing() throws {
        let text = "policy: x\n# " + String(repeating: "x", count: 2 << 20) + "\n"
        let d = try #require(refusal(text))
        #expect(d.code == .tooLarge)
    }

    @Test func tooManyNodesIsRefused() throws {
        var text = "policy: x\naddress_book:\n"
        for i in 0..<9_000 { text += "  e\(i): {chain: ethereum, address: a\(i), tags: [t1, t2, t3, t4, t5, t6, t7, t8, t9, t10]}\n" }
        let d = try #require(refusal(text))
        #expect(d.code == .limitExceeded)
    }

    @Test func duplicateKeysAreRefused() throws {
        let d = try #require(refusal("policy: x\nversion: 1\npolicy: y\n"))
        #expect(d.code == .duplicateKey)
    }

    @Test func duplicateRuleNamesAreRefused() throws {
        let text = Fixtures.yaml(rules: """
              - name: same
                outcome: deny
              - name: same
                outcome: allow
                match: {destination: {tags: [exchange]}}

            """)
        let d = try #require(refusal(text))
        #expect(d.code == .duplicateName)
        #expect(d.message.contains("same"))
    }

    @Test func unknownFieldsAreRefusedWithHints() throws {
        let text = Fixtures.yaml(rules: """
              - name: r
                match: {amount_usd: {up_too: 5}}
                outcome: allow

            """)
        _ = refusal(text)
        let d = try #require(Fixtures.errors(text).first { $0.code == .unknownField })
        #expect(d.message.contains("did you mean 'up_to'"))
        #expect(d.location.line > 50)
    }

    @Test func unknownTopLevelFieldIsRefused() throws {
        let d = try #require(refusal("policy: x\nversion: 1\nrules: []\ngovernence: {}\n"))
        #expect(d.code == .unknownField)
        #expect(d.location == SourceLocation(line: 4, column: 1))
    }

    @Test func multipleDocumentsAreRefused() throws {
        _ = try #require(refusal("policy: x\n---\npolicy: y\n"))
    }

    @Test func syntaxErrorsHavePositions() throws {
        let d = try #require(refusal("policy: x\nrules: [a, b\n"))
        #expect(d.code == .yamlSyntax)
        #expect(d.location.line >= 2)
    }

    @Test func wrongTypesAreNamed() throws {
        let errors = Fixtures.errors("policy: x\nversion: one\nrules: {}\n")
        #expect(errors.contains { $0.code == .wrongType && $0.location == SourceLocation(line: 2, column: 10) })
        #expect(errors.contains { $0.code == .wrongType && $0.location.line == 3 })
    }

    @Test func ordinaryTextWithSymbolsIsAccepted() throws {
        // `&`, `*` and `!` inside text (not at a token start) are fine.
        let text = Fixtures.yaml(rules: """
              - name: r
                description: R&D wallets, 5*3 ops, don't panic!
                match: {destination: {tags: [exchange]}, amount: {up_to: 5}}
                when: request.amount * 2 < 100 && request.asset != 'BTC'
                outcome: allow

            """)
        #expect(Fixtures.errors(text).isEmpty)
    }
}
