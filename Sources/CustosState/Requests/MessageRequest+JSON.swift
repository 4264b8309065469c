import CustosChains
import CustosCore

extension MessageRequest {
    /// Whether a request body asks for a message to be signed (its `kind` is `message`).
    public static func isMessage(_ body: JSONValue) -> Bool {
        body["kind"] == .string("message")
    }

    /// Reads a message request from the verified JSON value of a request body. Refuses, with
    /// `invalidRequest` and a reason naming the member at fault: unknown or missing members,
    /// members of the wrong type, text or bytes beyond the bounds, hex that is not hex, a format
    /// that is not one of `eip191`, `eip712`, `bip340`, `raw`, an `eip191` or `bip340` message of
    /// 32 bytes (what a Safe or ERC-4337 account signature, or a Taproot signature hash, signs), a `raw` message that reads as a Solana
    /// transaction message (`SolanaMessageShape`), typed data whose digest is not
    /// defined (undeclared or recursive types, missing or extra members, values that do not fit
    /// their types), an EIP-712 domain with members other than `name`, `version`, `chainId`,
    /// `verifyingContract` and `salt` in their standard types, and JSON numbers in typed data
    /// that are not integers of at most 2^53 − 1 in magnitude (the canonical body writes numbers
    /// as doubles, so larger ones belong in strings, where they are kept exactly).
    public init(json body: JSONValue) throws(GovernanceError) {
        let members = try Self.object(body, "the request body", allowed: ["kind", "id", "initiator", "vault", "memo", "message"],
                                      required: ["kind", "initiator", "vault", "message"])
        guard Self.isMessage(body) else { throw Self.invalid("kind must be \"message\"") }
        let id = try Self.text(members["id"] ?? .string(""), "id", limit: Self.maximumNameBytes)
        let initiator = try Self.text(members["initiator"]!, "initiator", limit: Self.maximumNameBytes)
        let vault = try Self.text(members["vault"]!, "vault", limit: Self.maximumNameBytes)
        guard !vault.isEmpty else { throw Self.invalid("vault is empty") }
        let memo = try Self.text(members["memo"] ?? .string(""), "memo", limit: Self.maximumMemoBytes)
        let message = try Self.message(members["message"]!)
        self.init(id: id, initiator: initiator, vault: vault, memo: memo, message: message)
    }

    private static func message(_ value: JSONValue) throws(GovernanceError) -> SignableMessage {
        guard case .object = value else { throw invalid("message is a \(value.typeName), not an object") }
        guard let format = value["format"] else { throw invalid("message.format is missing") }
        guard case .string(let name) = format else { throw invalid("message.format is a \(format.typeName), not a string") }
        switch name {
        case "eip191":
            let m = try object(value, "message", allowed: ["format", "text", "hex"], required: ["format"])
            let message: [UInt8]
            switch (m["text"], m["hex"]) {
            case (let text?, nil):
                message = Array(try Self.text(text, "message.text", limit: maximumMessageBytes).utf8)
            case (nil, let hex?):
                message = try bytes(hex, "message.hex")
            default:
                throw invalid("an eip191 message has exactly one of text and hex")
            }
            // Safe owners and ERC-4337 accounts accept an EIP-191 signature over a 32-byte hash
            // as a signature of the transaction it hashes: that would be a hash handed to sign.
            guard message.count != 32 else {
                throw invalid("a 32-byte eip191 message is refused: smart accounts read it as a transaction hash")
            }
            return .eip191(message)
        case "eip712":
            let m = try object(value, "message", allowed: ["format", "typedData"], required: ["format", "typedData"])
            return .eip712(try typedData(m["typedData"]!))
        case "bip340":
            let m = try object(value, "message", allowed: ["format", "hex"], required: ["format", "hex"])
            let message = try bytes(m["hex"]!, "message.hex")
            // BIP-340 signs the message as it is, and a Taproot input's signature hash is a
            // 32-byte message: signing one would authorise a Bitcoin transaction no node decoded.
            guard message.count != 32 else {
                throw invalid("a 32-byte bip340 message is refused: it cannot be told from a Taproot transaction's signature hash")
            }
            return .bip340(message)
        case "raw":
            let m = try object(value, "message", allowed: ["format", "hex"], required: ["format", "hex"])
            let message = try bytes(m["hex"]!, "message.hex")
            // Ed25519 signs the message as it is, and a Solana transaction is signed as its message.
            guard !SolanaMessageShape.isTransactionMessage(message) else {
                throw invalid("a raw message that reads as a Solana transaction message is refused: transactions are not signed as messages")
            }
            return .raw(message)
        default:
            throw invalid("message.format \"\(name.printable(limit: 32))\" is not one of eip191, eip712, bip340, raw")
        }
    }

    /// The standard EIP-712 domain members and their types (EIP-712 §"Definition of domainSeparator").
    static let domainTypes: [String: String] = [
        "name": "string", "version": "string", "chainId": "uint256", "verifyingContract": "address", "salt": "bytes32",
    ]

