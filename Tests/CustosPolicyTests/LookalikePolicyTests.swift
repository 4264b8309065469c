import CustosCore
@testable import CustosPolicy
import Testing

/// Look-alike and poisoned destinations (`lookalike`, `poisoning`): a destination outside the
/// address book that resembles an entry, or that a dust transfer planted in a vault's history,
/// is flagged, explained, and denied by the example policy; the address book's own entries,
/// in any case and on any chain, are not.
@Suite struct LookalikePolicyTests {
    static let policy = ExamplePolicyTests.policy
    static let kraken = ExamplePolicyTests.kraken

    /// A deterministic stream of hex digits (`LookalikeIndexTests.Stream`, SplitMix64), so that
    /// each seed generates one address the test did not pick by hand.
    struct Digits {
        var stream: LookalikeIndexTests.Stream
        init(state: UInt64) { stream = .init(state: state) }
        mutating func next() -> Character { Character(Unicode.Scalar(stream.digit())) }
    }

    /// An address with `address`'s first 4 and last 4 hex digits and 32 generated ones between.
    static func lookalike(of address: String, seed: UInt64) -> String {
        var digits = Digits(state: seed)
        let hex = Array(address.dropFirst(2))
        return "0x" + String(hex[..<4]) + String((0..<32).map { _ in digits.next() }) + String(hex[36...])
    }

    static func decide(_ request: PolicyRequest, _ state: StateSnapshot = ExamplePolicyTests.state()) -> (PolicyDecision, [String]) {
        let explanation = policy.explain(request, in: state)
        return (explanation.decision, explanation.lines)
    }

    /// Whether `condition` holds for `request` in `state` under the example policy.
    static func holds(_ condition: String, _ request: PolicyRequest, _ state: StateSnapshot = ExamplePolicyTests.state()) throws -> Bool {
        let compiled = try ExpressionCompiler.compileCondition(condition, at: .start)
        return try compiled.bool(EvaluationContext(policy: policy, request: request, state: state), nil)
    }

    @Test(arguments: [1, 2, 3, 17, 4242] as [UInt64])
    func aGeneratedLookalikeOfKrakenIsFlaggedAndDenied(seed: UInt64) throws {
        let fake = Self.lookalike(of: Self.kraken, seed: seed)
        #expect(fake != Self.kraken)
        for initiator in ["alice", "risk-bot"] {
            let (decision, lines) = Self.decide(ExamplePolicyTests.send(initiator, "1000", to: fake))
            #expect(decision.outcome == .deny)
            #expect(decision.reason == .deniedByRule("deny-lookalike-destination"), "\(initiator): \(lines)")
            #expect(decision.warnings.map(\.kind) == [.lookalike])
            #expect(decision.warnings.first?.resembles == "kraken-eth")
            #expect(lines.contains("LOOK-ALIKE: 0x2e6d…ba8f resembles kraken-eth (0x2e6d…ba8f on ethereum): the same first 4 and last 4 hex digits, but it is not in the address book on ethereum"), "\(lines)")
        }
        let request = ExamplePolicyTests.send("alice", "1000", to: fake)
        #expect(try Self.holds("request.destination_lookalike", request))
        #expect(try Self.holds("request.destination_resembles == 'kraken-eth'", request))
    }

    @Test func everyAddressBookEntryIsNotALookalikeOnItsChainInAnyCase() throws {
        for entry in Self.policy.document.addressBook {
            let spellings = entry.address.hasPrefix("0x") ? [entry.address, entry.address.lowercased(), "0x" + entry.address.dropFirst(2).uppercased()] : [entry.address]
            for spelling in spellings {
                let request = ExamplePolicyTests.send("alice", "10", to: spelling, chain: entry.chain.value)
                #expect(!(try Self.holds("request.destination_lookalike", request)), "\(entry.name) as \(spelling)")
                #expect(try Self.holds("request.destination_resembles == ''", request))
                #expect(Self.policy.evaluate(request, in: ExamplePolicyTests.state()).warnings.isEmpty)
            }
        }
    }

