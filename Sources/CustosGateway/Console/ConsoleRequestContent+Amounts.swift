import CustosCore
import CustosState

extension ConsoleRequestContent {
    /// The ERC-20 calls whose amount the page's script decodes from the signed calldata itself
    /// (`ERC20_CALLS` in console.js): selector → how many 32-byte words the call takes; the
    /// amount is the last.
    static let erc20Words: [String: Int] = ["a9059cbb": 2, "095ea7b3": 2, "23b872dd": 3, "39509351": 2]

    /// The amount of an ERC-20 `transfer`, `approve`, `transferFrom` or `increaseAllowance`
    /// in `body` (a contract call request) as it is signed — in the token's smallest units, the
    /// form the signed calldata holds and the page's script reads it in ("50000000 (in the
    /// token's smallest units)", "UNLIMITED (2^256 - 1)") — or nil for any other body. The
    /// registered decimals are state, not signed content: a figure with them applied could not
    /// be checked by the script, so the row the script compares shows this (review M4).
    static func signedAmount(of body: JSONValue) -> String? {
        guard TransactionRequest.isTransaction(body), let t = try? TransactionRequest(json: body), t.kind == .contractCall,
              t.data.count >= 4, let words = erc20Words[Array(t.data.prefix(4)).hexString], t.data.count == 4 + 32 * words
        else { return nil }
        let word = Array(t.data.suffix(32))
        if word.allSatisfy({ $0 == 0xFF }) { return "UNLIMITED (2^256 - 1)" }
        return decimal(word) + " (in the token's smallest units)"
    }

    /// A big-endian unsigned integer as decimal digits.
    static func decimal(_ bytes: [UInt8]) -> String {
        var number = Array(bytes.drop { $0 == 0 })
        var digits: [Character] = []
        while !number.isEmpty {
            var remainder = 0
            var quotient: [UInt8] = []
            for byte in number {
                let value = remainder * 256 + Int(byte)
                if !quotient.isEmpty || value / 10 > 0 { quotient.append(UInt8(value / 10)) }
                remainder = value % 10
            }
            digits.append(Character(String(remainder)))
            number = quotient
        }
        return digits.isEmpty ? "0" : String(digits.reversed())
    }
}
