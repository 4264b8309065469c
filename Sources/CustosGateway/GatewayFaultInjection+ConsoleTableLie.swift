extension GatewayFaultInjection {
    /// How a lying gateway's console changes a request's decoded table, the signed text left
    /// as it is: what the page's script must catch (review M4) before anything is signed.
    public enum ConsoleTableLie: String, Sendable, CaseIterable {
        /// Every address argument of the call (a row "  spender", "  to" or "  from") names
        /// 0x1111…1111.
        case otherAddress = "other-address"
        /// The amount argument's row shows another amount (a 9 in front of its digits).
        case otherAmount = "other-amount"
        /// The amount argument's row is in the page but hidden from the person; a visible row
        /// beside it shows another amount.
        case hiddenAmount = "hidden-amount"
        /// The amount argument's row shows the true amount, and a second row beside it, with
        /// the same label, another amount.
        case duplicatedAmount = "duplicated-amount"
        /// The amount argument's row shows the true amount, and a row beside it, labelled
        /// "  аmount" with a Cyrillic а (U+0430) that reads as the same word, another amount.
        case lookalikeLabel = "look-alike-label"

        /// `rows` as this lie shows them.
        func apply(_ rows: [ConsoleTableRow]) -> [ConsoleTableRow] {
            rows.flatMap { row -> [ConsoleTableRow] in
                let other = ConsoleTableRow(label: row.label, text: "9" + row.text)
                switch self {
                case .otherAddress:
                    return ["  spender", "  to", "  from"].contains(row.label)
                        ? [ConsoleTableRow(label: row.label, text: "0x" + String(repeating: "1", count: 40))] : [row]
                case .otherAmount:
                    return row.label == "  amount" ? [other] : [row]
                case .hiddenAmount:
                    return row.label == "  amount" ? [ConsoleTableRow(label: row.label, text: row.text, hidden: true), other] : [row]
                case .duplicatedAmount:
                    return row.label == "  amount" ? [row, other] : [row]
                case .lookalikeLabel:
                    return row.label == "  amount" ? [row, ConsoleTableRow(label: "  \u{0430}mount", text: other.text)] : [row]
                }
            }
        }
    }
}