    @Test func mixedCaseLookalikesAreFlagged() throws {
        let fake = Self.lookalike(of: Self.kraken, seed: 99)
        let shouting = "0x" + fake.dropFirst(2).uppercased()
        var mixed = "0x"
        for (i, c) in fake.dropFirst(2).enumerated() { mixed += i % 2 == 0 ? c.uppercased() : String(c) }
        for spelling in [shouting, mixed] {
            let (decision, _) = Self.decide(ExamplePolicyTests.send("alice", "1000", to: spelling))
            #expect(decision.reason == .deniedByRule("deny-lookalike-destination"), "\(spelling)")
        }
    }

    @Test func aSmallEditDistanceIsFlaggedALargerOneIsNot() throws {
        var hex = Array(Self.kraken.dropFirst(2))
        // The first digit changed (so the prefix no longer matches) and one in the middle: 2 edits.
        hex[0] = hex[0] == "f" ? "0" : "f"
        hex[20] = hex[20] == "f" ? "0" : "f"
        let twoEdits = "0x" + String(hex)
        let (decision, lines) = Self.decide(ExamplePolicyTests.send("alice", "1000", to: twoEdits))
        #expect(decision.reason == .deniedByRule("deny-lookalike-destination"))
        #expect(lines.contains { $0.hasPrefix("LOOK-ALIKE: ") && $0.contains("resembles kraken-eth") && $0.contains("2 character edits apart") }, "\(lines)")
        // A third edit, in the suffix: neither test holds any more.
        hex[39] = hex[39] == "f" ? "0" : "f"
        let threeEdits = "0x" + String(hex)
        #expect(!(try Self.holds("request.destination_lookalike", ExamplePolicyTests.send("alice", "1000", to: threeEdits))))
        // One digit dropped and another added at the end: an insertion and a deletion.
        let shifted = "0x" + String(Array(Self.kraken.dropFirst(2))[1...]) + "0"
        #expect(LookalikeIndex.editDistance(Array(Self.kraken.dropFirst(2).utf8), Array(shifted.dropFirst(2).utf8), atMost: 2) == 2)
        #expect(try Self.holds("request.destination_resembles == 'kraken-eth'", ExamplePolicyTests.send("alice", "1000", to: shifted)))
        #expect(LookalikeIndex.editDistance(Array("abc".utf8), Array("xyz".utf8), atMost: 2) == nil)
        #expect(LookalikeIndex.editDistance(Array("abc".utf8), Array("abc".utf8), atMost: 0) == 0)
    }

