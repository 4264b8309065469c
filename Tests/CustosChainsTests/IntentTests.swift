import BigInt
import CustosChains
import CustosCrypto
import CustosTestSupport
import Testing

@Suite struct IntentTests {
    static let usdc = address("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
    static let bayc = address("0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D")
    static let binance = address("0x28C6c06298d514Db089934071355E5743bf21d60")
    static let router = address("0x68b3465833fb72A70ecDF485E0e4C7bD8665Fc45")
    static let treasury = address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    static let safe = address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
    static let proxy = address("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")
    static let implementation = address("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")
    static let multiSend = address("0x40A2aCCbd92BCA938b02010E17A5b8929b49130D")
    static let unknownToken = address("0x52908400098527886E0F7030069857D2E4169EE7")

    static let registry = EVM.Registry(
        tokens: [usdc: .init(symbol: "USDC", decimals: 6), bayc: .init(symbol: "BAYC", decimals: 0, standard: .erc721)],
        labels: [binance: "Binance hot wallet", router: "Uniswap router", treasury: "Treasury", safe: "Ops Safe",
                 multiSend: "MultiSendCallOnly"])
    static let decoder = EVM.IntentDecoder(registry: registry)

    static func call(_ signature: String, _ values: [EVM.ABIValue]) -> [UInt8] {
        try! EVM.ABI.encodeCall(signature, values)
    }

    static func check(
        to: EVM.Address?, value: BigUInt = 0, data: [UInt8], _ text: String, _ flags: Set<EVM.DangerFlag>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> EVM.Intent {
        let intent = decoder.decode(to: to, value: value, data: data)
        #expect(intent.description(using: registry) == text, sourceLocation: sourceLocation)
        #expect(intent.flags(using: registry) == flags, sourceLocation: sourceLocation)
        return intent
    }

    @Test func nativeTransfer() {
        _ = Self.check(to: Self.binance, value: BigUInt(15) * BigUInt(10).power(17), data: [],
                       "Transfer 1.50 ETH to 0x28C6…1d60 (Binance hot wallet)", [])
        _ = Self.check(to: Self.unknownToken, value: 1, data: [],
                       "Transfer 0.000000000000000001 ETH to 0x52908400098527886E0F7030069857D2E4169EE7", [])
    }

    @Test func erc20() {
        let transfer = Self.check(
            to: Self.usdc, data: Self.call("transfer(address,uint256)", [.address(Self.binance), .uint(250_000_000_000)]),
            "Transfer 250,000.00 USDC to 0x28C6…1d60 (Binance hot wallet)", [])
        #expect(transfer.action == .erc20Transfer(token: Self.usdc, to: Self.binance, amount: 250_000_000_000))
        _ = Self.check(
            to: Self.usdc, data: Self.call("approve(address,uint256)", [.address(Self.router), .uint(1_234_567)]),
            "Approve 0x68b3…Fc45 (Uniswap router) to spend 1.234567 USDC", [])
        _ = Self.check(
            to: Self.usdc, data: Self.call("approve(address,uint256)", [.address(Self.router), .uint(.uint256Max)]),
            "Approve 0x68b3…Fc45 (Uniswap router) to spend unlimited USDC", [.unlimitedApproval])
        _ = Self.check(
            to: Self.usdc, data: Self.call("approve(address,uint256)", [.address(Self.router), .uint(0)]),
            "Revoke the allowance of 0x68b3…Fc45 (Uniswap router) to spend USDC", [])
        _ = Self.check(
            to: Self.usdc,
            data: Self.call("transferFrom(address,address,uint256)", [.address(Self.treasury), .address(Self.binance), .uint(10_000_000)]),
            "Transfer 10.00 USDC from 0x5aAe…eAed (Treasury) to 0x28C6…1d60 (Binance hot wallet)", [])
        _ = Self.check(
            to: Self.usdc, data: Self.call("increaseAllowance(address,uint256)", [.address(Self.router), .uint(BigUInt(1) << 200)]),
            "Increase the allowance of 0x68b3…Fc45 (Uniswap router) by "
                + "1,606,938,044,258,990,275,541,962,092,341,162,602,522,202,993,782,792,835.301376 USDC",
            [.unlimitedApproval])
        _ = Self.check(
            to: Self.usdc, data: Self.call("increaseAllowance(address,uint256)", [.address(Self.router), .uint(5_000_000)]),
            "Increase the allowance of 0x68b3…Fc45 (Uniswap router) by 5.00 USDC", [])
        _ = Self.check(
            to: Self.unknownToken, data: Self.call("approve(address,uint256)", [.address(Self.router), .uint(.uint256Max)]),
            "Approve 0x68b3…Fc45 (Uniswap router) to spend unlimited unknown token 0x52908400098527886E0F7030069857D2E4169EE7",
            [.unlimitedApproval, .unknownToken])
        _ = Self.check(
            to: Self.unknownToken, data: Self.call("transfer(address,uint256)", [.address(Self.binance), .uint(5)]),
            "Transfer 5 base units of unknown token 0x52908400098527886E0F7030069857D2E4169EE7 to 0x28C6…1d60 (Binance hot wallet)",
            [.unknownToken])
    }

    @Test func erc721() {
        _ = Self.check(
            to: Self.bayc,
            data: Self.call("transferFrom(address,address,uint256)", [.address(Self.treasury), .address(Self.binance), .uint(1234)]),
            "Transfer BAYC #1234 from 0x5aAe…eAed (Treasury) to 0x28C6…1d60 (Binance hot wallet)", [])
        _ = Self.check(
            to: Self.bayc,
            data: Self.call("safeTransferFrom(address,address,uint256)", [.address(Self.treasury), .address(Self.binance), .uint(7)]),
            "Transfer BAYC #7 from 0x5aAe…eAed (Treasury) to 0x28C6…1d60 (Binance hot wallet)", [])
        _ = Self.check(
            to: Self.unknownToken,
            data: Self.call("safeTransferFrom(address,address,uint256,bytes)",
                            [.address(Self.treasury), .address(Self.binance), .uint(7), .bytes([1, 2, 3])]),
            "Transfer token #7 of unknown collection 0x52908400098527886E0F7030069857D2E4169EE7 from 0x5aAe…eAed (Treasury) to 0x28C6…1d60 (Binance hot wallet) with 3 bytes of data",
            [.unknownToken])
        _ = Self.check(
            to: Self.bayc, data: Self.call("approve(address,uint256)", [.address(Self.router), .uint(42)]),
            "Approve 0x68b3…Fc45 (Uniswap router) to move BAYC #42", [])
        _ = Self.check(
            to: Self.bayc, data: Self.call("approve(address,uint256)", [.address(Self.router), .uint(BigUInt(1) << 200)]),
            "Approve 0x68b3…Fc45 (Uniswap router) to move BAYC #\(BigUInt(1) << 200)", [])
        _ = Self.check(
            to: Self.bayc, data: Self.call("setApprovalForAll(address,bool)", [.address(Self.router), .bool(true)]),
            "Approve 0x68b3…Fc45 (Uniswap router) to move every BAYC token", [.unlimitedApproval])
        _ = Self.check(
            to: Self.bayc, data: Self.call("setApprovalForAll(address,bool)", [.address(Self.router), .bool(false)]),
            "Revoke the approval of 0x68b3…Fc45 (Uniswap router) to move every BAYC token", [])
    }

    @Test func proxyOwnershipAndRoles() {
        _ = Self.check(
            to: Self.proxy, data: Self.call("upgradeTo(address)", [.address(Self.implementation)]),
            "Upgrade proxy 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB to implementation 0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
            [.upgrade])
        _ = Self.check(
            to: Self.proxy,
            data: Self.call("upgradeToAndCall(address,bytes)", [.address(Self.implementation), .bytes(hex("8129fc1c"))]),
            "Upgrade proxy 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB to implementation 0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb and call it with 4 bytes of data (selector 0x8129fc1c)",
            [.upgrade])
        _ = Self.check(
            to: Self.proxy, data: Self.call("changeAdmin(address)", [.address(Self.treasury)]),
            "Change the admin of proxy 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB to 0x5aAe…eAed (Treasury)", [.adminChange])
        _ = Self.check(
            to: Self.proxy, data: Self.call("transferOwnership(address)", [.address(Self.binance)]),
            "Transfer ownership of 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB to 0x28C6…1d60 (Binance hot wallet)",
            [.ownershipChange])
        _ = Self.check(
            to: Self.proxy, data: Self.call("renounceOwnership()", []),
            "Renounce ownership of 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB (irreversible)", [.ownershipChange])
        let minter = Keccak256.hash(Array("MINTER_ROLE".utf8))
        _ = Self.check(
            to: Self.proxy, data: Self.call("grantRole(bytes32,address)", [.fixedBytes(minter), .address(Self.router)]),
            "Grant role MINTER_ROLE on 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB to 0x68b3…Fc45 (Uniswap router)", [.roleChange])
        _ = Self.check(
            to: Self.proxy,
            data: Self.call("grantRole(bytes32,address)", [.fixedBytes([UInt8](repeating: 0, count: 32)), .address(Self.router)]),
            "Grant role DEFAULT_ADMIN_ROLE on 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB to 0x68b3…Fc45 (Uniswap router)",
            [.roleChange, .adminChange])
        _ = Self.check(
            to: Self.proxy,
            data: Self.call("revokeRole(bytes32,address)", [.fixedBytes([UInt8](repeating: 0xAB, count: 32)), .address(Self.router)]),
            "Revoke role 0x" + String(repeating: "ab", count: 32)
                + " on 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB from 0x68b3…Fc45 (Uniswap router)", [.roleChange])
    }

    static func execTransaction(to: EVM.Address, value: BigUInt = 0, data: [UInt8], operation: UInt8 = 0, gasPrice: BigUInt = 0) -> [UInt8] {
        call("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)", [
            .address(to), .uint(value), .bytes(data), .uint(BigUInt(operation)), .uint(0), .uint(0), .uint(gasPrice),
            .address(.zero), .address(.zero), .bytes([UInt8](repeating: 0x11, count: 65)),
        ])
    }

    @Test func safe() {
        let inner = Self.call("transfer(address,uint256)", [.address(Self.binance), .uint(1_000_000)])
        _ = Self.check(
            to: Self.safe, data: Self.execTransaction(to: Self.usdc, data: inner),
            "Safe 0xfB69…d359 (Ops Safe) executes: Transfer 1.00 USDC to 0x28C6…1d60 (Binance hot wallet)", [])
        _ = Self.check(
            to: Self.safe, data: Self.execTransaction(to: Self.usdc, data: inner, gasPrice: 1),
            "Safe 0xfB69…d359 (Ops Safe) executes: Transfer 1.00 USDC to 0x28C6…1d60 (Binance hot wallet) (gas refund to the executor)",
            [])
        _ = Self.check(
            to: Self.safe, data: Self.execTransaction(to: Self.implementation, data: hex("deadbeef"), operation: 1),
            "Safe 0xfB69…d359 (Ops Safe) delegatecalls 0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb: Unknown call to 0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb selector 0xdeadbeef",
            [.delegatecall, .unknownCall])
        _ = Self.check(
            to: Self.safe,
            data: Self.execTransaction(to: Self.safe, data: Self.call("addOwnerWithThreshold(address,uint256)", [.address(Self.router), .uint(2)])),
            "Safe 0xfB69…d359 (Ops Safe) executes: Add owner 0x68b3…Fc45 (Uniswap router) to Safe 0xfB69…d359 (Ops Safe) and set its threshold to 2",
            [.ownershipChange, .thresholdChange])
        _ = Self.check(
            to: Self.safe,
            data: Self.call("removeOwner(address,address,uint256)", [.address(Self.treasury), .address(Self.router), .uint(1)]),
            "Remove owner 0x68b3…Fc45 (Uniswap router) from Safe 0xfB69…d359 (Ops Safe) and set its threshold to 1",
            [.ownershipChange, .thresholdChange])
        _ = Self.check(
            to: Self.safe,
            data: Self.call("swapOwner(address,address,address)", [.address(Self.treasury), .address(Self.router), .address(Self.binance)]),
            "Replace owner 0x68b3…Fc45 (Uniswap router) with 0x28C6…1d60 (Binance hot wallet) on Safe 0xfB69…d359 (Ops Safe)",
            [.ownershipChange])
        _ = Self.check(
            to: Self.safe, data: Self.call("changeThreshold(uint256)", [.uint(3)]),
            "Change the threshold of Safe 0xfB69…d359 (Ops Safe) to 3", [.thresholdChange])
    }

    @Test func multiSendDecodedItemByItem() throws {
        let items: [EVM.MultiSend.Item] = [
            .init(operation: .call, to: Self.usdc, value: 0,
                  data: Self.call("transfer(address,uint256)", [.address(Self.binance), .uint(2_500_000)])),
            .init(operation: .call, to: Self.binance, value: BigUInt(10).power(18), data: []),
            .init(operation: .delegatecall, to: Self.implementation, value: 0, data: hex("12345678")),
        ]
        let packed = EVM.MultiSend.pack(items)
        #expect(try EVM.MultiSend.unpack(packed) == items)
        let intent = Self.check(
            to: Self.multiSend, data: Self.call("multiSend(bytes)", [.bytes(packed)]),
            "Batch of 3 calls via MultiSend 0x40A2…130D (MultiSendCallOnly): 1) Transfer 2.50 USDC to 0x28C6…1d60 (Binance hot wallet); 2) Transfer 1.00 ETH to 0x28C6…1d60 (Binance hot wallet); 3) delegatecall: Unknown call to 0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb selector 0x12345678",
            [.delegatecall, .unknownCall])
        guard case .multiSend(_, let decoded) = intent.action else {
            Issue.record("not a MultiSend")
            return
        }
        #expect(decoded.map(\.intent.action) == [
            .erc20Transfer(token: Self.usdc, to: Self.binance, amount: 2_500_000),
            .nativeTransfer(to: Self.binance, amount: BigUInt(10).power(18)),
            .unknownCall(to: Self.implementation, selector: hex("12345678"), dataSize: 4),
        ])
    }

