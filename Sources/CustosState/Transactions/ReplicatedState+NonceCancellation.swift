import BigInt
import CustosChains
import CustosCore
import CustosCrypto

extension ReplicatedState {
    /// The request id under which the executed cancellation `operationId` plans its zero-value
    /// transaction: 64 lowercase hex digits, as every request id, that no request can have (a
    /// request's id is the digest of its signing input, under no such tag).
    public static func cancellationId(operationId: String) -> String {
        Hashes.tagged("custos/cancel-nonce", Array(operationId.utf8)).hexString
    }

    /// Cancels a nonce (the executed `cancel-nonce`) by planning a zero-value transfer from the
    /// address to itself at that nonce, under `cancellationId(operationId:)`, awaiting an
    /// executor's parameters without a deadline; the nonce is reserved to it. Refused unless
    /// `address` is an EVM address, `chain` has registered assets (which give its chain id), and
    /// the nonce is either
    /// - reserved to a plan of `vault` from that address that is `outcome-unknown` or `signed`
    ///   (one still signing must finish first; a cancellation waiting for parameters already
    ///   holds it). That plan becomes `superseded-unconfirmed`, not cancelled: the chain may mine
    ///   it rather than the cancellation (a gateway may have broadcast a signature it held back),
    ///   so it keeps counting in the limits and says it may have been paid; or
    /// - free: below the address's next nonce and given back by a signing that failed before any
    ///   signer took part, while the address is an EVM address of `vault`. No signature at it can
    ///   exist, yet every later nonce of the address waits for it on the chain; the cancellation
    ///   fills the gap (it supersedes nothing) rather than waiting for a new request to take it.
    mutating func cancelNonce(vault: String, chain: String, address: String, nonce: UInt64, operationId: String) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, "nonce \(nonce) cannot be cancelled: \(reason)") }
        guard let owner = vaults[vault] else { throw GovernanceError(.unknownVault, "no vault \"\(vault.prefix(64))\"") }
        let from: EVM.Address
        do { from = try EVM.Address(hex: address) } catch { throw invalid("\(address.printable(limit: 64)) is not an EVM address: \(error.reason)") }
        guard let chainId = assets.values.first(where: { $0.chain == chain })?.chainId else {
            throw invalid("no asset is registered on chain \(chain.printable(limit: 32)), so its chain id is unknown")
        }
        let id = Self.cancellationId(operationId: operationId)
        guard let holder = transactions.reservation(chainId: chainId, address: from.checksummed, nonce: nonce), let held = transactions[holder] else {
            let key = TransactionBook.nonceKey(chainId: chainId, address: from.checksummed)
            guard transactions.freeNonces[key]?.contains(nonce) == true else {
                let next = transactions.nextNonce(chainId: chainId, address: from.checksummed)
                throw invalid("it is neither reserved to a transaction of \(from.checksummed) on \(chain) nor free"
                    + (nonce >= next ? " (it is not below the address's next nonce, \(next): no transaction waits for it)" : ""))
            }
            guard let source = owner.evmSource(named: from.checksummed), source.address == from else {
                throw invalid("\(from.checksummed) is not an EVM address of vault \(vault)")
            }
            transactions[id] = PlannedTransaction(
                requestId: id, vault: vault, chain: chain, chainId: chainId, from: source.address, path: source.path, to: source.address,
                value: 0, data: [], status: .awaitingParameters, reservedNonce: nonce)
            transactions.take(nonce, chainId: chainId, address: from.checksummed, for: id)
            return
        }
        guard held.vault == vault else { throw invalid("\(from.checksummed) is an address of vault \(held.vault), not \(vault)") }
        guard held.status == .outcomeUnknown || held.status == .signed else {
            throw invalid("the transaction \(holder) holding it is \(held.status.rawValue), neither outcome-unknown nor signed")
        }
        var superseded = held
        superseded.status = .superseded
        superseded.failure = "its nonce \(nonce) was given by operation \(operationId) to the zero-value transaction \(id); "
            + "whichever of the two the chain mines at nonce \(nonce) is final, so this payment MAY HAVE BEEN MADE: "
            + "check the chain before paying it again"
        transactions[holder] = superseded
        transactions[id] = PlannedTransaction(
            requestId: id, vault: vault, chain: held.chain, chainId: chainId, from: held.from, path: held.path, to: held.from, value: 0,
            data: [], status: .awaitingParameters, signatureMayExist: true, cancels: holder, reservedNonce: nonce)
        transactions.reserve(nonce, chainId: chainId, address: from.checksummed, for: id)
    }
}
