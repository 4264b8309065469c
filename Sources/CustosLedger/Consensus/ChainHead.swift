import CustosCore

/// The last committed block of a chain as the safety rules need it: height, hash and
/// timestamp. Before block 1 it is the genesis: height 0, the genesis digest and time.
public struct ChainHead: Sendable, Hashable, CustomStringConvertible {
    public let height: UInt64
    public let hash: LedgerHash
    public let timestamp: UInt64

    public init(height: UInt64, hash: LedgerHash, timestamp: UInt64) {
        self.height = height
        self.hash = hash
        self.timestamp = timestamp
    }

    public static func genesis(_ configuration: ClusterConfiguration) -> ChainHead {
        ChainHead(height: 0, hash: configuration.genesisDigest, timestamp: configuration.genesisTimestamp)
    }

    public var description: String { "head(\(height) \(hash.short))" }

    /// Checks that `certified` is the next block of this chain and certified in `configuration`,
    /// and returns the new head. Used alike by commit, catch-up and the offline audit.
    public func extended(by certified: CertifiedBlock, in configuration: ClusterConfiguration) -> Result<ChainHead, CommitRefusal> {
        let block = certified.block
        if block.height <= height {
            return .failure(.alreadyCommitted(height: block.height, committedHeight: height))
        }
        guard block.height == height + 1 else {
            return .failure(.notNext(height: block.height, expected: height + 1))
        }
        guard block.previousHash == hash else {
            return .failure(.wrongPreviousHash(expected: hash, got: block.previousHash))
        }
        guard block.timestamp >= timestamp else {
            return .failure(.timestampBeforePrevious(block: block.timestamp, previous: timestamp))
        }
        do { try certified.verify(in: configuration) } catch {
            return .failure(.invalidCertificate(error))
        }
        return .success(ChainHead(height: block.height, hash: block.hash, timestamp: block.timestamp))
    }
}

extension CanonicalWriter {
    mutating func append(_ head: ChainHead) {
        append(head.height)
        append(head.hash)
        append(head.timestamp)
    }
}

extension CanonicalReader where Code == LedgerErrorCode {
    mutating func chainHead(_ field: @autoclosure () -> String) throws(LedgerError) -> ChainHead {
        let height = try uint64("\(field()) height")
        let hash = try hash("\(field()) hash")
        let timestamp = try uint64("\(field()) timestamp")
        return ChainHead(height: height, hash: hash, timestamp: timestamp)
    }
}
