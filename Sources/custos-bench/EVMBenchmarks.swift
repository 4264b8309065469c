import BigInt
import CustosChains
import CustosCore
import CustosCrypto

/// `custos-bench evm`: decode-and-describe of the calls a treasury signs, each as a ratio to
/// one Keccak-256 of the same calldata in the same run.
func evmBenchmarks() throws -> String {
    let usdc = try EVM.Address(hex: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
    let binance = try EVM.Address(hex: "0x28C6c06298d514Db089934071355E5743bf21d60")
    let multiSend = try EVM.Address(hex: "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D")
    let registry = EVM.Registry(
        tokens: [usdc: .init(symbol: "USDC", decimals: 6)],
        labels: [binance: "Binance hot wallet", multiSend: "MultiSendCallOnly"])
    let decoder = EVM.IntentDecoder(registry: registry)

    func decodeAndDescribe(_ to: EVM.Address, _ data: [UInt8]) -> (String, Set<EVM.DangerFlag>) {
        let intent = decoder.decode(to: to, value: 0, data: data)
        return (intent.description(using: registry), intent.flags(using: registry))
    }

    // ERC-20 transfer.
    let transfer = try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(binance), .uint(250_000_000_000)])
    precondition(decodeAndDescribe(usdc, transfer).0 == "Transfer 250,000.00 USDC to 0x28C6…1d60 (Binance hot wallet)")
    var erc20 = Section(
        "evm: ERC-20 transfer (\(transfer.count) bytes of calldata)",
        baseline: measure("Keccak-256 of the calldata", iterations: 20_000) { blackHole(Keccak256.hash(transfer)) })
    erc20.add(measure("decode-and-describe ERC-20 transfer", iterations: 20_000) {
        blackHole(decodeAndDescribe(usdc, transfer))
    })
    let key = Secp256k1.ECDSA.PrivateKey()
    let raw = try EVM.Transaction.eip1559(
        chainID: 1, nonce: 7, maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 30_000_000_000, gasLimit: 65_000,
        to: usdc, value: 0, data: transfer
    ).signed(with: key).encoded
    erc20.add(measure("decode raw EIP-1559 tx + decode-and-describe", iterations: 5_000) {
        let tx = try! EVM.SignedTransaction.decode(raw)
        blackHole(decodeAndDescribe(usdc, tx.transaction.data))
    }, note: "no sender recovery")
    erc20.add(measure("… + recover sender", iterations: 2_000) {
        let tx = try! EVM.SignedTransaction.decode(raw)
        blackHole(try! tx.recoverSender())
        blackHole(decodeAndDescribe(usdc, tx.transaction.data))
    }, note: "libsecp256k1 recovery dominates")

    // 10-item MultiSend: alternating ERC-20 transfers and ETH transfers.
    var items: [EVM.MultiSend.Item] = []
    for i in 0..<10 {
        if i % 2 == 0 {
            let data = try EVM.ABI.encodeCall(
                "transfer(address,uint256)", [.address(binance), .uint(.init(1_000_000 * (i + 1)))])
            items.append(.init(operation: .call, to: usdc, value: 0, data: data))
        } else {
            items.append(.init(operation: .call, to: binance, value: .init(i) * 1_000_000_000_000_000, data: []))
        }
    }
    let batch = try EVM.ABI.encodeCall("multiSend(bytes)", [.bytes(EVM.MultiSend.pack(items))])
    precondition(decodeAndDescribe(multiSend, batch).0.hasPrefix("Batch of 10 calls via MultiSend"))
    var multi = Section(
        "evm: 10-item MultiSend (\(batch.count) bytes of calldata)",
        baseline: measure("Keccak-256 of the calldata", iterations: 20_000) { blackHole(Keccak256.hash(batch)) })
    multi.add(measure("decode-and-describe 10-item MultiSend", iterations: 5_000) {
        blackHole(decodeAndDescribe(multiSend, batch))
    })
    return erc20.render() + "\n" + multi.render()
}
