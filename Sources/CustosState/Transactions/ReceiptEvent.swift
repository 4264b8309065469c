import CustosCrypto

/// The events by which a contract says that something left an address or that authority over
/// one changed hands: the ones post-execution verification reads (`PlannedTransaction.differences(from:)`).
enum ReceiptEvent: CaseIterable {
    /// ERC-20 `Transfer(from, to, value)` and ERC-721 `Transfer(from, to, tokenId)`: one signature.
    case transfer
    /// ERC-1155.
    case transferSingle, transferBatch
    /// ERC-20 `Approval(owner, spender, value)` and ERC-721 `Approval(owner, approved, tokenId)`.
    case approval
    case approvalForAll
    case ownershipTransferred
    /// EIP-1967: `AdminChanged(previousAdmin, newAdmin)`, neither indexed.
    case adminChanged
    case upgraded
    /// OpenZeppelin AccessControl: `RoleGranted(role, account, sender)`, all indexed.
    case roleGranted

    var signature: String {
        switch self {
        case .transfer: "Transfer(address,address,uint256)"
        case .transferSingle: "TransferSingle(address,address,address,uint256,uint256)"
        case .transferBatch: "TransferBatch(address,address,address,uint256[],uint256[])"
        case .approval: "Approval(address,address,uint256)"
        case .approvalForAll: "ApprovalForAll(address,address,bool)"
        case .ownershipTransferred: "OwnershipTransferred(address,address)"
        case .adminChanged: "AdminChanged(address,address)"
        case .upgraded: "Upgraded(address)"
        case .roleGranted: "RoleGranted(bytes32,address,address)"
        }
    }

    var name: String { String(signature.prefix { $0 != "(" }) }

    /// Topics a log of this event has at least (the signature and its indexed addresses the
    /// verification reads); a log with fewer cannot say whom it concerns.
    var minimumTopics: Int {
        switch self {
        case .transfer, .approval, .approvalForAll, .ownershipTransferred: 3
        case .transferSingle, .transferBatch, .roleGranted: 4
        case .upgraded: 2
        case .adminChanged: 1
        }
    }

    /// The topic of the address something leaves (a transfer's sender) or whose authority is
    /// granted (an approval's owner); nil for the authority events, which count whoever emits them.
    var subjectTopic: Int? {
        switch self {
        case .transfer, .approval, .approvalForAll: 1
        case .transferSingle, .transferBatch: 2
        case .ownershipTransferred, .adminChanged, .upgraded, .roleGranted: nil
        }
    }

    var topic: [UInt8] { Self.topics[self]! }

    private static let topics = Dictionary(uniqueKeysWithValues: allCases.map { ($0, Keccak256.hash(Array($0.signature.utf8))) })
    private static let byTopic = Dictionary(uniqueKeysWithValues: allCases.map { ($0.topic, $0) })

    /// The event whose signature's Keccak-256 is `topic`, if it is one of these.
    init?(topic: [UInt8]) {
        guard let event = Self.byTopic[topic] else { return nil }
        self = event
    }
}