    @Test func otherChainsCompareWithEveryEVMEntryAndAnEntrysOwnAddressElsewhereIsALookalike() throws {
        // Kraken's Ethereum address asked for on Arbitrum: not in the book there, and the same
        // address on another chain need not be Kraken's (a contract wallet there can be deployed
        // by anyone): flagged as that entry's look-alike and denied (final review helper-72 L3).
        let same = ExamplePolicyTests.send("alice", "10", to: Self.kraken, chain: "arbitrum")
        #expect(!(try Self.holds("request.destination.known", same)))
        #expect(try Self.holds("request.destination_lookalike", same))
        #expect(try Self.holds("request.destination_resembles == 'kraken-eth'", same))
        let (sameDecision, sameLines) = Self.decide(same)
        #expect(sameDecision.reason == .deniedByRule("deny-lookalike-destination"))
        #expect(sameLines.contains(
            "LOOK-ALIKE: 0x2e6d…ba8f resembles kraken-eth (0x2e6d…ba8f on ethereum): the same address, but it is not in the address book on arbitrum"),
            "\(sameLines)")
        // A look-alike of it on Base is flagged, naming the entry's own chain.
        let fake = Self.lookalike(of: Self.kraken, seed: 7)
        let (decision, lines) = Self.decide(ExamplePolicyTests.send("alice", "10", to: fake, chain: "base"))
        #expect(decision.reason == .deniedByRule("deny-lookalike-destination"))
        #expect(lines.contains { $0.contains("resembles kraken-eth (0x2e6d…ba8f on ethereum)") && $0.hasSuffix("not in the address book on base") })
        // Bitcoin and Solana addresses are not compared.
        let btc = ExamplePolicyTests.send("alice", "1", "BTC", to: "bc1qkr4k3nxf2d5l8yq7v0c9m6t3w2h5j4g8p0s7b", vault: "btc-treasury", chain: "bitcoin")
        #expect(!(try Self.holds("request.destination_lookalike", btc)))
    }

    /// A look-alike the quorum was led to add to the book (a gateway hiding the change page's
    /// warning, an admin pasting a poisoned address) is still flagged and denied once it is in
    /// the book, and so is the entry it copies, since no node can tell which is planted; `policy
    /// check` names the pair. Entries that do not resemble each other stay unflagged (final
    /// review helper-72 M1).
    @Test func aLookalikeAddedToTheAddressBookIsStillDeniedAndSoIsTheEntryItCopies() throws {
        let fake = Self.lookalike(of: Self.kraken, seed: 11)
        let text = try Fixtures.examplePolicyText().replacing("address_book:\n", with: """
            address_book:
              kraken-eth-2:
                chain: ethereum
                address: "\(fake)"
                counterparty: kraken
                tags: [exchange, tier1]

            """)
        let planted = try CompiledPolicy(yaml: text)
        for (destination, name) in [(fake, "kraken-eth-2"), (Self.kraken, "kraken-eth")] {
            let request = ExamplePolicyTests.send("alice", "1000", to: destination)
            #expect(planted.addressBookEntry(of: request) == name)
            let explanation = planted.explain(request, in: ExamplePolicyTests.state())
            #expect(explanation.decision.reason == .deniedByRule("deny-lookalike-destination"), "\(name): \(explanation.lines)")
            #expect(explanation.decision.warnings.map(\.kind) == [.lookalike])
            #expect(explanation.lines.contains { $0.hasPrefix("LOOK-ALIKE: ") && $0.hasSuffix("and both are in the address book: one of them may be a planted look-alike; remove the wrong one") },
                    "\(explanation.lines)")
        }
        #expect(Fixtures.warnings(text).contains {
            $0.code == .lookalikeEntries && $0.message.hasPrefix("address book entries 'kraken-eth-2' and 'kraken-eth' look alike (the same first 4 and last 4 hex digits)")
        }, "\(Fixtures.warnings(text).map(\.message))")
        // The example's own book has no such pair, and its entries are not flagged (above).
        #expect(Fixtures.warnings(try Fixtures.examplePolicyText()).allSatisfy { $0.code != .lookalikeEntries })
        // An entry that resembles no other entry, added the same way, is not flagged.
        let honest = try CompiledPolicy(yaml: try Fixtures.examplePolicyText().replacing("address_book:\n", with: """
            address_book:
              bitstamp-eth:
                chain: ethereum
                address: "\(ExamplePolicyTests.stranger)"
                counterparty: kraken

            """))
        #expect(honest.evaluate(ExamplePolicyTests.send("alice", "10", to: ExamplePolicyTests.stranger), in: ExamplePolicyTests.state()).warnings.isEmpty)
    }

    /// Only the affix test applies between entries: honest contracts a firm lists are often a
    /// few edits apart (Base's WETH `0x4200…0006` and standard bridge `0x4200…0010`), and an
    /// address listed on two chains is that address on both, not a look-alike (review helper-76).
    @Test func entriesAFewEditsApartAndOneAddressOnTwoChainsAreNotFlagged() throws {
        let weth = "0x4200000000000000000000000000000000000006", bridge = "0x4200000000000000000000000000000000000010"
        #expect(LookalikeIndex.editDistance(Array(weth.dropFirst(2).utf8), Array(bridge.dropFirst(2).utf8), atMost: 2) == 2)
        let text = try Fixtures.examplePolicyText().replacing("address_book:\n", with: """
            address_book:
              base-weth:
                chain: base
                address: "\(weth)"
                tags: [defi]
              base-bridge:
                chain: base
                address: "\(bridge)"
                tags: [defi]
              kraken-arb:
                chain: arbitrum
                address: "\(Self.kraken)"
                counterparty: kraken
                tags: [exchange, tier1]

            """)
        let policy = try CompiledPolicy(yaml: text)
        for (address, chain) in [(weth, "base"), (bridge, "base"), (Self.kraken, "arbitrum"), (Self.kraken, "ethereum")] {
            let request = ExamplePolicyTests.send("alice", "10", to: address, chain: chain)
            #expect(policy.evaluate(request, in: ExamplePolicyTests.state()).warnings.isEmpty, "\(address) on \(chain)")
        }
        #expect(Fixtures.warnings(text).allSatisfy { $0.code != .lookalikeEntries }, "\(Fixtures.warnings(text).map(\.message))")
        // Outside the book, the edit-distance test still holds: WETH's neighbour 0x4200…0007 is flagged.
        let neighbour = "0x4200000000000000000000000000000000000007"
        let warnings = policy.evaluate(ExamplePolicyTests.send("alice", "10", to: neighbour, chain: "base"), in: ExamplePolicyTests.state()).warnings
        #expect(warnings.map(\.kind) == [.lookalike] && warnings.first?.resembles == "base-weth", "\(warnings)")
    }

    @Test func theSectionIsValidatedAndCanTurnTestsOff() throws {
        let base = try Fixtures.examplePolicyText()
        func errors(_ section: String) -> [String] {
            Fixtures.errors(base.replacing("lookalike: {prefix: 4, suffix: 4, max_edit_distance: 2}", with: section)).map(\.message)
        }
        #expect(errors("lookalike: {prefix: 1, suffix: 1}").contains { $0.contains("at least 4 hex digits together") })
        #expect(errors("lookalike: {prefix: 17}").contains { $0.contains("lookalike.prefix must be between 0 and 16") })
        #expect(errors("lookalike: {max_edit_distance: 9}").contains { $0.contains("lookalike.max_edit_distance must be between 0 and 8") })
        #expect(errors("lookalike: {prefix: 4, sufix: 4}").contains { $0.contains("sufix") })
        #expect(Fixtures.errors(base.replacing("dust: {USDC: 1, USDT: 1}", with: "dust: {DOGE: 1}"))
            .contains { $0.message.contains("asset 'DOGE' of poisoning.dust is not an asset of the policy") })
        #expect(Fixtures.errors(base.replacing("dust_usd: 1", with: "dust_usd: -1")).contains { $0.message.contains("poisoning.dust_usd must not be negative") })
        // Both tests off: a look-alike is no longer flagged.
        let off = try CompiledPolicy(yaml: base.replacing("lookalike: {prefix: 4, suffix: 4, max_edit_distance: 2}",
                                                           with: "lookalike: {prefix: 0, suffix: 0, max_edit_distance: 0}"))
        let request = ExamplePolicyTests.send("alice", "10", to: Self.lookalike(of: Self.kraken, seed: 5))
        #expect(off.evaluate(request, in: ExamplePolicyTests.state()).warnings.isEmpty)
        let diff = PolicyDiff(old: Self.policy.document, new: off.document)
        #expect(diff.lines.contains("lookalike prefix and suffix: 4+4 → 0+0 hex digits (weaker)"))
        #expect(diff.lines.contains("lookalike max_edit_distance: 2 → 0 (weaker)"))
        // Review L1: moving digits from one end to the other is a change, not a strengthening.
        for (to, expected) in [("{prefix: 8, suffix: 0}", "4+4 → 8+0 hex digits (changed)"), ("{prefix: 3, suffix: 5}", "4+4 → 3+5 hex digits (changed)"),
                               ("{prefix: 3, suffix: 3}", "4+4 → 3+3 hex digits (stronger)"), ("{prefix: 5, suffix: 4}", "4+4 → 5+4 hex digits (weaker)")] {
            let moved = try PolicyDocument.decode(yaml: base.replacing("lookalike: {prefix: 4, suffix: 4, max_edit_distance: 2}", with: "lookalike: \(to)"))
            let lines = PolicyDiff(old: Self.policy.document, new: moved).lines
            #expect(lines.contains("lookalike prefix and suffix: " + expected), "\(lines)")
        }
        // Review of watch6 M2: fewer watchers that must agree is weaker, more is stronger.
        for (to, expected) in [("min_watchers: 1", "poisoning min_watchers: 2 → 1 (weaker)"), ("min_watchers: 3", "poisoning min_watchers: 2 → 3 (stronger)")] {
            let changed = try PolicyDocument.decode(yaml: base.replacing("min_watchers: 2", with: to))
            let lines = PolicyDiff(old: Self.policy.document, new: changed).lines
            #expect(lines.contains(expected), "\(lines)")
        }
        #expect(!PolicyDiff(old: Self.policy.document, new: Self.policy.document).lines.contains { $0.contains("min_watchers") })
    }

    static let stranger = ExamplePolicyTests.stranger

    static func poisoned(_ state: StateSnapshot, reportedAt: Int64, key: String = "ethereum/" + stranger) -> StateSnapshot {
        var s = state
        s.appearances[key] = AddressAppearance(
            reportedAt: reportedAt, vaultAddress: "0x0f17c8226aa33959cf059efac53989db221030b9", incoming: true, transfer: "0.0001 USDC",
            block: 120, transaction: "0x" + String(repeating: "ab", count: 32))
        return s
    }

    @Test func aDustFirstAppearanceFlagsTheDestinationAndTheExampleDeniesIt() throws {
        let request = ExamplePolicyTests.send("alice", "100", to: Self.stranger)
        let clean = ExamplePolicyTests.state()
        #expect(Self.decide(request, clean).0.outcome == .needsApprovals)
        let state = Self.poisoned(clean, reportedAt: clean.time - 60)
        let (decision, lines) = Self.decide(request, state)
        #expect(decision.reason == .deniedByRule("deny-poisoned-destination"))
        #expect(decision.warnings.map(\.kind) == [.poisoned])
        #expect(lines.contains(
            "POISONED: 0x5555…5555 first appeared in the vault's history by a zero-value or dust transfer: it sent 0.0001 USDC to vault address 0x0f17…30b9 (block 120, transaction 0xabab…abab), reported at block time \(clean.time - 60), before any transfer the vault made to it"),
            "\(lines)")
        #expect(try Self.holds("request.destination_poisoned", request, state))
        // Another chain's appearance says nothing of this one.
        #expect(!(try Self.holds("request.destination_poisoned", request, Self.poisoned(clean, reportedAt: 0, key: "base/" + Self.stranger))))
    }

    /// Second security review M2: an earlier approved transfer of the vault to the address (the
    /// report may come late; the transfer may never have been broadcast) does not outweigh the
    /// flag; only the quorum clears it.
    @Test func anEarlierApprovedTransferOfTheVaultDoesNotOutweighTheFlag() throws {
        let request = ExamplePolicyTests.send("alice", "100", to: Self.stranger)
        let key = try #require(request.destinationKey)
        var paidBefore = Self.poisoned(ExamplePolicyTests.state(), reportedAt: 2_000)
        paidBefore.destinations[key] = DestinationHistory(firstSeen: 1_000, largestUSD: FixedDecimal(100)!, count: 3)
        #expect(try Self.holds("request.destination_poisoned", request, paidBefore))
        #expect(Self.decide(request, paidBefore).0.reason == .deniedByRule("deny-poisoned-destination"))
    }

    @Test func dustIsZeroAPerAssetBoundOrTheUSDBoundAndUnknownValueFailsSafe() {
        let rules = Self.policy.document.poisoning
        #expect(rules.isDust(asset: "ETH", amount: .zero, usd: FixedDecimal(3000)!))
        #expect(rules.isDust(asset: "USDC", amount: FixedDecimal(1)!, usd: nil), "at most the per-asset bound")
        #expect(!rules.isDust(asset: "USDC", amount: FixedDecimal(parsing: "1.01")!, usd: FixedDecimal(1)!))
        #expect(rules.isDust(asset: "ETH", amount: FixedDecimal(parsing: "0.0003")!, usd: FixedDecimal(3000)!), "0.90 USD")
        #expect(!rules.isDust(asset: "ETH", amount: FixedDecimal(parsing: "0.0004")!, usd: FixedDecimal(3000)!), "1.20 USD")
        #expect(rules.isDust(asset: "ETH", amount: FixedDecimal(5)!, usd: nil), "no usable price: fails safe")
        #expect(rules.isDust(asset: nil, amount: FixedDecimal(1_000_000)!, usd: nil), "an unregistered token has no value")
    }
}
