import Crypto
import Synchronization

/// The policies a process compiled most recently, by the exact bytes of their documents.
///
/// A node compiles the policy with its registries for every governance entry, and mostly from a
/// document it compiled a moment before: an operation is executed once on trial when it is
/// proposed and again when it is approved, and most operations (a vault, an asset, a bot's key)
/// leave the people and the policy as they were. A compiled policy is a pure function of its
/// document, so the one kept is the one a compile would build, and the governance lockouts it has
/// worked out are not worked out again. A document that does not compile is not kept: it is
/// checked again each time.
///
/// Only documents whose lockout check samples every hour of the week are kept
/// (`GovernanceWeek.samplesEveryHour`): the key reads the whole document by reflection, which
/// costs about three compiles of a policy whose check needs only the rules' own times (the
/// example policy, in a debug build: 70 ms for the key, 22 ms for the compile), and a fifth of
/// a compile of one whose check samples every hour (the example with such a rule: 46 ms against
/// 227 ms). Any other document is compiled each time.
public final class RecentCompiledPolicies: Sendable {
    /// The process's own, behind `CompiledPolicy.compiled(_:)`.
    public static let shared = RecentCompiledPolicies(capacity: 8)

    /// How many compiled documents are kept.
    public let capacity: Int
    /// Newest first.
    private let kept = Mutex<[(key: [UInt8], policy: CompiledPolicy)]>([])

    public init(capacity: Int) {
        precondition(capacity > 0, "a cache of compiled policies keeps at least one")
        self.capacity = capacity
    }

    /// How many compiled policies are kept now.
    public var count: Int { kept.withLock { $0.count } }

    /// `CompiledPolicy(document:)`, or the policy compiled last from the identical document.
    public func compiled(_ document: PolicyDocument) throws(PolicyLoadError) -> CompiledPolicy {
        // The key reads the document by reflection: a build without reflection metadata would
        // give every document one key (review helper-149 M2), so then nothing is kept.
        guard GovernanceWeek.samplesEveryHour(document), !Mirror(reflecting: document).children.isEmpty else {
            return try CompiledPolicy(document: document)
        }
        let key = Self.key(of: document)
        let known = kept.withLock { kept -> CompiledPolicy? in
            guard let i = kept.firstIndex(where: { $0.key == key }) else { return nil }
            let found = kept.remove(at: i)
            kept.insert(found, at: 0)
            return found.policy
        }
        if let known { return known }
        let policy = try CompiledPolicy(document: document)
        kept.withLock { kept in
            // Another thread may have compiled the same document meanwhile: one entry for it.
            kept.removeAll { $0.key == key }
            kept.insert((key, policy), at: 0)
            if kept.count > capacity { kept.removeLast(kept.count - capacity) }
        }
        return policy
    }

    /// SHA-256 of the document's exact bytes (`exactBytes`). Swift's `==` on `String` holds for
    /// two spellings of one text (NFC and NFD), and the state reads the policy's own document
    /// (names, digests), so a node must never be handed the document of another spelling because
    /// of what it compiled before: the key tells them apart.
    static func key(of document: PolicyDocument) -> [UInt8] {
        var bytes: [UInt8] = []
        exactBytes(of: document, into: &bytes)
        return Array(SHA256.hash(data: bytes))
    }

    /// Every stored field of `value`, found by reflection, with its label and type: a text as its
    /// length and UTF-8 bytes, a value without fields (a number, a case without payload) as its
    /// description, a dictionary's or set's members sorted by their bytes (so the order a
    /// dictionary happens to hold them in does not count). `RecentCompiledPolicyTests` holds the
    /// document's types to this: no classes, and no custom reflection or description but on
    /// collections and on leaves without text.
    static func exactBytes(of value: Any, into out: inout [UInt8]) {
        func length(_ n: Int) { withUnsafeBytes(of: UInt64(n).littleEndian) { out.append(contentsOf: $0) } }
        func text(_ s: String) { length(s.utf8.count); out.append(contentsOf: s.utf8) }
        if let s = value as? String {
            out.append(0x73)
            text(s)
            return
        }
        let mirror = Mirror(reflecting: value)
        text(String(describing: mirror.subjectType))
        if mirror.children.isEmpty {
            out.append(0x6C)
            text(String(describing: value))
            return
        }
        var members: [[UInt8]] = []
        for child in mirror.children {
            var member: [UInt8] = []
            member.append(contentsOf: (child.label ?? "").utf8)
            member.append(0)
            exactBytes(of: child.value, into: &member)
            members.append(member)
        }
        if mirror.displayStyle == .dictionary || mirror.displayStyle == .set {
            members.sort { $0.lexicographicallyPrecedes($1) }
        }
        out.append(0x28)
        length(members.count)
        for member in members {
            length(member.count)
            out.append(contentsOf: member)
        }
    }
}

extension CompiledPolicy {
    /// `CompiledPolicy(document:)` through the process's recent policies
    /// (`RecentCompiledPolicies.shared`).
    public static func compiled(_ document: PolicyDocument) throws(PolicyLoadError) -> CompiledPolicy {
        try RecentCompiledPolicies.shared.compiled(document)
    }
}
