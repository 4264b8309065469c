import CustosCore
@testable import CustosPolicy
import Foundation
import Testing

/// Security review M1/M2 of the look-alike and poisoned flags, and M2 of cooling-off: every
/// address a request sends value or authority to (a Safe's or multisend's inner call, an NFT
/// recipient, an operator, a permit's spender, an order's receiver) is flagged like the
/// destination; the functions `address_lookalike`, `address_poisoned` and `address_resembles`
/// ask the same of one address; no earlier approved request exempts an address from the
/// poisoned flag (second review M2); an overflowed watch room makes the unflagged unknown
/// (second review H1); and `address_tags` of an entry still cooling off fails closed.
@Suite struct RecipientFlagTests {
    static let policy = ExamplePolicyTests.policy
    static let kraken = ExamplePolicyTests.kraken
    static let fake = LookalikePolicyTests.lookalike(of: ExamplePolicyTests.kraken, seed: 7)
    static let stranger = ExamplePolicyTests.stranger
    static let safe = "0x1111111111111111111111111111111111111111"

    /// A person's call to a Safe (outside the address book) whose inner call names `recipients`.
    static func safeCall(_ recipients: [String], initiator: String = "alice") -> PolicyRequest {
        var r = ExamplePolicyTests.send(initiator, "0", "ETH", to: safe)
        r.kind = .contractCall
        r.call = .init(target: safe, function: "execTransaction", arguments: ["to": recipients.first ?? "", "inner": "erc20.transfer"])
        r.recipients = recipients
        return r
    }

    /// The risk bot's Permit2 permit for `spender`, from the hot vault.
    static func permit(spender: String) -> PolicyRequest {
        var domain = PolicyRequest.Message.Domain()
        domain.name = "Permit2"
        domain.chainId = "1"
        domain.verifyingContract = "0x000000000022d473030f116ddee9f6b43ac78ba3"
        let message = PolicyRequest.Message(
            format: .eip712, domain: domain, primaryType: "PermitSingle",
            fields: ["spender": spender, "details.token": ExamplePolicyTests.usdcToken, "details.amount": "1000"],
            amounts: ["details.amount": FixedDecimal(1000)!])
        return PolicyRequest(id: "m", kind: .message, initiator: "risk-bot", vault: "hot-trading", message: message)
    }

    static func holds(_ condition: String, _ request: PolicyRequest, _ state: StateSnapshot = ExamplePolicyTests.state()) throws -> Bool {
        try LookalikePolicyTests.holds(condition, request, state)
    }

