import BigInt

extension EVM.TypedData {
    /// One atomic value of typed data as people and policies read it: an integer (`uintN`,
    /// `intN`) or text (strings as written, `true`/`false`, addresses and bytes in lowercase
    /// `0x` hex).
    public enum Leaf: Hashable, Sendable {
        case text(String)
        case integer(BigInt)
    }
}
