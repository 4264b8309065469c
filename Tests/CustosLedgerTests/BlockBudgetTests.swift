import CustosCore
import CustosLedger
import Testing

@Suite struct BlockBudgetTests {
    @Test("A queue of large entries is cut at the block's size limit, never refused as a whole")
    func largeEntriesFitInSeveralBlocks() throws {
        let big = try Entry(kind: "test.big", payload: [UInt8](repeating: 7, count: Entry.maximumPayloadBytes),
                            authorization: [UInt8](repeating: 1, count: Entry.maximumAuthorizationBytes))
        let queue = Array(repeating: big, count: 40)
        let n = Block.fittingPrefix(of: queue)
        #expect(n > 0 && n < queue.count)
        _ = try Block(height: 1, previousHash: TestCluster(n: 4).configuration.genesisDigest, timestamp: 1, entries: Array(queue.prefix(n)))
        let oversize = #expect(throws: LedgerError(.limitExceeded, "")) {
            _ = try Block(height: 1, previousHash: TestCluster(n: 4).configuration.genesisDigest, timestamp: 1, entries: Array(queue.prefix(n + 1)))
        }
        #expect(oversize?.reason.contains("bytes") == true, "refused for its size, not its entry count")
        let small = Array(repeating: try Entry(kind: "k", payload: [1]), count: Block.maximumEntries + 5)
        #expect(Block.fittingPrefix(of: small) == Block.maximumEntries)
        // The entry cap is its own refusal: one entry more than the cap, each tiny.
        _ = try Block(height: 1, previousHash: TestCluster(n: 4).configuration.genesisDigest, timestamp: 1,
                      entries: Array(small.prefix(Block.maximumEntries)))
        let crowded = #expect(throws: LedgerError(.limitExceeded, "")) {
            _ = try Block(height: 1, previousHash: TestCluster(n: 4).configuration.genesisDigest, timestamp: 1,
                          entries: Array(small.prefix(Block.maximumEntries + 1)))
        }
        #expect(crowded?.reason.contains("entries") == true, "refused for its entry count")
        #expect(Block.fittingPrefix(of: []) == 0)
    }
}
