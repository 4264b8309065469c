extension GatewayFaultInjection {
    /// How a lying gateway's console changes a request's decoded table, the signed text left
    /// as it is: what the page's script must catch (review M4) before anything is signed, or —
    /// for a lie drawn by a stylesheet the script cannot see through (review helper-57 H2, M2) —
    /// what the browser's own confirmation, which shows the script's reading, must not repeat.
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
        /// The stylesheet hides compared rows from the person while they stay in the page: the
        /// amount's cells `visibility: hidden`, the spender's or recipient's row off-screen, the
        /// function's row in a 1-pixel font (the branches of the script's `readable`).
        case cssHiddenRows = "css-hidden-rows"
        /// The amount argument's row keeps the true amount in its text, drawn transparent
        /// (`-webkit-text-fill-color`), and the row draws another amount over it.
        case cssTextFill = "css-text-fill"
        /// An opaque box the stylesheet draws covers the spender's or recipient's cell with
        /// 0x1111…1111.
        case overlay = "overlay"
        /// On a page of several requests, the last one is placed far below the page's end,
        /// where the person never scrolls.
        case offpageArticle = "offpage-article"
        /// On an operation's page (not a request's), the labels of the first two signed fields
        /// of one type after the change trade places (an assign-role's "Person" and "Role"), the
        /// values left as they are: what the page's script, which compares the page's labels
        /// with its own table, must refuse before any confirmation (review M3 of the dialog).
        case swappedLabels = "swapped-labels"

        static let otherAddressText = "0x" + String(repeating: "1", count: 40)

        /// `rows` as this lie shows them.
        func apply(_ rows: [ConsoleTableRow]) -> [ConsoleTableRow] {
            let addresses = ["  spender", "  to", "  from"]
            return rows.flatMap { row -> [ConsoleTableRow] in
                let other = ConsoleTableRow(label: row.label, text: "9" + row.text)
                switch self {
                case .otherAddress:
                    return addresses.contains(row.label) ? [ConsoleTableRow(label: row.label, text: Self.otherAddressText)] : [row]
                case .otherAmount:
                    return row.label == "  amount" ? [other] : [row]
                case .hiddenAmount:
                    return row.label == "  amount" ? [ConsoleTableRow(label: row.label, text: row.text, hidden: true), other] : [row]
                case .duplicatedAmount:
                    return row.label == "  amount" ? [row, other] : [row]
                case .lookalikeLabel:
                    return row.label == "  amount" ? [row, ConsoleTableRow(label: "  \u{0430}mount", text: other.text)] : [row]
                case .cssHiddenRows:
                    let style = row.label == "  amount" ? "lie-invisible" : addresses.contains(row.label) ? "lie-offscreen"
                        : row.label == "function" ? "lie-tiny" : nil
                    return [ConsoleTableRow(label: row.label, text: row.text, lieClass: style)]
                case .cssTextFill:
                    return row.label == "  amount" ? [ConsoleTableRow(label: row.label, text: row.text, lieClass: "lie-fill", lie: other.text)] : [row]
                case .overlay:
                    return addresses.contains(row.label)
                        ? [ConsoleTableRow(label: row.label, text: row.text, lieClass: "lie-overlay", lie: Self.otherAddressText)] : [row]
                case .offpageArticle, .swappedLabels:
                    return [row]
                }
            }
        }

        /// An operation's signed fields as this lie shows them: with `swappedLabels`, the labels
        /// of the first two fields of one type after the change (the fifth field) swapped.
        func apply(_ fields: [ConsoleField]) -> [ConsoleField] {
            guard self == .swappedLabels else { return fields }
            let own = fields.indices.dropFirst(5)
            guard let first = own.first(where: { i in own.contains { $0 > i && fields[$0].kind == fields[i].kind } }),
                  let second = own.first(where: { $0 > first && fields[$0].kind == fields[first].kind })
            else { return fields }
            var shown = fields
            shown[first] = fields[first].labelled(fields[second].label)
            shown[second] = fields[second].labelled(fields[first].label)
            return shown
        }

        /// A page's requests as this lie shows them: the last of several placed off-page.
        func apply(_ requests: [ConsoleRequestContent]) -> [ConsoleRequestContent] {
            guard self == .offpageArticle, requests.count > 1 else { return requests }
            var shown = requests
            shown[shown.count - 1].offpage = true
            return shown
        }

        /// What the lying gateway adds to the console's stylesheet: the rules its classes
        /// (`lieClass`, `offpage`) name. The console's own stylesheet has none of them.
        static let stylesheet = """

            /* UNSAFE FAULT INJECTION: a lying gateway's additions (GatewayFaultInjection.ConsoleTableLie). */
            tr.lie-invisible td, tr.lie-invisible th { visibility: hidden; }
            tr.lie-offscreen { position: absolute; left: -10000px; }
            tr.lie-tiny td, tr.lie-tiny th { font-size: 1px; }
            tr.lie-fill, tr.lie-overlay { position: relative; }
            tr.lie-fill td { -webkit-text-fill-color: transparent; }
            tr.lie-fill::after, tr.lie-overlay::after { content: attr(data-lie); position: absolute; top: 0; bottom: 0; left: 11.2rem; right: 0;
              padding: .4rem .6rem; white-space: pre-wrap; word-break: break-all; }
            tr.lie-overlay::after { background: #fff; }
            article.lie-offpage { position: absolute; top: 100000px; left: 0; }

            """
    }
}
