import CustosChains
import CustosCore
import CustosCrypto

extension PlannedTransaction {
    /// What a reading of the deployed contract shows that differs from the deployment request,
    /// fail-closed: empty only when the Keccak-256 of the full code read (`codeHash`) is the
    /// expected runtime code hash, and each expected call answered exactly the expected bytes
    /// (`results`: the Keccak-256 of each answer, nil for a call that failed). A reading with
    /// another number of answers than expected calls differs in every call. Pure: the same on
    /// every node.
    public func deploymentDifferences(codeHash: [UInt8], results: [[UInt8]?]) -> [ReceiptMismatch] {
        guard let deployment else { return [] }
        var out: [ReceiptMismatch] = []
        let at = contractAddress?.checksummed ?? "the contract's address"
        if codeHash != deployment.runtimeCodeHash {
            out.append(ReceiptMismatch(.runtimeCodeMismatch, "the code at \(at) hashes to 0x\(codeHash.hexString), "
                                       + "not the reviewed runtime code hash 0x\(deployment.runtimeCodeHash.hexString)"))
        }
        for (i, call) in deployment.expectedState.enumerated() {
            let read = i < results.count && results.count == deployment.expectedState.count ? results[i] : nil
            guard read != Keccak256.hash(call.result) else { continue }
            out.append(ReceiptMismatch(.initialStateMismatch, "\(call.function.printable(limit: 64)) at \(at) "
                                       + (read == nil ? "failed" : "answered other bytes than 0x\(call.result.hexString)")))
        }
        return out
    }
}