    @Test func unknownMalformedAndCreation() {
        _ = Self.check(to: Self.usdc, data: hex("12345678aabb"),
                       "Unknown call to 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48 selector 0x12345678", [.unknownCall])
        _ = Self.check(to: Self.usdc, data: hex("1234"),
                       "Unknown call to 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48 with 2 bytes of data and no selector", [.unknownCall])
        // A transfer with an extra trailing word is not silently accepted.
        let padded = Self.call("transfer(address,uint256)", [.address(Self.binance), .uint(1)]) + [UInt8](repeating: 0, count: 32)
        _ = Self.check(to: Self.usdc, data: padded,
                       "Malformed call to transfer(address,uint256) on 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48: ABI data is not the canonical encoding of its values",
                       [.malformedCall])
        _ = Self.check(to: Self.usdc, data: Array(Self.call("transfer(address,uint256)", [.address(Self.binance), .uint(1)]).prefix(40)),
                       "Malformed call to transfer(address,uint256) on 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48: ABI data ends before the word at offset 32",
                       [.malformedCall])
        _ = Self.check(to: nil, value: BigUInt(10).power(18), data: [UInt8](repeating: 0x60, count: 1500),
                       "Deploy a contract with 1,500 bytes of init code with 1.00 ETH attached", [.contractCreation])
        _ = Self.check(to: Self.usdc, value: 5, data: hex("12345678"),
                       "Unknown call to 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48 selector 0x12345678 with 0.000000000000000005 ETH attached",
                       [.unknownCall])
    }

