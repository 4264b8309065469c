import BigInt
import Crypto
import CustosIdentity
import CustosPolicy
@testable import CustosState
import Testing

/// Environments never mix in the watch room (issue 14 item 5), tried as an attacker holding the
/// key of a watcher of another environment than the vault's: its dust report and its coverage
/// go into its own environment's room, and neither flags nor clears the vault's payments; nor
/// does its flag, reported first, keep the vault's own watcher from flagging the same address.
extension WatchRoomTests {
    @Test func aWatcherOfAnotherEnvironmentNeitherFlagsNorCoversAVaultsPayments() throws {
        // "hot" is a development vault, watcher-1 a development watcher.
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        #expect(c.state.vaults["hot"]?.environment == .development)
        let production = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("watcher-prod", key: production.publicKey, roles: [WatchEntry.watcherRole], environment: .production)
        // The production watcher covers blocks 0 to 100 and reports dust from the poisoner at 100.
        #expect(try report(&c, [], block: 50, keyId: "watcher-prod", key: production) == .watched(chain: "ethereum", block: 50, flagged: 0))
        #expect(try report(&c, [Self.transfer(v, amount: 0)], from: 51, keyId: "watcher-prod", key: production)
            == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(c.state.watch(.production).appearances["ethereum/" + Self.poisoner]?.reporter == "watcher-prod")
        #expect(c.state.watch(.production).marks["ethereum"] == 100)
        #expect(c.state.watch(.development).appearances.isEmpty && c.state.watch(.development).marks.isEmpty)
        #expect(c.state.watchCoverage(in: .development).isEmpty)
        #expect(c.state.watchCoverage(in: .production)["ethereum"]?.block == 100)
        // Its coverage does not cover the development vault: the poisoned test stays unknown there
        // (failing closed), and its flag is not the vault's.
        let uncovered = try pay(&c, Self.poisoner)
        #expect(uncovered.outcome == .deny, "\(uncovered.decision)")
        #expect(!uncovered.decision.warnings.contains { $0.kind == .poisoned }, "\(uncovered.decision)")
        // The development watcher covers blocks 0 to 50, empty: the production flag does not deny the payment.
        #expect(try report(&c, [], block: 50) == .watched(chain: "ethereum", block: 50, flagged: 0))
        let paid = try pay(&c, Self.poisoner)
        #expect(paid.outcome == .allow, "\(paid.decision)")
        // Its own report of the same dust flags it in its room (the production watcher's, reported
        // first, took nothing from it), and the payment is denied.
        c.now += 5_000
        #expect(try report(&c, [Self.transfer(v, amount: 0)], from: 51) == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(c.state.watch(.development).appearances["ethereum/" + Self.poisoner]?.reporter == "watcher-1")
        #expect(c.state.watch(.development).corroborations.isEmpty && c.state.watch(.production).corroborations.isEmpty)
        let denied = try pay(&c, Self.poisoner)
        #expect(denied.decision.reason == .deniedByRule("deny-poisoned"), "\(denied.decision)")
        // Review of fin14 L3: a clearance naming no environment is refused when two rooms hold the
        // flag, naming them; one naming an environment clears that room alone.
        let (_, both) = try c.propose(.clearWatchFlag(chain: "ethereum", target: Self.poisoner), by: "frank")
        #expect(Cluster.code(both) == .invalidChange)
        #expect(Cluster.reason(both).contains("in the production and development watch rooms: name the one meant, e.g. production:"),
                "\(Cluster.reason(both))")
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "development:" + Self.poisoner))
        #expect(c.state.watch(.development).appearances.isEmpty)
        #expect(c.state.watch(.production).appearances["ethereum/" + Self.poisoner] != nil, "the production flag stays")
        // Now one room holds it: named or not, the clearance clears that one.
        try c.govern(.clearWatchFlag(chain: "ethereum", target: Self.poisoner))
        for environment in [DeploymentEnvironment.production, .development] {
            #expect(c.state.watch(environment).appearances.isEmpty)
            #expect(c.state.watch(environment).cleared["ethereum/" + Self.poisoner] != nil)
        }
        #expect(WatchClearance.words(of: "staging:" + Self.poisoner)?.hasSuffix(" in the staging watch room only") == true)
        #expect(throws: GovernanceError.self) { try WatchClearance.scoped("qa:" + Self.poisoner) }
        #expect(c.state.watch(.staging).cleared.isEmpty && c.state.watches[.staging] == nil)
        #expect(try pay(&c, Self.poisoner).outcome == .allow)
        // Removing the production watcher forgets its coverage in its own room only.
        try c.govern(.removeBot(id: "watcher-prod"))
        #expect(c.state.watch(.production).coverage(by: "watcher-prod", on: "ethereum") == nil)
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum")?.block == 100)
    }
}

extension WatchRoomTests {
    /// Review of fin14 L6: an address-book entry a policy change adds is checked against every
    /// environment's watch room, not production's alone: the address a development watcher saw
    /// planted by dust is named to the approvers, with the watchers that saw it.
    @Test func aNewAddressBookEntryIsCheckedAgainstEveryEnvironmentsWatchers() throws {
        var c = try cluster()
        let v = try Self.vaultAddress(c)
        #expect(try report(&c, [Self.transfer(v, amount: 0)], block: 100) == .watched(chain: "ethereum", block: 100, flagged: 1))
        #expect(c.state.watch(.development).appearances["ethereum/" + Self.poisoner] != nil)
        #expect(c.state.watches[.production] == nil)
        let next = c.state.policyYAML.replacing("version: 3", with: "version: 4")
            .replacing("address_book:\n", with: "address_book:\n  planted:\n    chain: ethereum\n    address: \"\(Self.poisoner)\"\n")
        #expect(next.contains("planted:"))
        let warnings = c.state.addressBookWarnings(of: .changePolicy(yaml: next))
        #expect(warnings.contains { $0.hasPrefix("new address-book entry planted: ") && $0.hasSuffix(" (development watchers)") }, "\(warnings)")
    }
}
