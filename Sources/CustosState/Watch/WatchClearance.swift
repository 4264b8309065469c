import CustosCore

/// What a `clear-watch-flag` change (kind 45, decided as `change_policy`) clears on one chain,
/// as its text reads: an address (`0x` and 40 hex digits: its flag, for good), a transaction
/// hash (`0x` and 64 hex digits: every flag it planted and its flood's members in the flood
/// set), `below:BLOCK` (every flag and flood member of a chain block before BLOCK),
/// `reporter:BOT` (every flag and flood member watcher bot BOT's reports planted, after its key
/// was compromised: review helper-54 M1; what other watchers planted stays, and so does what
/// another watcher reported too, attributed to it: review helper-64 M2) or
/// `overflow` (the chain's overflow mark: the poisoned test answers again for addresses no
/// report flagged; flood members stay poisoned, third review H-2) or `coverage` (the chain's coverage and every report run under way, after a
/// watcher claimed a block the chain never reached: the next complete report starts it anew; the
/// chain's mark too) or `coverage:BOT` (watcher BOT's coverage alone, review of watch6 L1: it starts
/// again at or below the block after the chain's mark, the others' coverage stays).
/// Only an address is never flagged again; the others make room, and a later dust transfer
/// with an address flags it anew (security review H1).
public enum WatchClearance: Sendable, Hashable {
    case address(String)
    case transaction(String)
    case below(UInt64)
    case reporter(String)
    case overflow
    case coverage
    case watcherCoverage(String)

    /// Reads `text` (`invalidChange` naming what is wrong); addresses and hashes lowercased.
    public init(_ text: String) throws(GovernanceError) {
        let lower = text.lowercased()
        func isHex(_ s: Substring) -> Bool { s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } }
        if lower == "overflow" {
            self = .overflow
        } else if lower == "coverage" {
            self = .coverage
        } else if lower.hasPrefix("coverage:") {
            let bot = String(lower.dropFirst(9))
            try ReplicatedState.checkUserId(bot, what: "the watcher bot's")
            self = .watcherCoverage(bot)
        } else if lower.hasPrefix("below:"), let block = UInt64(lower.dropFirst(6)), block > 0 {
            self = .below(block)
        } else if lower.hasPrefix("reporter:") {
            let bot = String(lower.dropFirst(9))
            try ReplicatedState.checkUserId(bot, what: "the watcher bot's")
            self = .reporter(bot)
        } else if lower.hasPrefix("0x"), lower.utf8.count == 42, isHex(lower.dropFirst(2)) {
            self = .address(lower)
        } else if lower.hasPrefix("0x"), lower.utf8.count == 66, isHex(lower.dropFirst(2)) {
            self = .transaction(lower)
        } else {
            throw GovernanceError(.invalidChange, "\"\(text.printable(limit: 70))\" is not what a watch flag clearance names: an address (0x and 40 hex digits), "
                + "a transaction hash (0x and 64 hex digits), below:BLOCK (a block number above 0), reporter:BOT (a watcher bot's id), overflow, coverage or coverage:BOT")
        }
    }

    /// The clearance as a change names it.
    public var text: String {
        switch self {
        case .address(let a): a
        case .transaction(let t): t
        case .below(let block): "below:\(block)"
        case .reporter(let bot): "reporter:\(bot)"
        case .overflow: "overflow"
        case .coverage: "coverage"
        case .watcherCoverage(let bot): "coverage:" + bot
        }
    }

    /// The clearance in words, for the people approving it.
    public var words: String {
        switch self {
        case .address(let a): "the poisoned flag of \(a) (later reports never flag it again)"
        case .transaction(let t): "every poisoned flag transaction \(t) planted, and its flood's members with a record of their own "
            + "(members kept in a watcher's summary beyond the flood records stay: clear them by below:BLOCK, reporter:BOT or one by one)"
        case .below(let block): "every poisoned flag and flood member from a block before \(block) "
            + "(a watcher's summary beyond the flood records leaves only whole: its members stay if its highest block is \(block) or later)"
        case .reporter(let bot): "every poisoned flag and flood member watcher \(bot)'s reports planted and no other watcher reported too "
            + "(one another watcher reported too stays, attributed to that watcher; what other watchers planted stays), "
            + "and watcher \(bot)'s coverage of the chain: rotate its key or remove it next (its next report starts its coverage again)"
        case .overflow: "the overflow mark (the poisoned test answers again for addresses no report flagged; flood members stay poisoned)"
        case .watcherCoverage(let bot): "the watch coverage of watcher \(bot.printable(limit: 64)) and its report under way (it starts again at or below the block after the chain's mark)"
        case .coverage: "the watch coverage and every report under way (the next complete report starts it anew; under max_staleness the poisoned test has no answer until then)"
        }
    }
}