    /// Every known signature decodes to an action that names that signature, under a kind
    /// that is neither "unknown" nor "malformed".
    @Test func kindsAndSignaturesAreConsistent() throws {
        var kinds: Set<String> = []
        for signature in EVM.IntentDecoder.knownSignatures() {
            let open = signature.firstIndex(of: "(")!
            let types = try EVM.ABIType.parseList(String(signature[signature.index(after: open)..<signature.index(before: signature.endIndex)]))
            var rng = SeededGenerator(seed: UInt64(signature.utf8.count))
            var values = types.map { ABITests.randomValue($0, &rng) }
            if signature.hasPrefix("execTransaction") { values[3] = .uint(0) }  // operation must be 0 or 1
            if signature.hasPrefix("multiSend") { values[0] = .bytes([]) }
            let data = try EVM.ABI.encodeCall(signature, values)
            let registry = EVM.Registry(tokens: [Self.bayc: .init(symbol: "BAYC", decimals: 0, standard: .erc721)])
            let target = signature.hasPrefix("transferFrom") ? Self.usdc : Self.bayc
            let action = EVM.IntentDecoder(registry: registry).decode(to: target, value: 0, data: data).action
            #expect(action.functionSignature == signature, "\(signature) decoded as \(action.kind)")
            kinds.insert(action.kind)
        }
        // The two safeTransferFrom overloads share the kind "erc721.transfer".
        #expect(kinds.count == EVM.IntentDecoder.knownSignatures().count - 1)
        #expect(!kinds.contains("unknown") && !kinds.contains("malformed"))
    }

