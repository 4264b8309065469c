import Foundation
import GRDB

extension NodeDatabase {
    /// Records a halt, durably when it returns. The first record of a cause is kept (its
    /// evidence is the earliest); a second one of the same cause changes nothing. A local freeze
    /// already checked names its `verifiedFreeze` digest, recorded as verified with it.
    public func record(halt: SigningHaltRecord, verifiedFreeze: [UInt8]? = nil) throws(StorageError) {
        try write { db throws(StorageError) in
            try Self.run {
                try db.execute(sql: """
                    INSERT INTO signingHalt (cause, height, since, reason, evidence) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(cause) DO NOTHING
                    """, arguments: [halt.cause.rawValue, Int64(halt.height), Int64(halt.since), halt.reason, Data(halt.evidence)])
                if let verifiedFreeze, db.changesCount > 0 {
                    try db.execute(sql: "INSERT INTO localFreeze (digest, use) VALUES (?, 'verified') ON CONFLICT(digest) DO NOTHING",
                                   arguments: [Data(verifiedFreeze)])
                }
            }
        }
    }

    /// What this node did with the local freeze named `digest`: nil if it never took it.
    public func localFreezeUse(_ digest: [UInt8]) throws(StorageError) -> LocalFreezeUse? {
        try read("reading local freezes") { db in
            try String.fetchOne(db, sql: "SELECT use FROM localFreeze WHERE digest = ?", arguments: [Data(digest)])
                .flatMap(LocalFreezeUse.init(rawValue:))
        }
    }

    /// Records that the local freeze named `digest` verified: from now on only the quorum lifts it.
    public func markVerified(freeze digest: [UInt8]) throws(StorageError) {
        try write { db throws(StorageError) in
            try Self.run {
                try db.execute(sql: "INSERT INTO localFreeze (digest, use) VALUES (?, 'verified') ON CONFLICT(digest) DO NOTHING",
                               arguments: [Data(digest)])
            }
        }
    }

    /// Lifts the local freeze named `digest` (the quorum unfroze) and records it as used, in one
    /// transaction: the same freeze never halts this node again.
    public func liftLocalFreeze(_ digest: [UInt8]) throws(StorageError) {
        try write { db throws(StorageError) in
            try Self.run {
                try db.execute(sql: "INSERT INTO localFreeze (digest, use) VALUES (?, 'lifted') ON CONFLICT(digest) DO UPDATE SET use = 'lifted'",
                               arguments: [Data(digest)])
                try db.execute(sql: "DELETE FROM signingHalt WHERE cause = ?", arguments: [SigningHaltRecord.Cause.localFreeze.rawValue])
            }
        }
    }

    /// Every halt on record, by cause.
    public func signingHalts() throws(StorageError) -> [SigningHaltRecord] {
        try read("reading signing halts") { db in
            try Row.fetchAll(db, sql: "SELECT cause, height, since, reason, evidence FROM signingHalt ORDER BY cause").map { row in
                let cause: String = row["cause"]
                let height: Int64 = row["height"]
                let since: Int64 = row["since"]
                let evidence: Data = row["evidence"]
                // A cause this version does not know still halts: it is kept under the nearest meaning.
                return SigningHaltRecord(cause: SigningHaltRecord.Cause(rawValue: cause) ?? .gatewayEquivocation, height: UInt64(height),
                                         since: UInt64(since), reason: row["reason"], evidence: Array(evidence))
            }
        }
    }

    /// Lifts the halt of `cause`; false when there was none.
    @discardableResult
    public func liftHalt(_ cause: SigningHaltRecord.Cause) throws(StorageError) -> Bool {
        try write { db throws(StorageError) in
            try Self.run {
                try db.execute(sql: "DELETE FROM signingHalt WHERE cause = ?", arguments: [cause.rawValue])
                return db.changesCount > 0
            }
        }
    }
}
