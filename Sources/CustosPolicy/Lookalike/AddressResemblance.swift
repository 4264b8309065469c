/// Why a destination counts as a look-alike of an address-book entry
/// (`LookalikeIndex.resemblance(of:)`, `CompiledPolicy.flag`).
struct AddressResemblance: Sendable, Hashable {
    enum Reason: Sendable, Hashable {
        /// The same first `prefix` and last `suffix` hex digits.
        case affixes(prefix: Int, suffix: Int)
        /// This many single-digit edits apart (at most the policy's bound).
        case editDistance(Int)
        /// Exactly the entry's address, which is in the book on another chain only: the same
        /// address on another chain need not be the same holder's (a contract wallet there can
        /// be deployed by someone else).
        case otherChain
    }

    /// Index into `CompiledPolicy.entries`.
    let entry: Int
    let reason: Reason
}

extension AddressResemblance.Reason {
    /// The resemblance in words, e.g. "the same first 4 and last 4 hex digits".
    var words: String {
        switch self {
        case .affixes(let prefix, let suffix): "the same first \(prefix) and last \(suffix) hex digits"
        case .editDistance(let d): "\(d) character edit\(d == 1 ? "" : "s") apart"
        case .otherChain: "the same address"
        }
    }
}
