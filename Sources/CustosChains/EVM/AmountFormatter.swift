import BigInt

extension EVM {
    /// Exact decimal rendering of token amounts: thousands separators, every significant
    /// fractional digit kept (a signer never sees a rounded amount), and at least two
    /// fractional digits when the token has them: 250000000000 at 6 decimals is
    /// "250,000.00"; 1 wei is "0.000000000000000001".
    public enum AmountFormatter {
        public static func format(_ amount: BigUInt, decimals: Int) -> String {
            let digits = String(amount)
            let decimals = max(0, decimals)
            let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
            let integerPart = padded.dropLast(decimals)
            var fraction = Array(padded.suffix(decimals))
            let minimum = min(2, decimals)
            while fraction.count > minimum && fraction.last == "0" { fraction.removeLast() }
            var grouped: [Character] = []
            for (i, c) in integerPart.reversed().enumerated() {
                if i > 0 && i % 3 == 0 { grouped.append(",") }
                grouped.append(c)
            }
            let integer = String(grouped.reversed())
            return fraction.isEmpty ? integer : "\(integer).\(String(fraction))"
        }
    }
}
