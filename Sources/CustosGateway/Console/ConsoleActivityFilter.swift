import CustosPolicy
import Foundation
import Hummingbird

/// What the activity view shows, from the page's query parameters (server-side): entries a
/// person signed or approved (`person`, their id), of a vault (`vault`), to a destination
/// (`destination`: part of its address or address-book entry, any case), and in a time range of
/// block time (`from`, `to`: UTC days `YYYY-MM-DD`, both included). Empty parameters filter
/// nothing. A parameter that does not read is named in `problems` and filters nothing.
struct ConsoleActivityFilter: Sendable, Hashable {
    var person = ""
    var vault = ""
    var destination = ""
    var from = ""
    var to = ""
    /// Block time bounds, milliseconds, from `from` and `to`.
    private(set) var earliest: UInt64? = nil
    private(set) var latest: UInt64? = nil
    private(set) var problems: [String] = []

    static let maximumLength = 128

    init(person: String = "", vault: String = "", destination: String = "", from: String = "", to: String = "") {
        self.person = String(person.prefix(Self.maximumLength))
        self.vault = String(vault.prefix(Self.maximumLength))
        self.destination = String(destination.prefix(Self.maximumLength))
        self.from = String(from.prefix(10))
        self.to = String(to.prefix(10))
        if !from.isEmpty {
            if let seconds = StateSnapshot.parseISO8601(self.from + "T00:00:00Z"), seconds >= 0 { earliest = UInt64(seconds) * 1000 }
            else { problems.append("from: give a day as YYYY-MM-DD") }
        }
        if !to.isEmpty {
            if let seconds = StateSnapshot.parseISO8601(self.to + "T00:00:00Z"), seconds >= 0 { latest = UInt64(seconds) * 1000 + 86_399_999 }
            else { problems.append("to: give a day as YYYY-MM-DD") }
        }
    }

    init(_ query: Parameters) {
        self.init(person: query.get("person") ?? "", vault: query.get("vault") ?? "", destination: query.get("destination") ?? "",
                  from: query.get("from") ?? "", to: query.get("to") ?? "")
    }

    func matches(_ row: ConsoleActivityRow) -> Bool {
        if !person.isEmpty, row.signer != person, !row.approvals.contains(person) { return false }
        if !vault.isEmpty, row.vault != vault { return false }
        if !destination.isEmpty, !row.destination.lowercased().contains(destination.lowercased()) { return false }
        if let earliest, row.time < earliest { return false }
        if let latest, row.time > latest { return false }
        return true
    }

    /// The filter as a query string (`person=erin&from=2026-12-01`), percent-encoded, for links.
    var query: String {
        [("person", person), ("vault", vault), ("destination", destination), ("from", from), ("to", to)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            .joined(separator: "&")
    }
}
