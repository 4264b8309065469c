import CustosCore

extension EVMRPCClient {
    /// What `fetch` answers for blocks `from` through `to`, in block order, asking again in
    /// halves of a range the provider refuses as too large (`EVMRPCError.isRangeTooLarge`: "query
    /// returned more than 10000 results", "block range too large", …) until each part is
    /// answered. At most `maximumSplits` splits: past that, or for a single block still too
    /// large, the provider's error is thrown, so a watcher stops with the reason rather than
    /// looping.
    public static func splittingRange<T: Sendable>(
        from: UInt64, to: UInt64, maximumSplits: Int = 256, _ fetch: (UInt64, UInt64) async throws(EVMRPCError) -> [T]
    ) async throws(EVMRPCError) -> [T] {
        precondition(from <= to, "an empty block range")
        var pending: [(UInt64, UInt64)] = [(from, to)]  // the next range to ask last
        var results: [T] = []
        var splits = 0
        while let (a, b) = pending.popLast() {
            do {
                results += try await fetch(a, b)
            } catch {
                guard error.isRangeTooLarge, a < b, splits < maximumSplits else { throw error }
                splits += 1
                let middle = a + (b - a) / 2
                pending.append((middle + 1, b))
                pending.append((a, middle))
            }
        }
        return results
    }
}
