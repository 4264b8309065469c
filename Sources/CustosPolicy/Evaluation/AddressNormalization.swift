/// Addresses are compared case-insensitively when they are `0x` hex (EVM, EIP-55 checksums
/// differ only in case) and exactly otherwise (base58 and bech32 are case-sensitive or
/// canonical lowercase already).
enum AddressNormalization {
    static func normalize(_ address: String) -> String {
        guard address.utf8.count > 2, address.hasPrefix("0x") || address.hasPrefix("0X") else { return address }
        if address.utf8.allSatisfy({ !($0 >= 0x41 && $0 <= 0x5A) }) && address.hasPrefix("0x") { return address }
        var bytes = Array(address.utf8)
        for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A { bytes[i] += 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
