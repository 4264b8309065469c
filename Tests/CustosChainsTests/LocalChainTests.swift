import BigInt
import CustosChains
import CustosChainsRPC
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// End to end on the local chain (py-evm through eth-tester, scripts/evm-devnet.py):
/// transactions built and signed by Custos code, broadcast over JSON-RPC, mined, and
/// checked through receipts and balances.
@Suite(.exclusiveProcesses, .serialized) struct LocalChainTests {
    /// eth-tester's first pre-funded account: private key 0x…01.
    static let funderKey = try! Secp256k1.ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [1])
    static let ether = BigUInt(10).power(18)

    /// A minimal ERC-20: balances at storage slot = holder address; constructor credits the
    /// deployer with 1,000,000 × 10¹⁸; runtime implements transfer(address,uint256) (reverts
    /// on insufficient balance, emits Transfer, returns true) and balanceOf(address).
    ///
    ///   constructor: PUSH10 supply CALLER SSTORE PUSH1 0x83 DUP1 PUSH1 0x18 PUSH1 0 CODECOPY PUSH1 0 RETURN
    ///   runtime:     selector dispatch (a9059cbb → 0x2c, 70a08231 → 0x1f, else revert)
    ///   0x1f balanceOf: SLOAD(arg0) → return word
    ///   0x2c transfer:  amt, bal(caller); bal < amt → 0x7e revert; store bal-amt; to += amt;
    ///                   LOG3(amt, Transfer, caller, to); return 1
    static let tokenInitCode = hex(
        "69d3c21bcecceda1000000335560838060186000396000f3"
        + "60003560e01c8063a9059cbb1461002c576370a082311461001f57600080fd5b6004355460005260206000f35b"
        + "602435335481811061007e578190033355600435805482019055600052600435337fddf252ad1be2c89b69c2b068"
        + "fc378daa952ba7f163c4a11628f55a4df523b3ef60206000a3600160005260206000f35b600080fd")
    static let tokenRuntime = Array(tokenInitCode.dropFirst(24))
    static let transferTopic = Keccak256.hash(Array("Transfer(address,address,uint256)".utf8))

    func sendAndWait(_ client: EVMRPCClient, _ tx: EVM.Transaction) async throws -> EVMReceipt {
        let signed = try tx.signed(with: Self.funderKey)
        let hash = try await client.sendRawTransaction(signed)
        #expect(hash == signed.hash)
        let receipt = try await client.waitForReceipt(hash, timeout: .seconds(30), pollInterval: .milliseconds(50))
        #expect(receipt.transactionHash == signed.hash)
        return receipt
    }

    @Test func nativeTransfersOfEveryType() async throws {
        let chain = try LocalServer.devnet()
        defer { chain.stop() }
        let client = try EVMRPCClient(endpoint: chain.url)
        let chainID = try await client.chainID()
        #expect(chainID == 131_277_322_940_537)
        let sender = EVM.Address(publicKey: Self.funderKey.publicKey)
        let recipient = try EVM.Address(Keccak256.hash(Array("custos recipient".utf8)).suffix(20))
        #expect(try await client.balance(recipient) == 0)
        #expect(try await client.code(recipient).isEmpty)

        let fees = try await client.feeData()
        #expect(fees.baseFeePerGas > 0)
        #expect(fees.maxPriorityFeePerGas > 0)
        let amount = Self.ether * 3 / 2
        #expect(try await client.estimateGas(from: sender, to: recipient, value: amount) == 21000)

        // EIP-1559.
        let senderBefore = try await client.balance(sender)
        var nonce = try await client.transactionCount(sender)
        let tx = try EVM.Transaction.eip1559(
            chainID: chainID, nonce: nonce, maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
            maxFeePerGas: fees.maxFeePerGas, gasLimit: 21000, to: recipient, value: amount)
        let registry = EVM.Registry(labels: [recipient: "Test recipient"])
        #expect(EVM.IntentDecoder(registry: registry).decode(tx).description(using: registry)
            == "Transfer 1.50 ETH to \(recipient.abbreviated) (Test recipient)")
        let receipt = try await sendAndWait(client, tx)
        #expect(receipt.succeeded)
        #expect(receipt.gasUsed == 21000)
        #expect(try await client.balance(recipient) == amount)
        let price = try #require(receipt.effectiveGasPrice)
        #expect(try await client.balance(sender) == senderBefore - amount - BigUInt(receipt.gasUsed) * price)

        // Legacy (EIP-155) and EIP-2930 are accepted by the chain too.
        nonce += 1
        #expect(try await client.transactionCount(sender) == nonce)
        let gasPrice = fees.maxFeePerGas
        _ = try await sendAndWait(client, .legacy(chainID: chainID, nonce: nonce, gasPrice: gasPrice, gasLimit: 21000,
                                                   to: recipient, value: 1))
        _ = try await sendAndWait(client, .eip2930(chainID: chainID, nonce: nonce + 1, gasPrice: gasPrice, gasLimit: 30000,
                                                    to: recipient, value: 2,
                                                    accessList: [try EVM.AccessListEntry(address: recipient, storageKeys: [])]))
        #expect(try await client.balance(recipient) == amount + 3)

        // Fee data once blocks carry transactions (gasUsedRatio is fractional JSON).
        let history = try await client.feeHistory(blocks: 3, percentiles: [10, 50])
        #expect(history.baseFeePerGas.count == 4)
        #expect(history.reward.count == 3)
        #expect(history.reward.allSatisfy { $0.count == 2 })
        #expect(try await client.feeData().baseFeePerGas == history.baseFeePerGas.last)
        #expect(try await client.blockNumber() == history.oldestBlock + 2)

        // A replayed transaction is refused by the node, and the error says where and why.
        let replay = try tx.signed(with: Self.funderKey)
        do {
            _ = try await client.sendRawTransaction(replay)
            Issue.record("a replayed transaction was accepted")
        } catch {
            #expect(error.code == .rpcError)
            #expect(error.description.contains("eth_sendRawTransaction at http://127.0.0.1:\(chain.port)"))
        }
    }

    @Test func erc20DeployAndTransfer() async throws {
        let chain = try LocalServer.devnet()
        defer { chain.stop() }
        let client = try EVMRPCClient(endpoint: chain.url)
        let chainID = try await client.chainID()
        let sender = EVM.Address(publicKey: Self.funderKey.publicKey)
        let recipient = try EVM.Address(Keccak256.hash(Array("custos token recipient".utf8)).suffix(20))
        let fees = try await client.feeData()

        // Deploy from bytecode, signed by Custos.
        let deployGas = try await client.estimateGas(from: sender, to: nil, data: Self.tokenInitCode)
        let deploy = try EVM.Transaction.eip1559(
            chainID: chainID, nonce: try await client.transactionCount(sender),
            maxPriorityFeePerGas: fees.maxPriorityFeePerGas, maxFeePerGas: fees.maxFeePerGas,
            gasLimit: deployGas + deployGas / 5, to: nil, value: 0, data: Self.tokenInitCode)
        #expect(EVM.IntentDecoder(registry: .init()).decode(deploy).flags(using: .init()) == [.contractCreation])
        let deployed = try await sendAndWait(client, deploy)
        #expect(deployed.succeeded)
        let token = try #require(deployed.contractAddress)
        #expect(try await client.code(token) == Self.tokenRuntime)

        func balanceOf(_ holder: EVM.Address) async throws -> BigUInt {
            let result = try await client.call(to: token, data: EVM.ABI.encodeCall("balanceOf(address)", [.address(holder)]))
            return try #require(EVM.ABI.decode([.uint(bits: 256)], from: result, canonical: true).first?.uintValue)
        }
        let supply = BigUInt(1_000_000) * Self.ether
        #expect(try await balanceOf(sender) == supply)
        #expect(try await balanceOf(recipient) == 0)

        // Transfer 250 tokens; the intent is decoded from the exact transaction before signing.
        let amount = BigUInt(250) * Self.ether
        let calldata = try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(recipient), .uint(amount)])
        let gas = try await client.estimateGas(from: sender, to: token, data: calldata)
        let transfer = try EVM.Transaction.eip1559(
            chainID: chainID, nonce: try await client.transactionCount(sender),
            maxPriorityFeePerGas: fees.maxPriorityFeePerGas, maxFeePerGas: fees.maxFeePerGas,
            gasLimit: gas + gas / 5, to: token, value: 0, data: calldata)
        let registry = EVM.Registry(tokens: [token: .init(symbol: "TST", decimals: 18)], labels: [recipient: "Desk B"])
        let intent = EVM.IntentDecoder(registry: registry).decode(transfer)
        #expect(intent.description(using: registry) == "Transfer 250.00 TST to \(recipient.abbreviated) (Desk B)")
        #expect(intent.flags(using: registry).isEmpty)

        let receipt = try await sendAndWait(client, transfer)
        #expect(receipt.succeeded)
        #expect(receipt.logs.count == 1)
        let log = try #require(receipt.logs.first)
        #expect(log.address == token)
        #expect(log.topics == [Self.transferTopic, [UInt8](repeating: 0, count: 12) + sender.rawValue,
                               [UInt8](repeating: 0, count: 12) + recipient.rawValue])
        #expect(log.data == amount.bigEndianBytes(width: 32))
        #expect(try await balanceOf(recipient) == amount)
        #expect(try await balanceOf(sender) == supply - amount)

        // Overspending reverts at estimation: an rpcError naming the method and endpoint.
        let tooMuch = try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(sender), .uint(supply)])
        do {
            _ = try await client.estimateGas(from: recipient, to: token, data: tooMuch)
            Issue.record("an overspending transfer estimated successfully")
        } catch {
            #expect(error.code == .rpcError)
            #expect(error.method == "eth_estimateGas")
        }
    }
}
