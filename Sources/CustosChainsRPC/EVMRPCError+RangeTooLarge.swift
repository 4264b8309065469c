import CustosCore

extension EVMRPCError {
    /// Whether the node refused a call for the size of its block range or of its answer, which a
    /// smaller range may cure: a JSON-RPC error with code -32005 (Infura's "query returned more
    /// than 10000 results", "limit exceeded") or a message providers use for it ("block range
    /// too large", "exceed maximum block range", "log response size exceeded", "too many
    /// results", "more than N results").
    public var isRangeTooLarge: Bool {
        guard code == .rpcError else { return false }
        if context.rpcCode == -32005 { return true }
        let text = reason.lowercased()
        return ["more than", "too large", "too many", "range is too", "maximum block range", "block range too", "response size", "limit exceeded"]
            .contains { text.contains($0) }
    }
}