    /// A message's addresses are looked up in the book of the chains its EIP-712 domain names:
    /// a permit on Arbitrum for Kraken's Ethereum address is that entry's look-alike (the same
    /// address on another chain), while on Ethereum it is the entry; a message whose chain id no
    /// registered chain has is judged against every chain's book (review helper-76 L1).
    @Test func aPermitOnAnotherChainForAnEntrysAddressIsALookalike() throws {
        var state = ExamplePolicyTests.state()
        state.chainIds = ["ethereum": "1", "arbitrum": "42161"]
        var request = Self.permit(spender: Self.kraken)
        #expect(!(try Self.holds("request.destination_lookalike", request, state)), "on Ethereum it is kraken-eth")
        request.message!.domain!.chainId = "42161"
        #expect(try Self.holds("request.destination_lookalike && address_resembles('\(Self.kraken)') == 'kraken-eth'", request, state))
        // The spender, and the token: USDC's Ethereum contract address is not USDC on Arbitrum.
        let warnings = Self.policy.evaluate(request, in: state).warnings.map(\.text)
        #expect(warnings == [
            "LOOK-ALIKE: 0x0abe…9085 (named by the request, not its destination) resembles usdc-token (0x0abe…9085 on ethereum): the same address, "
                + "but it is not in the address book on arbitrum",
            "LOOK-ALIKE: 0x2e6d…ba8f (named by the request, not its destination) resembles kraken-eth (0x2e6d…ba8f on ethereum): the same address, "
                + "but it is not in the address book on arbitrum",
        ], "\(warnings)")
        request.message!.domain!.chainId = "10"
        #expect(!(try Self.holds("address_lookalike('\(Self.kraken)')", request, state)), "no registered chain has id 10: every book counts")
    }

    @Test func aLookalikeInsideASafeCallIsFlaggedAndDeniedThoughTheDestinationIsClean() throws {
        let request = Self.safeCall([Self.fake])
        let decision = Self.policy.evaluate(request, in: ExamplePolicyTests.state())
        #expect(decision.reason == .deniedByRule("deny-lookalike-destination"), "\(decision)")
        #expect(decision.warnings.map(\.kind) == [.lookalike])
        #expect(decision.warnings.first?.text.contains("(named by the request, not its destination) resembles kraken-eth") == true)
        #expect(try Self.holds("request.destination_resembles == 'kraken-eth'", request))
        #expect(try Self.holds("size(request.recipients) == 2 && '\(Self.safe)' in request.recipients && '\(Self.fake)' in request.recipients", request))
        // The same call without the inner recipient is not flagged.
        #expect(!(try Self.holds("request.destination_lookalike", Self.safeCall([]))))
    }

    @Test func aPoisonedNFTRecipientIsFlaggedAndAnAddressBookEntryNeverIs() throws {
        let poisoned = LookalikePolicyTests.poisoned(ExamplePolicyTests.state(), reportedAt: ExamplePolicyTests.state().time - 60)
        var request = ExamplePolicyTests.send("alice", "0", "ETH", to: Self.safe)
        request.kind = .contractCall
        request.call = .init(target: Self.safe, function: "safeTransferFrom", arguments: ["from": ExamplePolicyTests.hotETH, "to": Self.stranger])
        request.recipients = [Self.stranger]
        let decision = Self.policy.evaluate(request, in: poisoned)
        #expect(decision.reason == .deniedByRule("deny-poisoned-destination"), "\(decision)")
        #expect(decision.warnings.map(\.kind) == [.poisoned])
        #expect(try Self.holds("address_poisoned(request.call.args.to)", request, poisoned))
        #expect(!(try Self.holds("address_lookalike(request.call.args.to)", request, poisoned)))
        // An address-book entry is governed: a dust report with it flags nothing, as destination or recipient.
        var onKraken = poisoned
        onKraken.appearances["ethereum/" + Self.kraken] = poisoned.appearances["ethereum/" + Self.stranger]
        #expect(!(try Self.holds("address_poisoned('\(Self.kraken)') || address_lookalike('\(Self.kraken)')", request, onKraken)))
        #expect(!(try Self.holds("request.destination_poisoned", Self.safeCall([Self.kraken]), onKraken)))
        // What is not an address is neither.
        #expect(!(try Self.holds("address_lookalike('kraken') || address_poisoned('')", request, poisoned)))
        #expect(try Self.holds("address_resembles('\(Self.fake.uppercased().replacing("0X", with: "0x"))') == 'kraken-eth'", request))
        #expect(try Self.holds("address_resembles('\(Self.stranger)') == ''", request))
    }

    @Test func aPermitToALookalikeOrPoisonedSpenderIsDeniedThoughItsAllowRuleNamesTheRouter() throws {
        let router = ExamplePolicyTests.uniswap
        #expect(Self.policy.evaluate(Self.permit(spender: router), in: ExamplePolicyTests.state()).reason == .allowedByRule("allow-risk-bot-permit2"))
        let lookalike = Self.policy.evaluate(Self.permit(spender: Self.fake), in: ExamplePolicyTests.state())
        #expect(lookalike.reason == .deniedByRule("deny-lookalike-destination"), "\(lookalike)")
        // A message names no chain: a dust report on any of the policy's chains counts.
        let poisoned = LookalikePolicyTests.poisoned(ExamplePolicyTests.state(), reportedAt: 0, key: "base/" + Self.stranger)
        let decision = Self.policy.evaluate(Self.permit(spender: Self.stranger), in: poisoned)
        #expect(decision.reason == .deniedByRule("deny-poisoned-destination"), "\(decision)")
        #expect(try Self.holds("address_poisoned(request.message.fields.spender)", Self.permit(spender: Self.stranger), poisoned))
    }

    /// Second review M2, as the attacker: requests to the address approved before the dust was
    /// reported (a delayed report, or a request released and never broadcast) exempt nothing.
    @Test func earlierApprovedRequestsNeverExemptAnAddressFromThePoisonedFlag() throws {
        let request = ExamplePolicyTests.send("alice", "100", to: Self.stranger)
        let key = try #require(request.destinationKey)
        var state = LookalikePolicyTests.poisoned(ExamplePolicyTests.state(), reportedAt: 2_000)
        state.destinations[key] = DestinationHistory(firstSeen: 1_000, largestUSD: FixedDecimal(100)!, count: 2)
        #expect(try Self.holds("request.destination_poisoned", request, state))
        #expect(Self.policy.evaluate(request, in: state).reason == .deniedByRule("deny-poisoned-destination"))
    }

    /// Second review H1: on a chain whose watch room overflowed (a flood of dust left
    /// counterparties unflagged), the poisoned test of an address neither flagged nor in the
    /// address book is unknown, with or without `max_staleness`, and fails closed naming the
    /// overflow; an address-book entry is not asked.
    @Test func anOverflowedChainMakesTheUnflaggedUnknownButNotTheAddressBook() throws {
        let request = ExamplePolicyTests.send("alice", "100", to: Self.stranger)
        var state = ExamplePolicyTests.state()
        #expect(!(try Self.holds("request.destination_poisoned", request, state)))
        state.watchOverflows["ethereum"] = WatchOverflow(block: 101, transaction: "0x" + String(repeating: "ab", count: 32), unflagged: 9_984)
        let decision = Self.policy.evaluate(request, in: state)
        #expect(decision.reason == .deniedByRule("deny-poisoned-destination"), "\(decision)")
        #expect(decision.applied.contains { $0.failedClosed?.contains("the watch room of ethereum overflowed at block 101") == true }, "\(decision.applied)")
        #expect(decision.applied.contains { $0.failedClosed?.contains("its flood set was full, 9984 dust counterparties were left out") == true },
                "\(decision.applied)")
        // A message names no chain: the overflowed chain its domain's chainId names counts.
        state.chainIds = ["ethereum": "1", "base": "8453"]
        let message = Self.policy.explain(Self.permit(spender: Self.stranger), in: state)
        #expect(message.decision.reason == .deniedByRule("deny-poisoned-destination"), "\(message.lines)")
        // A message whose domain names a chain id no registered chain has is judged on every
        // chain's overflow, as one naming none (third review): it used to skip the check.
        var elsewhere = Self.permit(spender: Self.stranger)
        elsewhere.message?.domain?.chainId = "999"
        let unregistered = Self.policy.evaluate(elsewhere, in: state)
        #expect(unregistered.reason == .deniedByRule("deny-poisoned-destination"), "\(unregistered)")
        #expect(unregistered.applied.contains { $0.failedClosed?.contains("names chainId 999, which no registered chain has") == true },
                "\(unregistered.applied)")
        // Without a staleness bound (no `poisoning` section), it is judged on every chain's overflow.
        let unbounded = try CompiledPolicy(yaml: Self.withoutPoisoningSection())
        #expect(unbounded.document.poisoning.maxStalenessSeconds == nil)
        let judged = unbounded.evaluate(elsewhere, in: state)
        #expect(judged.reason == .deniedByRule("deny-poisoned-destination"), "\(judged)")
        #expect(judged.applied.contains { $0.failedClosed?.contains("the watch room of ethereum overflowed") == true }, "\(judged.applied)")
        // Another chain (covered), and the address book, still answer.
        var base = request
        base.chain = "base"
        state.watchCoverage["base"] = Self.watchers(WatchCoverage(block: 10, blockTime: state.time, reportedAt: state.time))
        #expect(!(try Self.holds("request.destination_poisoned", base, state)))
        #expect(!(try Self.holds("address_poisoned(\"\(ExamplePolicyTests.kraken)\")", request, state)))
    }

    /// Third review H-2, as the attacker: a flood of dust left a counterparty in the chain's flood
    /// set (not flagged one by one, the chain not overflowed). Paying it is denied naming the
    /// flood; an address outside the flood still answers (not poisoned); so does another chain;
    /// `address_poisoned` reads the same test, and a message on the chain finds it too.
    @Test func aFloodMemberIsPoisonedNamingItsFloodAndTheRestStillAnswer() throws {
        let flood = try #require(TransactionHash(hex: "0x" + String(repeating: "cd", count: 32)))
        var set = WatchFloodSet(chain: "ethereum")
        for i in 0..<100 {
            let added = set.insert("ethereum/0x" + String(repeating: "0", count: 32) + String(format: "%08x", i), transaction: flood, block: 101, reporter: "watcher-1")
            #expect(added)
        }
        let stranger = set.insert("ethereum/" + Self.stranger.lowercased(), transaction: flood, block: 101, reporter: "watcher-1")
        #expect(stranger)
        var state = ExamplePolicyTests.state()
        state.watchFloods["ethereum"] = set
        let request = ExamplePolicyTests.send("alice", "100", to: Self.stranger)
        #expect(try Self.holds("request.destination_poisoned", request, state))
        #expect(try Self.holds("address_poisoned(\"\(Self.stranger)\")", request, state))
        let decision = Self.policy.evaluate(request, in: state)
        #expect(decision.reason == .deniedByRule("deny-poisoned-destination"), "\(decision)")
        let warning = try #require(decision.warnings.first { $0.kind == .poisoned })
        #expect(warning.text.contains("in a flood of 101 dust transfers on ethereum: transaction \(flood) (block 101, reported by watcher-1)"), "\(warning.text)")
        // Not a member: the test answers "no" (the chain did not overflow).
        let other = ExamplePolicyTests.send("alice", "100", to: "0x9999999999999999999999999999999999999999")
        #expect(!(try Self.holds("request.destination_poisoned", other, state)))
        #expect(Self.policy.evaluate(other, in: state).reason != .deniedByRule("deny-poisoned-destination"))
        // The set is per chain.
        var base = request
        base.chain = "base"
        #expect(!(try Self.holds("request.destination_poisoned", base, state)))
        // A message names no chain: the flood set of the chain its domain names counts.
        state.chainIds = ["ethereum": "1", "base": "8453"]
        #expect(Self.policy.explain(Self.permit(spender: Self.stranger), in: state).decision.reason == .deniedByRule("deny-poisoned-destination"))
    }

    /// Review helper-54 L1, as the attacker: a flood member on a chain the cluster registered
    /// but the policy does not name (zora) is found for a message, as the staleness check reads
    /// the registered chains; messages used to look flood members and flags up on the policy's
    /// chains only.
    @Test func aMessageFindsAFloodMemberOnARegisteredChainThePolicyDoesNotName() throws {
        #expect(!Self.policy.chains.names.contains("zora"))
        var set = WatchFloodSet(chain: "zora")
        let hash = try #require(TransactionHash(hex: "0x" + String(repeating: "ef", count: 32)))
        let added = set.insert("zora/" + Self.stranger.lowercased(), transaction: hash, block: 7, reporter: "watcher-1")
        #expect(added)
        var state = ExamplePolicyTests.state()
        state.chainIds = ["ethereum": "1", "zora": "7777777"]
        state.watchFloods["zora"] = set
        var permit = Self.permit(spender: Self.stranger)
        permit.message?.domain?.chainId = "7777777"
        let warnings = Self.policy.explain(permit, in: state).decision.warnings
        #expect(warnings.contains { $0.kind == .poisoned && $0.text.contains("on zora: transaction \(hash)") }, "\(warnings)")
        // Without the set, nothing is flagged: the warning came from it.
        state.watchFloods = [:]
        #expect(!Self.policy.explain(permit, in: state).decision.warnings.contains { $0.kind == .poisoned })
    }

    /// Second review M4, as the attacker: under `max_staleness`, an EIP-712 message whose domain
    /// names a chain no watcher ever covered is unknown, not clean (it used to be checked only
    /// against chains that had been covered); so is one naming a chain id no registered chain
    /// has, and one naming none while a registered chain is not covered.
    @Test func aMessageOnAChainNeverCoveredIsUnknownUnderAStalenessBound() throws {
        let policy = Self.policy
        #expect(policy.document.poisoning.maxStalenessSeconds == 600)
        func poisoned(_ request: PolicyRequest, _ state: StateSnapshot) throws -> Bool {
            try ExpressionCompiler.compileCondition("request.destination_poisoned", at: .start)
                .bool(EvaluationContext(policy: policy, request: request, state: state), nil)
        }
        var state = ExamplePolicyTests.state()
        let permit = Self.permit(spender: Self.stranger)
        // A cluster with no registered asset watches (and pays on) no chain: nothing is unknown.
        #expect(!(try poisoned(permit, state)))
        state.chainIds = ["ethereum": "1", "base": "8453"]
        state.watchCoverage["base"] = Self.watchers(WatchCoverage(block: 10, blockTime: state.time, reportedAt: state.time))
        let decision = policy.evaluate(permit, in: state)
        #expect(decision.reason == .deniedByRule("deny-poisoned-destination"), "\(decision)")
        #expect(decision.applied.contains { $0.failedClosed?.contains("no watch data for ethereum: no watcher report covers its blocks (poisoning.min_watchers is") == true }, "\(decision.applied)")
        state.watchCoverage["ethereum"] = Self.watchers(WatchCoverage(block: 10, blockTime: state.time - 60, reportedAt: state.time))
        #expect(!(try poisoned(permit, state)))
        var elsewhere = permit
        elsewhere.message?.domain?.chainId = "999"
        #expect(throws: EvaluationFailure.self) { try poisoned(elsewhere, state) }
        var unnamed = permit
        unnamed.message?.domain?.chainId = nil
        #expect(!(try poisoned(unnamed, state)))
        state.watchCoverage["base"] = nil
        #expect(throws: EvaluationFailure.self) { try poisoned(unnamed, state) }
    }

    /// Two watchers' equal coverages, `coverage` as `watcher-1`'s and `watcher-2`'s: what the
    /// example policy's `min_watchers: 2` needs.
    static func watchers(_ coverage: WatchCoverage) -> [String: WatchCoverage] {
        var first = coverage
        var second = coverage
        first.reporter = "watcher-1"
        second.reporter = "watcher-2"
        return ["watcher-1": first, "watcher-2": second]
    }

    /// The example policy without its `poisoning` section (and so without a staleness bound).
    static func withoutPoisoningSection() throws -> String {
        let text = try Fixtures.examplePolicyText()
        let yaml = text.replacing("poisoning: {dust_usd: 1, dust: {USDC: 1, USDT: 1}, max_staleness: 10m, min_watchers: 2}", with: "")
        #expect(yaml != text)
        return yaml
    }

    /// Review H-3, as the attacker: the gateway dropped the report part holding the dust, so the
    /// dust sender was never flagged, and the coverage stopped before it. Under the example
    /// policy (max_staleness 10m) paying the dust sender on ethereum, a chain with a registered
    /// asset, is denied once the coverage is older than ten minutes, and when nothing covers the
    /// chain, naming the chain and its coverage; an address-book entry is still paid; a chain
    /// without a registered asset (nothing to pay there, no watcher) is not asked.
    @Test func staleOrMissingCoverageOnARegisteredChainDeniesAnAddressOutsideTheBook() throws {
        let request = ExamplePolicyTests.send("alice", "100", to: Self.stranger)
        var state = ExamplePolicyTests.state()
        state.chainIds = ["ethereum": "1"]
        state.watchCoverage["ethereum"] = Self.watchers(WatchCoverage(block: 100, blockTime: state.time - 600, reportedAt: state.time - 500))
        #expect(!(try Self.holds("request.destination_poisoned", request, state)), "ten minutes old is within the bound")
        state.watchCoverage["ethereum"] = Self.watchers(WatchCoverage(block: 100, blockTime: state.time - 601, reportedAt: state.time - 500))
        let stale = Self.policy.evaluate(request, in: state)
        #expect(stale.reason == .deniedByRule("deny-poisoned-destination"), "\(stale)")
        #expect(stale.applied.contains {
            $0.failedClosed?.contains("the watch data for ethereum is stale: 2 watchers (poisoning.min_watchers) cover blocks up to 100, of ") == true
                && $0.failedClosed?.contains("(watcher-1 up to block 100 (of ") == true && $0.failedClosed?.contains(", watcher-2 up to block 100 (of ") == true
                && $0.failedClosed?.contains("older than poisoning.max_staleness 10m") == true
        }, "\(stale.applied)")
        state.watchCoverage["ethereum"] = nil
        let uncovered = Self.policy.evaluate(request, in: state)
        #expect(uncovered.reason == .deniedByRule("deny-poisoned-destination"), "\(uncovered)")
        #expect(uncovered.applied.contains { $0.failedClosed?.contains("no watch data for ethereum") == true }, "\(uncovered.applied)")
        #expect(!(try Self.holds("address_poisoned(\"\(ExamplePolicyTests.kraken)\")", request, state)), "the address book still answers")
        #expect(Self.policy.evaluate(ExamplePolicyTests.send("alice", "100", to: ExamplePolicyTests.kraken), in: state).reason
                != .deniedByRule("deny-poisoned-destination"))
        var base = request
        base.chain = "base"
        #expect(!(try Self.holds("request.destination_poisoned", base, state)), "base has no registered asset")
        // Without a `poisoning` section there is no bound: no data reads as "nothing happened".
        let unbounded = try CompiledPolicy(yaml: Self.withoutPoisoningSection())
        #expect(unbounded.evaluate(request, in: state).reason != .deniedByRule("deny-poisoned-destination"))
    }

    /// Review H-3: a `poisoning` section that names no `max_staleness` has a bound of 10 minutes (review helper-58 M1); one
    /// that names it keeps it; no section, no bound.
    @Test func aPoisoningSectionAlwaysHasAStalenessBound() throws {
        let text = try Fixtures.examplePolicyText()
        let bare = try CompiledPolicy(yaml: text.replacing(", max_staleness: 10m, min_watchers: 2}", with: "}"))
        #expect(bare.document.poisoning.maxStalenessSeconds == PoisoningPolicy.defaultStalenessSeconds)
        #expect(PoisoningPolicy.defaultStalenessSeconds == 600)
        let named = try CompiledPolicy(yaml: text.replacing("max_staleness: 10m,", with: "max_staleness: 1h,"))
        #expect(named.document.poisoning.maxStalenessSeconds == 3_600)
        #expect(try CompiledPolicy(yaml: Self.withoutPoisoningSection()).document.poisoning.maxStalenessSeconds == nil)
        // `custos policy check` shows it.
        #expect(bare.stalenessLine?.hasPrefix("poisoning.max_staleness 10m, min_watchers 2: on a chain with a registered asset") == true, "\(bare.stalenessLine ?? "")")
        #expect(named.stalenessLine?.hasPrefix("poisoning.max_staleness 1h, min_watchers 2: ") == true)
        #expect(try CompiledPolicy(yaml: Self.withoutPoisoningSection()).stalenessLine == nil)
        // And what it does not check (review helper-58 L4).
        #expect(bare.unwatchedLine?.hasPrefix("with no registered asset (as `make run`) no chain is watched and nothing is checked for staleness") == true)
        #expect(bare.unwatchedLine?.contains("run 3 watchers per chain (min_watchers + 1") == true, "\(bare.unwatchedLine ?? "")")
        #expect(try CompiledPolicy(yaml: Self.withoutPoisoningSection()).unwatchedLine == nil)
    }

    /// Review helper-58 M2: a `poisoning` section asks for two watchers unless it says
    /// otherwise; one is accepted with a warning; none, or more than 16, is refused.
    @Test func aPoisoningSectionAsksForTwoWatchersAndWarnsOfOne() throws {
        let text = try Fixtures.examplePolicyText()
        #expect(Self.policy.document.poisoning.minWatchers == 2)
        #expect(Fixtures.warnings(text).allSatisfy { $0.code != .singleWatcher })
        let bare = try CompiledPolicy(yaml: text.replacing(", min_watchers: 2}", with: "}"))
        #expect(bare.document.poisoning.minWatchers == PoisoningPolicy.defaultMinWatchers && PoisoningPolicy.defaultMinWatchers == 2)
        let oneText = text.replacing("min_watchers: 2}", with: "min_watchers: 1}")
        #expect(try CompiledPolicy(yaml: oneText).document.poisoning.minWatchers == 1)
        #expect(Fixtures.warnings(oneText).contains { $0.code == .singleWatcher && $0.severity == .warning && $0.message.contains("poisoning.min_watchers 1") })
        for bad in ["0", "17", "two"] {
            #expect(Fixtures.errors(text.replacing("min_watchers: 2}", with: "min_watchers: \(bad)}")).contains { $0.message.contains("poisoning.min_watchers") },
                    "\(bad)")
        }
    }

    /// Cooling-off review M2: a rule that trusts `address_tags(spender)` must not allow an
    /// approval to an entry still cooling off or cancelled; a call naming one is denied outright.
    @Test func addressTagsOfAHeldEntryFailsClosedAndARecipientOnHoldIsDenied() throws {
        var r = ExamplePolicyTests.send("rebalancer", "0", "ETH", to: ExamplePolicyTests.usdcToken, vault: "defi")
        r.kind = .contractCall
        r.call = .init(target: ExamplePolicyTests.usdcToken, function: "approve", arguments: ["spender": ExamplePolicyTests.uniswap],
                       amounts: ["amount": FixedDecimal(50_000)!])
        var state = ExamplePolicyTests.state()
        #expect(Self.policy.evaluate(r, in: state).reason == .allowedByRule("allow-rebalancer-approve-defi"))
        for hold in [DestinationHold.coolingOff(usableFrom: state.time + 60), .cancelled(by: "sam", at: state.time - 60)] {
            state.destinationHolds = ["uniswap-router": hold]
            let decision = Self.policy.explain(r, in: state)
            #expect(decision.decision.outcome == .deny, "\(decision.lines)")
            #expect(decision.decision.skippedAllows.map(\.name).contains("allow-rebalancer-approve-defi"), "\(decision.lines)")
            #expect(throws: (any Error).self) { try Self.holds("'defi' in address_tags(request.call.args.spender)", r, state) }
            // The chain layer names the spender as a recipient: the hold denies before any rule.
            var named = r
            named.recipients = [ExamplePolicyTests.uniswap]
            #expect(Self.policy.evaluate(named, in: state).reason == .destinationHeld(entry: "uniswap-router", hold))
        }
        // Once usable, the tags count again.
        state.destinationHolds = ["uniswap-router": .coolingOff(usableFrom: state.time)]
        #expect(Self.policy.evaluate(r, in: state).reason == .allowedByRule("allow-rebalancer-approve-defi"))
    }
}
