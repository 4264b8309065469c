import BigInt
import CustosCore
import CustosCrypto
import CustosPolicy

extension MonitoredEvent {
    /// The monitored events of a log `policy` watches on `chain`, decoded by the node: a log of a
    /// contract whose `monitoring.contracts` entry names its class, or an ERC-20 `Transfer` of a
    /// `monitoring.large_transfers` token out of `vaults` or the entry's treasury addresses
    /// above its bound. Empty for anything else (a contract no entry names, a class it does not
    /// name, a log whose topics or data do not have the event's shape, a word that is no address).
    static func events(of log: WatchedLog, chain: String, policy: MonitoringPolicy, vaults: Set<String>) -> [MonitoredEvent] {
        guard let topic = log.topics.first else { return [] }
        func event(_ kind: Alert.Kind, _ fields: [String: String]) -> MonitoredEvent {
            MonitoredEvent(kind: kind, chain: chain, contract: log.address, block: log.block, blockHash: log.blockHash, transaction: log.transaction,
                           logIndex: log.logIndex, fields: fields)
        }
        let indexed = Array(log.topics.dropFirst())
        let words = log.data.count % 32 == 0 ? stride(from: 0, to: log.data.count, by: 32).map { Array(log.data[$0..<$0 + 32]) } : []
        if topic == Topics.transfer {
            guard indexed.count == 2, words.count == 1, let from = address(indexed[0]), let to = address(indexed[1]) else { return [] }
            let value = uint(words[0])
            let watched = policy.largeTransfers(chain: chain, token: log.address).contains {
                (vaults.contains(from) || $0.from.contains(from)) && BigUInt($0.above).map { value > $0 } == true
            }
            return watched ? [event(.largeTransfer, ["from": from, "to": to, "value": String(value)])] : []
        }
        let classes = policy.events(chain: chain, contract: log.address)
        // Indexed or not (Safe 1.3 and 1.4 differ): one address, from the topic or the data.
        let single = indexed.count == 1 && words.isEmpty ? address(indexed[0]) : indexed.isEmpty && words.count == 1 ? address(words[0]) : nil
        switch topic {
        case Topics.ownershipTransferred where classes.contains(.ownershipTransferred):
            guard indexed.count == 2, words.isEmpty, let previous = address(indexed[0]), let new = address(indexed[1]) else { return [] }
            return [event(.ownershipTransferred, ["previous_owner": previous, "new_owner": new])]
        case Topics.upgraded where classes.contains(.proxyUpgraded):
            guard indexed.count == 1, words.isEmpty, let implementation = address(indexed[0]) else { return [] }
            return [event(.proxyUpgraded, ["implementation": implementation])]
        case Topics.adminChanged where classes.contains(.adminChanged):
            guard indexed.isEmpty, words.count == 2, let previous = address(words[0]), let new = address(words[1]) else { return [] }
            return [event(.adminChanged, ["previous_admin": previous, "new_admin": new])]
        case Topics.beaconUpgraded where classes.contains(.beaconUpgraded):
            guard indexed.count == 1, words.isEmpty, let beacon = address(indexed[0]) else { return [] }
            return [event(.beaconUpgraded, ["beacon": beacon])]
        case Topics.addedOwner where classes.contains(.safeOwnersChanged):
            return single.map { [event(.safeOwnersChanged, ["added_owner": $0])] } ?? []
        case Topics.removedOwner where classes.contains(.safeOwnersChanged):
            return single.map { [event(.safeOwnersChanged, ["removed_owner": $0])] } ?? []
        case Topics.changedThreshold where classes.contains(.safeOwnersChanged):
            guard indexed.isEmpty, words.count == 1 else { return [] }
            return [event(.safeOwnersChanged, ["threshold": String(uint(words[0]))])]
        case Topics.roleGranted where classes.contains(.roleGranted):
            guard indexed.count == 3, words.isEmpty, let account = address(indexed[1]), let sender = address(indexed[2]) else { return [] }
            return [event(.roleGranted, ["role": "0x" + indexed[0].hexString, "account": account, "sender": sender])]
        default:
            return []
        }
    }

    /// The monitored events of a transaction a vault address sent, when `policy` watches vault
    /// transactions: `unsigned-vault-transaction` (kept only if the log did not sign it, decided
    /// when it settles) and, for a contract creation, `vault-deployment`. Empty when the sender
    /// is not one of `vaults`.
    static func events(of transaction: WatchedVaultTransaction, chain: String, policy: MonitoringPolicy, vaults: Set<String>) -> [MonitoredEvent] {
        guard policy.vaultTransactions, vaults.contains(transaction.from) else { return [] }
        func event(_ kind: Alert.Kind) -> MonitoredEvent {
            MonitoredEvent(kind: kind, chain: chain, contract: transaction.from, block: transaction.block, blockHash: transaction.blockHash,
                           transaction: transaction.transaction, logIndex: nil, fields: ["from": transaction.from, "to": transaction.to ?? "creation"])
        }
        return [event(.unsignedVaultTransaction)] + (transaction.to == nil ? [event(.vaultDeployment)] : [])
    }

    /// The first topics of the logs a watcher reads for `classes` (`MonitoredEvent.events` decodes no other).
    public static func topics(of classes: Set<ChainEventClass>) -> [[UInt8]] {
        ChainEventClass.allCases.filter(classes.contains).flatMap { c -> [[UInt8]] in
            switch c {
            case .ownershipTransferred: [Topics.ownershipTransferred]
            case .proxyUpgraded: [Topics.upgraded]
            case .adminChanged: [Topics.adminChanged]
            case .beaconUpgraded: [Topics.beaconUpgraded]
            case .safeOwnersChanged: [Topics.addedOwner, Topics.removedOwner, Topics.changedThreshold]
            case .roleGranted: [Topics.roleGranted]
            }
        }
    }

    /// The first topic of an ERC-20 `Transfer` log.
    public static var transferTopic: [UInt8] { Topics.transfer }

    /// A 32-byte word holding an address (12 zero bytes, then 20), as lowercase hex; nil otherwise.
    private static func address(_ word: [UInt8]) -> String? {
        guard word.count == 32, word.prefix(12).allSatisfy({ $0 == 0 }) else { return nil }
        return "0x" + word.suffix(20).hexString
    }

    /// A 32-byte word as an unsigned integer.
    private static func uint(_ word: [UInt8]) -> BigUInt { word.reduce(BigUInt(0)) { $0 << 8 | BigUInt($1) } }

    /// The first topic of each event watched: Keccak-256 of its signature.
    enum Topics {
        static let transfer = Keccak256.hash(Array("Transfer(address,address,uint256)".utf8))
        static let ownershipTransferred = Keccak256.hash(Array("OwnershipTransferred(address,address)".utf8))
        static let upgraded = Keccak256.hash(Array("Upgraded(address)".utf8))
        static let adminChanged = Keccak256.hash(Array("AdminChanged(address,address)".utf8))
        static let beaconUpgraded = Keccak256.hash(Array("BeaconUpgraded(address)".utf8))
        static let addedOwner = Keccak256.hash(Array("AddedOwner(address)".utf8))
        static let removedOwner = Keccak256.hash(Array("RemovedOwner(address)".utf8))
        static let changedThreshold = Keccak256.hash(Array("ChangedThreshold(uint256)".utf8))
        static let roleGranted = Keccak256.hash(Array("RoleGranted(bytes32,address,address)".utf8))
    }
}
