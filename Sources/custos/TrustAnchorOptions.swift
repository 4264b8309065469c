import ArgumentParser
import CustosCore
import CustosLedger

/// A block the operator trusts, learned out of band (`custos node status` on a node they run):
/// `--trust-height` and `--trust-hash`, both or neither. A history that differs at that height
/// (a long-range fork certified by retired keys) is refused.
struct TrustAnchorOptions: ParsableArguments {
    @Option(help: "A height whose block hash you trust (with --trust-hash): a history that differs there is refused.")
    var trustHeight: UInt64?
    @Option(help: "The block hash (hex) you trust at --trust-height, e.g. from `custos node status` on a node you run.")
    var trustHash: String?

    /// The anchor, nil when neither option is given; bad input ends the command with a one-line message.
    func anchor() -> TrustAnchor? {
        switch (trustHeight, trustHash) {
        case let (height?, hash?):
            do { return try TrustAnchor(height: height, hash: try LedgerHash(hex: hash)) } catch {
                fail("--trust-height/--trust-hash: \(error.reason)")
            }
        case (nil, nil): return nil
        default: fail("--trust-height and --trust-hash go together")
        }
    }
}
