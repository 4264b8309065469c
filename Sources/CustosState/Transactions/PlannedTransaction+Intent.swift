import BigInt
import CustosChains
import CustosCore
import CustosCrypto

extension PlannedTransaction {
    /// The digest of what this plan's transaction does, whatever its parameters: chain id,
    /// sender, recipient or contract, value and calldata. A simulation names it, so that a
    /// simulation of another transaction than the committed one counts for nothing.
    public var intentDigest: [UInt8] { Self.intentDigest(chainId: chainId, from: from, to: to, value: value, data: data) }

    /// `intentDigest` of a transaction with these fields, as an executor computes it from the
    /// fields it passed to `eth_call`.
    /// A creation (`to` nil) writes no address where a call writes 20 bytes.
    public static func intentDigest(chainId: UInt64, from: EVM.Address, to: EVM.Address?, value: BigUInt, data: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.transaction.intent.v1")
        w.append(chainId)
        w.append(lengthPrefixed: from.rawValue)
        w.append(lengthPrefixed: to?.rawValue ?? [])
        w.append(lengthPrefixed: value.minimalBigEndianBytes)
        w.append(lengthPrefixed: data)
        return Hashes.sha256(w.bytes)
    }
}
