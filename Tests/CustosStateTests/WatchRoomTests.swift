import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Foundation
import Testing

/// The watch room, as an attacker would try it: watcher bots report transfers they read on the
/// chain, and every node keeps the first zero-value or dust transfer with each counterparty, so
/// that a transfer to an address planted by dust is flagged poisoned. A report from a bot that
/// is not a watcher, from a removed one, for an address no vault holds, forged, truncated or
/// oversized, changes nothing; a report can add a flag but never clear one.
@Suite struct WatchRoomTests {
    let ceremony = VaultCeremonyTests()
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let watcher = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())

    static let poisoner = "0x7777777777777777777777777777777777777777"
    static let tx = "0x" + String(repeating: "ab", count: 32)

    /// The transactions policy with a rule denying poisoned destinations, bots allowed to pay
    /// anyone else, and USDC's dust bound at 1 USDC.
    static func policy(version: Int = 3, poisoning: String = "{dust_usd: 1, dust: {USDC: 1}, min_watchers: 1}") -> String {
        Cluster.transactionPolicy(version: version).replacingOccurrences(of: "rules:\n", with: """
            poisoning: \(poisoning)
            rules:
              - name: deny-poisoned
                match: {kind: [transfer, contract_call]}
                when: request.destination_poisoned
                outcome: deny
              - name: bots-pay-anyone
                match: {kind: [transfer], initiator: {kind: bot}}
                outcome: allow

            """)
    }

    /// A cluster with an active ECDSA vault `hot`, ETH and USDC on ethereum, the risk bot, an
    /// executor and a watcher, under `policy()`.
    func cluster() throws -> Cluster {
        var c = try ceremony.cluster()
        _ = try ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        try c.govern(.changePolicy(yaml: Self.policy()))
        try c.registerBot("watcher-1", key: watcher.publicKey, roles: [WatchEntry.watcherRole])
        return c
    }

    static func vaultAddress(_ c: Cluster) throws -> String {
        try #require(c.state.vaults["hot"]?.rootAddresses.first { $0.chain == .evm }?.address)
    }

    /// A transfer between vault address `vault` and a counterparty, in chain block `block`.
    static func transfer(
        _ vault: String, from counterparty: String = poisoner, amount: BigUInt = 1, token: String? = nil, incoming: Bool = true,
        block: UInt64 = 100, transaction: String = tx
    ) -> WatchedTransfer {
        WatchedTransfer(block: block, transaction: transaction, vaultAddress: vault, counterparty: counterparty, incoming: incoming, token: token,
                        amount: amount)
    }

    static let blockHash = "0x" + String(repeating: "cd", count: 32)

    /// A report of `transfers` on `chain`, blocks `from` through `block` (whose chain timestamp is
    /// `blockTime`, by default the block time now; block `from - 1` of hash `parentHash`, by
    /// default `blockHash`'s default), part `part` of `parts`, covering the
    /// cluster's vault addresses (or `vaults`), signed as `keyId` with `key`.
    func report(
        _ c: inout Cluster, _ transfers: [WatchedTransfer], chain: String = "ethereum", from: UInt64 = 0, block: UInt64 = 100,
        blockTime: Int64? = nil, blockHash: String = WatchRoomTests.blockHash, parentHash: String? = nil, part: Int = 1, parts: Int = 1,
        vaults: [String]? = nil, keyId: String = "watcher-1", key: BotSigningKey? = nil
    ) throws -> GovernanceOutcome {
        c.apply(try reportEntry(&c, transfers, chain: chain, from: from, block: block, blockTime: blockTime, blockHash: blockHash, parentHash: parentHash,
                                part: part, parts: parts, vaults: vaults, keyId: keyId, key: key))
    }

    /// The log entry `report` applies, its envelope of `nonce` (a fresh one when nil).
    func reportEntry(
        _ c: inout Cluster, _ transfers: [WatchedTransfer], chain: String = "ethereum", from: UInt64 = 0, block: UInt64 = 100,
        blockTime: Int64? = nil, blockHash: String = WatchRoomTests.blockHash, parentHash: String? = nil, part: Int = 1, parts: Int = 1,
        vaults: [String]? = nil, keyId: String = "watcher-1", key: BotSigningKey? = nil, nonce: String? = nil
    ) throws -> Entry {
        let body = WatchReport(chain: chain, fromBlock: from, block: block, blockHash: blockHash, parentHash: from > 0 ? parentHash ?? Self.blockHash : nil,
                               blockTime: blockTime ?? Int64(c.now / 1000),
                               vaults: vaults ?? Array(c.state.vaultEVMAddresses), part: part, parts: parts, transfers: transfers).json
        return try WatchEntry.report(c.signed(body, keyId: keyId, key: key ?? watcher, nonce: nonce))
    }

    /// The risk bot's ETH transfer to `to`, decided in the next block.
    func pay(_ c: inout Cluster, _ to: String) throws -> RecordedRequest {
        let decided = try #require(Cluster.decided(try c.submit(c.signed(Cluster.evmTransfer(to: to), keyId: "risk-bot", key: bot))))
        return try #require(c.state.requestBook.requests[decided.id])
    }

    @Test func aDustFirstAppearanceFlagsTheCounterpartyAndEveryNodeDeniesPayingIt() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        #expect(try report(&c, [Self.transfer(v, amount: 1)]) == .watched(chain: "ethereum", block: 100, flagged: 1))
        let appearance = try #require(c.state.watch(.development).appearances["ethereum/" + Self.poisoner])
        #expect(appearance.incoming && appearance.block == 100 && appearance.transfer == "0.000000000000000001 ETH")
        let paid = try pay(&c, Self.poisoner)
        #expect(paid.outcome == .deny)
        #expect(paid.decision.reason == .deniedByRule("deny-poisoned"))
        #expect(paid.decision.warnings.map(\.kind) == [.poisoned])
        #expect(paid.decision.warnings.first?.text.hasPrefix("POISONED: 0x7777…7777 first appeared in the vault's history") == true)
        // A second node that applies the same entries agrees, digest and all.
        #expect(c.state.watch(.development).reportedBlock(by: "watcher-1", on: "ethereum") == 100)
    }

    @Test func aZeroValueTransferFromTheVaultFlagsItsRecipient() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        // transferFrom(vault, lookalike, 0) on the registered token: the look-alike "received" it.
        let zero = Self.transfer(v, amount: 0, token: Cluster.usdc, incoming: false)
        #expect(try report(&c, [zero]) == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(try pay(&c, Self.poisoner).decision.reason == .deniedByRule("deny-poisoned"))
    }

    /// Second review M2, as the attacker: the vault's earlier approved request to the address
    /// (which may never have been broadcast, or the report came late) exempts nothing; only the
    /// quorum clears the flag.
    @Test func anEarlierPaymentOfTheVaultDoesNotExemptAPoisonedAddress() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        // Blocks up to 50 covered, nothing in them (without coverage the poisoned test is unknown).
        #expect(try report(&c, [], block: 50) == .watched(chain: "ethereum", block: 50, flagged: 0))
        let first = try pay(&c, Self.poisoner)
        #expect(first.outcome == .allow)
        c.now += 5_000
        #expect(try report(&c, [Self.transfer(v, amount: 0)], from: 51) == .watched(chain: "ethereum", block: 100, flagged: 1))
        let again = try pay(&c, Self.poisoner)
        #expect(again.decision.reason == .deniedByRule("deny-poisoned"), "\(again.decision)")
        #expect(again.decision.warnings.map(\.kind) == [.poisoned])
        try c.govern(.clearWatchFlag(chain: "ethereum", target: Self.poisoner))
        #expect(try pay(&c, Self.poisoner).outcome == .allow)
    }

    /// Review M2, as the attacker: the request to the poisoner was allowed (and counted) a second
    /// before the dust with it was reported; when the executor posts its parameters, the
    /// re-decision must not count that same approval as the vault's earlier payment.
    @Test func aRequestsOwnApprovalDoesNotExemptItsDestinationWhenItIsDecidedAgain() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        #expect(try report(&c, [], block: 50) == .watched(chain: "ethereum", block: 50, flagged: 0))
        let paid = try pay(&c, Self.poisoner)
        #expect(paid.outcome == .allow)
        #expect(try report(&c, [Self.transfer(v, amount: 0)], from: 51) == .watched(chain: "ethereum", block: 100, flagged: 1))
        let refused = c.apply(try c.parameters(paid.id, nonce: 0, key: executor))
        #expect(Cluster.reason(refused).contains("denied by the policy in force now"), "\(refused)")
        #expect(Cluster.reason(refused).contains("deny-poisoned"), "\(refused)")
        #expect(c.state.transactions[paid.id]?.parameters == nil)
    }

    /// Review M1, as the attacker: the poisoner is not the call's destination but the NFT's
    /// recipient, or the recipient of a Safe's inner token transfer (the Safe, the call's
    /// target, is clean). Every node reads the decoded calldata and flags it all the same.
    @Test func aPoisonedRecipientInsideAnNFTTransferOrASafeCallIsFlagged() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        #expect(try report(&c, [Self.transfer(v, amount: 1)]) == .watched(chain: "ethereum", block: 100, flagged: 1))
        let poisoner = try EVM.Address(hex: Self.poisoner)
        let nft = try EVM.ABI.encodeCall("safeTransferFrom(address,address,uint256)", [.address(try EVM.Address(hex: v)), .address(poisoner), .uint(7)])
        let inner = try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(poisoner), .uint(5_000_000)])
        let safe = try EVM.ABI.encodeCall(
            "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
            [.address(try EVM.Address(hex: Cluster.usdc)), .uint(0), .bytes(inner), .uint(0), .uint(0), .uint(0), .uint(0),
             .address(.zero), .address(.zero), .bytes([])])
        for (target, data) in [("0x9999999999999999999999999999999999999999", nft), ("0x1212121212121212121212121212121212121212", safe)] {
            let decided = try #require(Cluster.decided(try c.submit(c.signed(Cluster.evmCall(to: target, data: "0x" + data.hexString), keyId: "risk-bot", key: bot))))
            let recorded = try #require(c.state.requestBook.requests[decided.id])
            #expect(recorded.request.destination.lowercased() == target)
            #expect(recorded.request.recipients.map { $0.lowercased() }.contains(Self.poisoner))
            #expect(recorded.decision.reason == .deniedByRule("deny-poisoned"), "\(recorded.decision)")
            #expect(recorded.decision.warnings.first?.text.contains("0x7777…7777 (named by the request, not its destination)") == true)
        }
    }

    @Test func aDepositAboveTheDustBoundFlagsNothingAndAReportNeverClearsAFlag() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        let deposit = Self.transfer(v, amount: 1_000_000_000, token: Cluster.usdc)  // 1,000 USDC
        #expect(try report(&c, [deposit]) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(try pay(&c, Self.poisoner).outcome == .allow)
        let other = "0x8888888888888888888888888888888888888888"
        #expect(try report(&c, [Self.transfer(v, from: other, amount: 1_000_000, token: Cluster.usdc, block: 101)], block: 101)
            == .watched(chain: "ethereum", block: 101, flagged: 1), "exactly 1 USDC is dust")
        // A lying watcher now claims a large deposit from it: the flag stays.
        #expect(try report(&c, [Self.transfer(v, from: other, amount: 5_000_000_000, token: Cluster.usdc, block: 102)], block: 102)
            == .watched(chain: "ethereum", block: 102, flagged: 0))
        #expect(try pay(&c, other).decision.reason == .deniedByRule("deny-poisoned"))
    }

    @Test func unregisteredTokensAreDustAndTheVaultsOwnAddressesAreNeverFlagged() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        let fakeToken = "0x6666666666666666666666666666666666666666"
        #expect(try report(&c, [
            Self.transfer(v, amount: BigUInt(10).power(30), token: fakeToken),
            Self.transfer(v, from: v, amount: 0),
        ]) == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(c.state.watch(.development).appearances["ethereum/" + Self.poisoner]?.transfer == "1000000000000000000000000000000 base units of unregistered token \(fakeToken)")
        #expect(c.state.watch(.development).appearances["ethereum/" + v.lowercased()] == nil)
    }

    @Test func botsThatAreNoWatchersAndRemovedWatchersAreRefused() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        #expect(Cluster.code(try report(&c, [Self.transfer(v)], keyId: "risk-bot", key: bot)) == .watchRefused)
        #expect(Cluster.code(try report(&c, [Self.transfer(v)], keyId: "nobody", key: watcher)) == .unknownBot)
        // Someone else's key under the watcher's name: a forgery.
        #expect(Cluster.code(try report(&c, [Self.transfer(v)], key: bot)) == .requestRefused)
        #expect(c.state.watch(.development).count == 0)
        try c.govern(.removeBot(id: "watcher-1"))
        #expect(Cluster.code(try report(&c, [Self.transfer(v)])) == .inactiveBot)
        #expect(c.state.watch(.development).count == 0)
    }

    @Test func reportsForAddressesNoVaultHoldsUnknownChainsAndEarlierBlocksAreRefused() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        let notOurs = Self.transfer("0x4444444444444444444444444444444444444444")
        let refused = try report(&c, [Self.transfer(v, from: "0x8888888888888888888888888888888888888888"), notOurs])
        #expect(Cluster.code(refused) == .watchRefused)
        #expect(Cluster.reason(refused).contains("0x4444444444444444444444444444444444444444 is not an address of any vault"))
        #expect(c.state.watch(.development).count == 0, "a refused report flags nothing, not even its good transfers")
        #expect(Cluster.code(try report(&c, [Self.transfer(v)], chain: "base")) == .watchRefused)
        #expect(try report(&c, [Self.transfer(v)], block: 200) == .watched(chain: "ethereum", block: 200, flagged: 1))
        // Blocks its own coverage holds may be read again for their flags (review helper-58 L3: the
        // lower part of a split, a cursor behind); past its coverage a report may not go back.
        #expect(try report(&c, [Self.transfer(v, from: "0x8888888888888888888888888888888888888888")], block: 150)
                == .watched(chain: "ethereum", block: 150, flagged: 1))
        #expect(try report(&c, [], from: 201, block: 300, part: 1, parts: 2) == .watched(chain: "ethereum", block: 300, flagged: 0))
        let back = try report(&c, [Self.transfer(v, from: "0x9999999999999999999999999999999999999999", block: 220)], from: 201, block: 250)
        #expect(Cluster.code(back) == .watchRefused && Cluster.reason(back).contains("already reported ethereum up to block 300"), "\(back)")
        // A transfer after the report's own block is malformed as a report.
        #expect(Cluster.code(try report(&c, [Self.transfer(v, block: 300)], block: 250)) == .invalidRequest)
    }

    @Test func truncatedOversizedAndOverfullReportsAreRefused() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        let entry = try WatchEntry.report(c.signed(WatchReport(chain: "ethereum", fromBlock: 0, block: 100, blockHash: Self.blockHash, parentHash: nil, blockTime: Int64(c.now / 1000), vaults: [v], transfers: [Self.transfer(v)]).json,
                                                     keyId: "watcher-1", key: watcher))
        let truncated = try Entry(kind: entry.kind, payload: Array(entry.payload.dropLast(10)))
        #expect(Cluster.code(c.apply(truncated)) == .malformed)
        #expect(throws: GovernanceError(.malformed, "")) { try ReplicatedState.signer(of: truncated) }
        let unsigned = try Entry(kind: entry.kind, payload: entry.payload, authorization: [1, 2, 3])
        #expect(Cluster.code(c.apply(unsigned)) == .malformed)
        let padded = try Entry(kind: entry.kind, payload: entry.payload + Array(repeating: 0x20, count: WatchEntry.maximumBytes))
        #expect(throws: GovernanceError(.oversize, "")) { try ReplicatedState.signer(of: padded) }
        #expect(Cluster.code(c.apply(padded)) == .oversize)
        // A full report of the largest transfers anyone can make on chain (2²⁵⁶ − 1 of a token,
        // 78 digits, not dust) fits its bound and is taken (review H1: it used to stop the watcher).
        let largest = (0..<WatchEntry.maximumTransfers).map { i in
            Self.transfer(v, from: "0x" + String(repeating: String(format: "%02x", i + 16), count: 20), amount: BigUInt(2).power(256) - 1,
                          token: "0x5555555555555555555555555555555555555555")
        }
        let full = try WatchEntry.report(c.signed(WatchReport(chain: "ethereum", fromBlock: 0, block: 100, blockHash: Self.blockHash, parentHash: nil, blockTime: Int64(c.now / 1000), vaults: [v], transfers: largest).json,
                                                  keyId: "watcher-1", key: watcher))
        #expect(full.payload.count + full.authorization.count <= WatchEntry.maximumBytes)
        guard case .watched(chain: "ethereum", block: 100, flagged: _) = c.apply(full) else { Issue.record("the full report was not taken"); return }
        let many = (0...WatchEntry.maximumTransfers).map { _ in Self.transfer(v) }
        let overfull = try report(&c, many)
        #expect(Cluster.code(overfull) == .invalidRequest || Cluster.code(overfull) == .oversize)
        // Hostile transfer members.
        var hostile = Self.transfer(v).json
        if case .object(var members) = hostile {
            members[members.firstIndex { $0.key == "amount" }!].value = .string("-1")
            hostile = .object(members)
        }
        guard case .object(var members) = WatchReport(chain: "ethereum", fromBlock: 0, block: 100, blockHash: Self.blockHash, parentHash: nil, blockTime: Int64(c.now / 1000), vaults: [v], transfers: []).json else { return }
        members[members.firstIndex { $0.key == "transfers" }!].value = .array([hostile])
        let body = JSONValue.object(members)
        let outcome = c.apply(try WatchEntry.report(c.signed(body, keyId: "watcher-1", key: watcher)))
        #expect(Cluster.code(outcome) == .invalidRequest && Cluster.reason(outcome).contains("amount must be"))
        #expect(c.state.watch(.development).count == 0)
    }

    /// A counterparty reported in its mixed-case EIP-55 form is flagged by its address, and a
    /// request naming it in either case is denied.
    @Test func aMixedCaseEIP55CounterpartyIsFlaggedWhateverCaseARequestUses() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        let checksummed = "0x52908400098527886E0F7030069857D2E4169EE7"
        #expect(try report(&c, [Self.transfer(v, from: checksummed, amount: 0)]) == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(c.state.watch(.development).appearances["ethereum/" + checksummed.lowercased()] != nil)
        for to in [checksummed, checksummed.lowercased()] {
            let paid = try pay(&c, to)
            #expect(paid.decision.reason == .deniedByRule("deny-poisoned") && paid.decision.warnings.map(\.kind) == [.poisoned], "\(to): \(paid.decision)")
        }
    }

    @Test func theWatchRoomEntersTheDigest() throws {
        var a = try cluster()
        var b = a
        #expect(a.state.digest == b.state.digest)
        let v = try Self.vaultAddress(a)
        _ = try report(&a, [Self.transfer(v)])
        _ = try report(&b, [Self.transfer(v, amount: 1_000_000_000, token: Cluster.usdc)])
        #expect(a.state.watch(.development).count == 1 && b.state.watch(.development).count == 0)
        #expect(a.state.digest != b.state.digest)
    }

    /// Third review H-2: the flood set enters the digest. Two nodes applying the same flood
    /// agree; a flood differing only in one counterparty beyond the detailed flags (same counts
    /// everywhere) gives another digest.
    @Test func theFloodSetEntersTheDigest() throws {
        var a = try cluster()
        let v = try Self.vaultAddress(a)
        let flood = (0...WatchBook.maximumFlagsPerTransaction).map { i in
            Self.transfer(v, from: "0x" + String(repeating: "0", count: 32) + String(format: "%08x", i + 1), amount: 0)
        }
        var other = flood
        other[WatchBook.maximumFlagsPerTransaction] = Self.transfer(v, from: "0x" + String(repeating: "9", count: 40), amount: 0)
        var b = a
        var c = a
        let entry = try reportEntry(&a, flood)
        #expect(a.apply(entry) == .watched(chain: "ethereum", block: 100, flagged: WatchBook.maximumFlagsPerTransaction))
        b.apply(entry)
        #expect(a.state.digest == b.state.digest)
        #expect(a.state.watch(.development).floodSets["ethereum"]?.count == 1)
        _ = try report(&c, other)
        #expect(c.state.watch(.development).count == a.state.watch(.development).count && c.state.watch(.development).floodSets["ethereum"]?.count == 1)
        #expect(c.state.watch(.development).floodSets["ethereum"]?.digest != a.state.watch(.development).floodSets["ethereum"]?.digest)
        #expect(c.state.digest != a.state.digest)
    }
}
