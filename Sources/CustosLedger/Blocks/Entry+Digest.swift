import CustosCore

extension Entry {
    /// The entry's identity: SHA-256 over its canonical encoding (exactly as it sits inside a
    /// block) under its own domain tag. The gateway hands it to the submitter, who asks with it
    /// when the entry committed. Byte-identical entries share one digest.
    public var digest: LedgerHash {
        var w = CanonicalWriter()
        w.reserve(encodedSize)
        w.append(self)
        return .digest(domain: "custos.ledger.entry.v1", w.bytes)
    }
}