    private static func typedData(_ value: JSONValue) throws(GovernanceError) -> EVM.TypedData {
        let m = try object(value, "message.typedData", allowed: ["types", "primaryType", "domain", "message"],
                           required: ["types", "primaryType", "domain", "message"])
        guard case .object(let declared) = m["types"]! else { throw invalid("message.typedData.types is not an object") }
        guard declared.count <= maximumTypes else { throw invalid("message.typedData declares more than \(maximumTypes) types") }
        var types: [String: [EVM.TypedData.Member]] = [:]
        for (typeName, membersValue) in declared {
            let at = "message.typedData.types.\(typeName.printable(limit: 64))"
            guard typeName.utf8.count <= maximumNameBytes else { throw invalid("a type name in message.typedData.types is too long") }
            guard case .array(let items) = membersValue else { throw invalid("\(at) is not an array") }
            guard items.count <= maximumMembers else { throw invalid("\(at) has more than \(maximumMembers) members") }
            var members: [EVM.TypedData.Member] = []
            var seen: Set<String> = []
            for (i, item) in items.enumerated() {
                let f = try object(item, "\(at)[\(i)]", allowed: ["name", "type"], required: ["name", "type"])
                let memberName = try text(f["name"]!, "\(at)[\(i)].name", limit: maximumNameBytes)
                let memberType = try text(f["type"]!, "\(at)[\(i)].type", limit: maximumNameBytes)
                guard seen.insert(memberName).inserted else { throw invalid("\(at) declares member \(memberName.printable(limit: 64)) twice") }
                members.append(.init(name: memberName, type: memberType))
            }
            guard types.updateValue(members, forKey: typeName) == nil else { throw invalid("\(at) is declared twice") }
        }
        let primaryType = try text(m["primaryType"]!, "message.typedData.primaryType", limit: maximumNameBytes)
        guard primaryType != "EIP712Domain", types[primaryType] != nil else {
            throw invalid("message.typedData.primaryType \(primaryType.printable(limit: 64)) is not a declared struct type")
        }
        guard let domainMembers = types["EIP712Domain"] else { throw invalid("message.typedData.types does not declare EIP712Domain") }
        for member in domainMembers where domainTypes[member.name] != member.type {
            throw invalid("EIP712Domain member \(member.name.printable(limit: 64)) \(member.type.printable(limit: 32)) is not a standard domain member")
        }
        try checkNumbers(m["domain"]!, "message.typedData.domain")
        try checkNumbers(m["message"]!, "message.typedData.message")
        let data = EVM.TypedData(types: types, primaryType: primaryType, domain: m["domain"]!, message: m["message"]!)
        do {
            _ = try data.signingHash()
            _ = try data.leaves(of: primaryType, data.message, limit: maximumFields)
        } catch {
            throw invalid("message.typedData: \(error.reason)")
        }
        return data
    }

    /// Refuses numbers in typed data that the canonical body would not keep exactly.
    private static func checkNumbers(_ value: JSONValue, _ at: String) throws(GovernanceError) {
        switch value {
        case .number:
            throw invalid("\(at) holds a number that is not an integer; write it as a decimal string")
        case .integer(let i):
            guard i.magnitude <= (1 << 53) - 1 else {
                throw invalid("\(at) holds the integer \(i), beyond 2^53 − 1; write it as a decimal string")
            }
        case .array(let items):
            for item in items { try checkNumbers(item, at) }
        case .object(let members):
            for member in members { try checkNumbers(member.value, at) }
        case .null, .bool, .string:
            return
        }
    }

    private static func bytes(_ value: JSONValue, _ at: String) throws(GovernanceError) -> [UInt8] {
        let tooLong = invalid("\(at) is longer than \(maximumMessageBytes) bytes")
        guard case .string(let hex) = value, hex.utf8.count <= 2 + 2 * maximumMessageBytes else {
            if case .string = value { throw tooLong }
            throw invalid("\(at) is a \(value.typeName), not a string")
        }
        let bytes: [UInt8]
        do { bytes = try [UInt8](hex: hex) } catch {
            throw invalid("\(at) is not hex: \(error.reason)")
        }
        guard bytes.count <= maximumMessageBytes else { throw tooLong }
        return bytes
    }

    private static func text(_ value: JSONValue, _ at: String, limit: Int) throws(GovernanceError) -> String {
        guard case .string(let text) = value else { throw invalid("\(at) is a \(value.typeName), not a string") }
        guard text.utf8.count <= limit else { throw invalid("\(at) is longer than \(limit) bytes") }
        return text
    }

    private static func object(
        _ value: JSONValue, _ at: String, allowed: Set<String>, required: [String]
    ) throws(GovernanceError) -> [String: JSONValue] {
        try value.members(at, allowed: allowed, required: required, invalid: invalid)
    }

    private static func invalid(_ reason: String) -> GovernanceError {
        GovernanceError(.invalidRequest, "the message request is refused: \(reason)")
    }
}
