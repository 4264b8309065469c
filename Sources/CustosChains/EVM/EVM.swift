/// Namespace for Ethereum and EVM chains: RLP, addresses, quantities, transactions, ABI,
/// intents and typed data. Everything here is pure (no I/O); the JSON-RPC client lives in
/// CustosChainsRPC.
public enum EVM {}
