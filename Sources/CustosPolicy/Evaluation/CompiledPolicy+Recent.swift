import Synchronization

extension CompiledPolicy {
    /// How many compiled documents `compiled(_:)` keeps.
    static let recentCapacity = 8

    /// The documents this process compiled most recently, newest first, with their hash values.
    private static let recent = Mutex<[(hash: Int, policy: CompiledPolicy)]>([])

    /// `init(document:)`, or the policy this process compiled last from an identical document.
    ///
    /// A node compiles the policy with its registries for every governance entry, and mostly
    /// from a document it compiled a moment before: an operation is executed once on trial when
    /// it is proposed and again when it is approved, and most operations (a vault, an asset, a
    /// bot's key) leave the people and the policy as they were. A compiled policy is a pure
    /// function of its document, so the one kept is the one a compile would build, and the
    /// governance lockouts it has worked out (the larger part of a compile) are not worked out
    /// again. A document that does not compile is not kept: it is checked again each time.
    ///
    /// Identical means every field, and every text byte for byte (`isIdentical`): Swift's `==`
    /// on `String` holds for two spellings of one text (NFC and NFD), and the state reads the
    /// policy's own document (names, digests), so a node must never be handed the document of
    /// another spelling because of what it happened to compile before.
    public static func compiled(_ document: PolicyDocument) throws(PolicyLoadError) -> CompiledPolicy {
        let hash = document.hashValue
        // Compared outside the lock: the kept policies are immutable.
        let kept = recent.withLock { $0 }
        if let known = kept.first(where: { $0.hash == hash && $0.policy.document == document && isIdentical($0.policy.document, document) })?.policy {
            recent.withLock { kept in
                if let i = kept.firstIndex(where: { $0.policy === known }) { kept.insert(kept.remove(at: i), at: 0) }
            }
            return known
        }
        let policy = try CompiledPolicy(document: document)
        recent.withLock { kept in
            kept.insert((hash, policy), at: 0)
            if kept.count > recentCapacity { kept.removeLast(kept.count - recentCapacity) }
        }
        return policy
    }

    /// Whether two documents that are `==` are also the same byte for byte: their reflections,
    /// which print every stored field and every text as its exact characters, are the same bytes.
    /// (Collections that print in another order only make them differ: then the document is
    /// compiled again, which is always right.)
    static func isIdentical(_ a: PolicyDocument, _ b: PolicyDocument) -> Bool {
        String(reflecting: a).utf8.elementsEqual(String(reflecting: b).utf8)
    }
}
