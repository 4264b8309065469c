import Foundation

/// A submitted console form (`application/x-www-form-urlencoded`): the first value of each
/// field. Malformed percent-encoding makes the whole form unreadable, never a guess.
struct ConsoleForm: Sendable {
    static let maximumBody = 32 * 1024
    private let fields: [String: String]

    init?(body: [UInt8]) {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { return nil }
            if fields[name] == nil { fields[name] = value }
        }
        self.fields = fields
    }

    subscript(_ name: String) -> String? { fields[name] }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
