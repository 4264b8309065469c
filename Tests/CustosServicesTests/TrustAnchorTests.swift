import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
@testable import CustosNodeService
import CustosState
import Foundation
import Logging
import Testing

/// A long-range attack on a node that joins or was wiped, as the attacker would try it: the keys
/// of the genesis members (retired since, and leaked) certify an alternative history from genesis,
/// and a gateway the attacker controls feeds it to a fresh node. Every certificate in it is valid,
/// so without a trust anchor the node takes it; with the operator's anchor (a height and hash from
/// the honest chain) the node commits none of it and says which height is wrong. The honest
/// history passes the same anchor.
struct TrustAnchorTests {
    @Test func aFreshNodeTakesALongRangeForkWithoutAnAnchorAndRefusesItWithOne() async throws {
        let scene = try NodeScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let honest = try scene.chain(5, tag: "honest")
        let fork = try scene.chain(5, tag: "fork")
        let anchor = try TrustAnchor(height: 4, hash: honest[3].block.hash)

        // The attack, unanchored: the fork is self-consistent and the node commits all of it.
        try await HistoryServingGateway.with(fork) { url in
            let node = try scene.node("unanchored", gateway: url)
            try await node.catchUp()
            #expect(await node.head.hash == fork[4].block.hash)
        }

        // Anchored: refused before anything is committed, and the error names the height.
        try await HistoryServingGateway.with(fork) { url in
            let node = try scene.node("anchored", gateway: url, anchor: anchor)
            let error = await #expect(throws: ClusterAPIError.self) { try await node.catchUp() }
            #expect(error?.code == .untrustedHistory)
            #expect(error?.reason.contains("height 4") == true, "\(error?.reason ?? "")")
            #expect(await node.head.height == 0, "the node committed part of a history its anchor refuses")
        }

        // The same node restarted without the option: the recorded anchor still holds, and the
        // honest history passes it, up to the anchor and beyond.
        try await HistoryServingGateway.with(honest) { url in
            let node = try scene.node("anchored", gateway: url)
            try await node.catchUp()
            #expect(await node.head.hash == honest[4].block.hash)
        }
    }

    /// A fork that agrees with the honest chain up to the anchor and differs below it cannot
    /// exist (each block names its predecessor's hash); one that splices the honest block at the
    /// anchor's height onto forked blocks below it is refused at the first height that does not
    /// link, and a node whose own committed chain is the fork refuses to start with the anchor.
    @Test func aSplicedForkAndAForkedCommittedChainAreRefusedNamingTheHeight() async throws {
        let scene = try NodeScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let honest = try scene.chain(4, tag: "honest")
        let fork = try scene.chain(4, tag: "fork")
        let anchor = try TrustAnchor(height: 4, hash: honest[3].block.hash)

        try await HistoryServingGateway.with(Array(fork.prefix(3)) + [honest[3]]) { url in
            let node = try scene.node("spliced", gateway: url, anchor: anchor)
            let error = await #expect(throws: ClusterAPIError.self) { try await node.catchUp() }
            #expect(error?.reason.contains("height 3") == true, "\(error?.reason ?? "")")
            #expect(await node.head.height == 0)
        }

        try await HistoryServingGateway.with(fork) { url in
            let node = try scene.node("forked", gateway: url)
            try await node.catchUp()
            #expect(await node.head.height == 4)
        }
        let error = #expect(throws: ClusterAPIError.self) { try scene.node("forked", anchor: anchor) }
        #expect(error?.code == .untrustedHistory)
        #expect(error?.reason.contains("height 4") == true, "\(error?.reason ?? "")")
    }
}
