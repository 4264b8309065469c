import CustosCore

/// One field of the content an approver signs, as the console displays it: a label for people,
/// the field's type in the canonical encoding, and its value as text (or, for a list, its items).
/// The console's script encodes the displayed text of these fields, in order, into the exact
/// bytes of `GovernanceProposal.encoded` (see `canonicalBytes(_:)`, its Swift twin), so what a
/// person reads is what the challenge is derived from.
package struct ConsoleField: Sendable, Equatable {
    /// How a field's text becomes canonical bytes (CanonicalWriter, 32-bit big-endian prefixes).
    package enum Kind: String, Sendable, Equatable {
        /// UTF-8 text behind its length.
        case string
        /// A decimal number written as 8 bits.
        case u8
        /// A decimal number written as 32 bits.
        case u32
        /// A decimal number written as 64 bits.
        case u64
        /// A change's name (`add-user`, …), written as its one-byte kind.
        case change
        /// A counted list of strings.
        case strings
        /// Bytes shown as lowercase hex, written behind their length.
        case hex
        /// A derivation path `m/0/5`, written as a count and 32-bit indices.
        case path
    }

    /// A list item, as the templates read it.
    package struct Item: Sendable, Equatable {
        package let value: String
        package init(value: String) { self.value = value }
    }

    package let label: String
    package let kind: Kind
    package var value: String
    package var items: [Item]
    /// Words shown under the value for people (the gateway's, never encoded nor signed).
    package let note: String?
    /// For the templates (which read stored properties only): `kind` as text, and whether it is a list.
    let type: String
    let isList: Bool

    package init(_ label: String, _ kind: Kind, _ value: String, note: String? = nil) {
        self.label = label
        self.kind = kind
        self.value = value
        self.note = note
        items = []
        type = kind.rawValue
        isList = false
    }

    package init(_ label: String, list: [String]) {
        self.label = label
        kind = .strings
        value = ""
        note = nil
        items = list.map(Item.init)
        type = kind.rawValue
        isList = true
    }

    /// The change kinds by the name the console shows: the numbers of `GovernanceChange`'s
    /// canonical encoding, and the script's table.
    package static let changeKinds: [String: UInt8] = [
        "add-user": 1, "remove-user": 2, "assign-role": 3, "revoke-role": 4, "add-credential": 5,
        "revoke-credential": 6, "change-policy-unbound": 7, "change-policy": 51, "freeze": 8, "unfreeze": 9, "add-bot": 16,
        "remove-bot": 11, "rotate-bot-key": 12, "grant-role": 13, "review-access": 14, "enrol-credential": 15, "add-member": 20, "remove-member": 21,
        "create-vault": 30, "create-vault-offline": 34, "add-vault-address": 31, "refresh-vault": 32, "readmit-signer": 33,
        "register-asset": 40, "remove-asset": 41, "cancel-nonce": 42,
        "cancel-address-book-entry": 43, "waive-cooling-off": 46, "clear-watch-flag": 45, "offboard-user": 47,
        "attest-onboarding": 48, "open-access-review": 49, "confirm-access": 50,
    ]

    /// What the console's script computes from these fields as displayed: nil where the script
    /// would refuse to encode them (an unknown change, a number or hex that does not parse).
    package static func canonicalBytes(_ fields: [ConsoleField]) -> [UInt8]? {
        var w = CanonicalWriter()
        for field in fields {
            switch field.kind {
            case .string: w.append(string: field.value)
            case .u8:
                guard let number = UInt8(field.value), String(number) == field.value else { return nil }
                w.append(number)
            case .u32:
                guard let number = UInt32(field.value), String(number) == field.value else { return nil }
                w.append(number)
            case .u64:
                guard let number = UInt64(field.value), String(number) == field.value else { return nil }
                w.append(number)
            case .change:
                guard let kind = changeKinds[field.value] else { return nil }
                w.append(kind)
            case .strings: w.append(strings: field.items.map(\.value))
            case .hex:
                // The script drops white space and takes lowercase digits only.
                let digits = field.value.filter { !$0.isWhitespace }
                guard digits.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
                      let bytes = try? [UInt8](hex: digits) else { return nil }
                w.append(lengthPrefixed: bytes)
            case .path:
                let parts = field.value.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.first == "m" else { return nil }
                var indices: [UInt32] = []
                for part in parts.dropFirst() {
                    guard let index = UInt32(part), String(index) == part else { return nil }
                    indices.append(index)
                }
                w.append(count: indices.count)
                for index in indices { w.append(index) }
            }
        }
        return w.bytes
    }
}
