import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState
import Foundation

/// One request as its page shows what is signed: its id, the exact signing input its
/// initiator signed (RFC 8785 text; the page's script hashes exactly this text into the id its
/// approval's challenge binds), and the body decoded into labelled lines (`RequestIntent`) with
/// a contract call's function and named arguments as the policy view decoded them (an ERC-20
/// call's amount as signed, `signedAmount`).
/// (Templates read stored properties only.)
struct ConsoleRequestContent: Sendable {
    typealias Line = ConsoleTableRow

    let id: String
    let link: String
    let signingInput: String
    /// Labelled lines, their text made visible (`ConsoleText.visible`): a memo or message can
    /// neither reverse nor hide part of what is shown.
    let lines: [Line]
    /// Why it is approved only on its own (`RequestReview.alone`): the page's script signs no
    /// batch approval of a list holding one such request.
    let alone: [ConsoleText]
    /// Set only by a test's fault (`ConsoleTableLie.offpageArticle`): the request is placed
    /// where the person does not see it.
    var offpage = false

    static let beyondDecimals = "beyond any decimal the policy reads (e.g. an unlimited approval)"

    /// Nil when the recorded body does not parse, which a recorded request's never does.
    /// `alter` and `table` are the gateway's fault points for the signing input and the
    /// decoded lines (`GatewayFaultInjection`); in production they change nothing.
    init?(_ reviewed: ConsoleReviewedRequest, in state: ReplicatedState, displaying alter: (String) -> String,
          table: ([Line]) -> [Line] = { $0 }) {
        let recorded = reviewed.recorded
        guard let input = recorded.signingInput(cluster: state.genesisDigest), let body = try? JSONParser().parse(recorded.body) else { return nil }
        id = recorded.id
        link = "/console/requests/\(recorded.id)"
        signingInput = alter(String(decoding: input, as: UTF8.self))
        var lines = [Line(label: "initiator", text: "\(recorded.initiator) (\(recorded.initiatorKind.rawValue))")]
        lines += RequestIntent(of: body).lines.map { Line(label: $0.label, text: $0.text) }
        if let call = recorded.request.call {
            lines.append(Line(label: "function", text: "\(call.function) \(call.selector)".trimmingCharacters(in: .whitespaces)))
            // Each argument in one row (review M4): a number once, as an amount; an ERC-20 call's
            // amount as signed, in the token's smallest units (`signedAmount`), which the page's
            // script compares with the calldata it decodes.
            let signed = Self.signedAmount(of: body)
            for (name, value) in call.arguments.sorted(by: { $0.key < $1.key })
            where call.amounts[name] == nil && !call.oversizedAmounts.contains(name) {
                lines.append(Line(label: "  \(name)", text: value))
            }
            for (name, value) in call.amounts.sorted(by: { $0.key < $1.key }) {
                lines.append(Line(label: "  \(name)", text: name == "amount" ? signed ?? value.grouped : value.grouped))
            }
            for name in call.oversizedAmounts.sorted() {
                lines.append(Line(label: "  \(name)", text: name == "amount" ? signed ?? Self.beyondDecimals : Self.beyondDecimals))
            }
        }
        lines.append(Line(label: "submitted", text: "\(UTCTime.text(Int64(recorded.blockTime / 1000))) (block time), decided under policy version \(recorded.policyVersion)"))
        self.lines = table(lines.map { Line(label: $0.label, text: ConsoleText.visible($0.text)) })
        alone = recorded.approvals?.isPending == true ? reviewed.review.alone.map(ConsoleText.init) : []
    }
}
