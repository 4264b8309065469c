import CustosCore

/// Reads one top-level ledger value, reporting `LedgerError`s.
typealias LedgerReader = CanonicalReader<LedgerErrorCode>

extension CanonicalWriter {
    /// Starts a top-level ledger value of `kind`, behind the encoding version.
    init(kind: UInt8) {
        self.init()
        append(LedgerWire.version)
        append(kind)
    }

    mutating func append(_ hash: LedgerHash) { append(raw: hash.bytes) }
}

extension CanonicalReader where Code == LedgerErrorCode {
    /// Starts reading a top-level value of `kind`; `what` names it in errors.
    init(_ bytes: [UInt8], kind: UInt8, what: String) throws(LedgerError) {
        self.init(bytes, what: what)
        guard bytes.count >= 2 else { throw fail("truncated header: \(bytes.count) bytes") }
        let version = try uint8("version")
        guard version == LedgerWire.version else { throw fail("unknown encoding version \(version)") }
        let found = try uint8("kind")
        guard found == kind else { throw fail("wrong kind tag \(found), expected \(kind)") }
    }

    mutating func hash(_ field: @autoclosure () -> String) throws(LedgerError) -> LedgerHash {
        LedgerHash(unchecked: Array(try read(32, field())))
    }

    /// A place in the rounds: height, round and the previous hash, as round changes and their
    /// certificates encode it.
    mutating func roundPlace() throws(LedgerError) -> (height: UInt64, round: UInt32, previousHash: LedgerHash) {
        (try uint64("height"), try uint32("round"), try hash("previous hash"))
    }

    /// `count` values read one by one by `next` (given their index), refused unless each comes
    /// strictly after the one before it (`precedes`); `what` names the list in the error.
    mutating func strictlyAscending<T>(
        _ count: Int, _ what: String, by precedes: (T, T) -> Bool, _ next: (inout Self, Int) throws(LedgerError) -> T
    ) throws(LedgerError) -> [T] {
        var values: [T] = []
        values.reserveCapacity(count)
        for i in 0..<count {
            let value = try next(&self, i)
            if let last = values.last, !precedes(last, value) { throw fail("\(what) are not in strictly ascending order at \(i)") }
            values.append(value)
        }
        return values
    }
}

extension LedgerErrorCode: DecodingErrorCode {
    package static var encodingLimitExceeded: Self { .limitExceeded }
}
