import CustosClusterAPI
import CustosCore
import CustosLedger
import Foundation
import Logging

/// Faults a test injects into a `Gateway` on purpose, each UNSAFE: it breaks a promise the
/// gateway otherwise keeps, to show that the nodes detect it. The gateway consults this value at
/// named points of its work; `.none`, the default, injects nothing at any of them. A new kind of
/// misbehaviour is a new field and a new named point, never a branch in the gateway itself.
public struct GatewayFaultInjection: Sendable {
    /// Nodes (by id) that are first shown, once each, a second, different block at the height in
    /// flight (never recorded, never certifiable by this sequencer): gateway equivocation.
    public var equivocateTo: Set<String>
    private var equivocatedTo: Set<String> = []
    /// Queue and propose every entry as submitted, with no check of its kind, bound, signature
    /// or signer: a malicious gateway filling blocks that nodes must refuse.
    public var queuesUnchecked: Bool
    /// Show approvers, on the console's operation and request pages, content other than the
    /// operation's or the request's: a server that changes what people read, whose approvals
    /// every node must refuse.
    public var altersConsoleDisplay: Bool
    /// Show approvers, on the console's request pages, a decoded call table that says another
    /// address or amount than the signed calldata, or hides a row of it, or serves a stylesheet
    /// that draws another amount, address or number of requests than the page holds (the signed
    /// text itself unchanged), or labels an operation's signed fields otherwise: a server that
    /// lies in what it decodes, labels or draws, which the page's script must catch, or the
    /// browser's own confirmation must not repeat.
    public var consoleTableLie: ConsoleTableLie?
    /// Stamp blocks, and preview entries, at the wall clock plus the offset this file holds: a
    /// test cluster whose nodes share the file moves block time forward without waiting.
    public var clockOffset: UnsafeClockOffset?

    public init(equivocateTo: Set<String> = [], queuesUnchecked: Bool = false, altersConsoleDisplay: Bool = false,
                consoleTableLie: ConsoleTableLie? = nil, clockOffset: UnsafeClockOffset? = nil) {
        self.equivocateTo = equivocateTo
        self.queuesUnchecked = queuesUnchecked
        self.altersConsoleDisplay = altersConsoleDisplay
        self.consoleTableLie = consoleTableLie
        self.clockOffset = clockOffset
    }

    /// No fault: the gateway behaves as in production.
    public static let none = GatewayFaultInjection()

    /// Says loudly, once at start, which faults are armed.
    func announce(_ logger: Logger) {
        if !equivocateTo.isEmpty {
            logger.critical("UNSAFE FAULT INJECTION: this gateway equivocates", metadata: ["to": "\(equivocateTo.sorted())"])
        }
        if queuesUnchecked {
            logger.critical("UNSAFE FAULT INJECTION: this gateway queues and proposes entries without checking them")
        }
        if altersConsoleDisplay {
            logger.critical("UNSAFE FAULT INJECTION: this gateway's console shows approvers altered operations")
        }
        if let consoleTableLie {
            logger.critical("UNSAFE FAULT INJECTION: this gateway's console shows approvers altered call tables",
                            metadata: ["lie": "\(consoleTableLie.rawValue)"])
        }
        if let clockOffset {
            logger.critical("UNSAFE FAULT INJECTION: this gateway's block time is its clock plus the offset in a file", metadata: ["file": "\(clockOffset.path)"])
        }
    }

    /// Named point: `wall` is the gateway's clock about to stamp a block or preview an entry.
    /// Answers the block time to use.
    func blockTime(_ wall: UInt64) -> UInt64 {
        clockOffset?.adjusting(wall) ?? wall
    }

    /// Named point: `fields` are an operation's signed content about to be shown on the console.
    /// Answers the fields to show instead: altered, the last field names another role list or
    /// value than the operation holds; with a `consoleTableLie`, the fields are labelled as it
    /// says.
    func displaying(_ fields: [ConsoleField]) -> [ConsoleField] {
        let fields = consoleTableLie?.apply(fields) ?? fields
        guard altersConsoleDisplay, var last = fields.last else { return fields }
        if last.isList { last.items = [ConsoleField.Item(value: "admin")] } else { last.value += "-altered" }
        return Array(fields.dropLast()) + [last]
    }

    /// Named point: `text` is a request's signing input about to be shown on the console.
    /// Answers the text to show instead: altered, its amount has a 9 in front (or, without an
    /// amount, its nonce another character), still JSON the page's script reads.
    func displaying(signingInput text: String) -> String {
        guard altersConsoleDisplay else { return text }
        for member in [#""amount":""#, #""nonce":""#] where text.contains(member) {
            return text.replacingOccurrences(of: member, with: member + "9")
        }
        return text
    }

    /// Named point: `rows` are a request's decoded table about to be shown on the console.
    /// Answers the rows to show instead: as `consoleTableLie` changes them.
    func displaying(callTable rows: [ConsoleTableRow]) -> [ConsoleTableRow] {
        consoleTableLie?.apply(rows) ?? rows
    }

    /// Named point: `requests` are the requests a console page is about to show. Answers the
    /// requests to show instead: as `consoleTableLie` places them.
    func displaying(requests: [ConsoleRequestContent]) -> [ConsoleRequestContent] {
        consoleTableLie?.apply(requests) ?? requests
    }

    /// Named point: `bytes` are the console's static file `name` about to be served. Answers
    /// the bytes to serve instead: with a `consoleTableLie`, the stylesheet gains the lie's rules.
    func serving(asset name: String, _ bytes: [UInt8]) -> [UInt8] {
        guard consoleTableLie != nil, name == "console.css" else { return bytes }
        return bytes + Array(ConsoleTableLie.stylesheet.utf8)
    }

    /// Named point: `refusal` is why the gateway would not queue an entry, or would drop it from
    /// a proposal (nil: it would not). Answers the refusal to act on.
    func admitting<Refusal>(_ refusal: Refusal?) -> Refusal? {
        queuesUnchecked ? nil : refusal
    }

    /// Named point: `block`, made by `sequencer`, is about to be served to `node` as the proposal
    /// to vote on. Answers the block to serve instead.
    mutating func serving(_ block: Block, to node: String?, from sequencer: Sequencer, logger: Logger) throws -> Block {
        guard let node, equivocateTo.contains(node), equivocatedTo.insert(node).inserted,
              let other = try sequencer.unsafeEquivocatingProposal(entries: Array(block.entries.dropLast()))
        else { return block }
        logger.critical("UNSAFE FAULT INJECTION: sent a conflicting block", metadata: ["node": "\(node)", "height": "\(other.height)"])
        return other
    }
}
