/// Why a destination outside the address book counts as a look-alike of an entry
/// (`LookalikeIndex.resemblance(of:)`).
struct AddressResemblance: Sendable, Hashable {
    enum Reason: Sendable, Hashable {
        /// The same first `prefix` and last `suffix` hex digits.
        case affixes(prefix: Int, suffix: Int)
        /// This many single-digit edits apart (at most the policy's bound).
        case editDistance(Int)
    }

    /// Index into `CompiledPolicy.entries`.
    let entry: Int
    let reason: Reason
}
