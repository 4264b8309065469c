import BigInt
import CustosCore

extension EVM {
    /// The reason a call reverted, read from its revert data (Solidity: `Error(string)`,
    /// `Panic(uint256)`, else a custom error or nothing), as text safe to show: a reason string
    /// cut to `maximumLength` characters with every character outside printable ASCII escaped,
    /// and undecodable data shown as its first bytes in hex.
    public enum RevertReason {
        /// Characters of a reason string that are shown.
        public static let maximumLength = 200
        static let errorSelector: [UInt8] = [0x08, 0xc3, 0x79, 0xa0]
        static let panicSelector: [UInt8] = [0x4e, 0x48, 0x7b, 0x71]

        /// `data` in words: `Error("…")`, `Panic(0x11: arithmetic overflow or underflow)`,
        /// `no revert data`, or `revert data 0x…` (its first 32 bytes and its length).
        public static func describe(_ data: [UInt8]) -> String {
            if data.isEmpty { return "no revert data" }
            if data.starts(with: errorSelector),
               let values = try? ABI.decode([.string], from: data.dropFirst(4)), case .string(let text)? = values.first {
                let shown = text.printable(limit: maximumLength)
                return "Error(\"\(shown)\"" + (text.unicodeScalars.count > maximumLength ? "…" : "") + ")"
            }
            if data.starts(with: panicSelector), data.count == 36,
               let values = try? ABI.decode([.uint(bits: 256)], from: data.dropFirst(4)), case .uint(let code)? = values.first {
                return "Panic(0x\(String(code, radix: 16))" + (panicMeaning(code).map { ": \($0)" } ?? "") + ")"
            }
            return "revert data 0x\(data.prefix(32).hexString)" + (data.count > 32 ? "… (\(data.count) bytes)" : "")
        }

        /// What the Solidity compiler's panic codes mean (Solidity documentation, "Panic via assert and Error via require").
        static func panicMeaning(_ code: BigUInt) -> String? {
            switch code {
            case 0x01: "assertion failed"
            case 0x11: "arithmetic overflow or underflow"
            case 0x12: "division or modulo by zero"
            case 0x21: "invalid enum value"
            case 0x22: "corrupt storage byte array"
            case 0x31: "pop from an empty array"
            case 0x32: "array index out of bounds"
            case 0x41: "out of memory"
            case 0x51: "call to an uninitialised function"
            default: nil
            }
        }
    }
}