    @Test func nestingIsBounded() {
        var data = Self.call("transfer(address,uint256)", [.address(Self.binance), .uint(1)])
        var to = Self.usdc
        for _ in 0..<6 {
            data = Self.execTransaction(to: to, data: data)
            to = Self.safe
        }
        let intent = Self.decoder.decode(to: Self.safe, value: 0, data: data)
        #expect(intent.flags(using: Self.registry).contains(.malformedCall))
        #expect(intent.description(using: Self.registry).contains("nested deeper than 4"))
    }

    @Test func amounts() {
        #expect(EVM.AmountFormatter.format(0, decimals: 18) == "0.00")
        #expect(EVM.AmountFormatter.format(1_000_000, decimals: 0) == "1,000,000")
        #expect(EVM.AmountFormatter.format(1_234_567_891, decimals: 3) == "1,234,567.891")
        #expect(EVM.AmountFormatter.format(100, decimals: 1) == "10.0")
        #expect(EVM.AmountFormatter.format(.uint256Max, decimals: 18)
            == "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.584007913129639935")
    }

    @Test func decodingATransactionUsesItsFields() throws {
        let tx = try EVM.Transaction.eip1559(
            chainID: 1, nonce: 3, maxPriorityFeePerGas: 1, maxFeePerGas: 2, gasLimit: 60000, to: Self.usdc, value: 0,
            data: Self.call("transfer(address,uint256)", [.address(Self.binance), .uint(250_000_000_000)]))
        let intent = Self.decoder.decode(tx)
        #expect(intent.description(using: Self.registry) == "Transfer 250,000.00 USDC to 0x28C6…1d60 (Binance hot wallet)")
    }
}
