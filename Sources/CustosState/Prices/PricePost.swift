import CustosCore
import CustosPolicy

/// The body of a price bot's signed price entry: one asset's USD price and the time the source
/// observed it. As JSON (RFC 8785 canonical inside the signed envelope):
///
///     {"kind": "price", "asset": "ETH", "usd": "3200.50", "time": 1796000000}
///
/// `usd` is a decimal string (at most 18 fractional digits), `time` Unix seconds. The source
/// is the bot that signed the envelope.
public struct PricePost: Sendable, Hashable {
    public let asset: String
    public let usd: FixedDecimal
    public let time: Int64

    /// The highest USD price of one unit a node accepts.
    public static let maximumUSD = FixedDecimal(1_000_000_000_000)!

    public init(asset: String, usd: FixedDecimal, time: Int64) {
        self.asset = asset
        self.usd = usd
        self.time = time
    }

    /// The body as a bot signs it.
    public var json: JSONValue {
        .object([("kind", .string("price")), ("asset", .string(asset)), ("usd", .string(usd.description)), ("time", .integer(time))])
    }

    /// Reads a price body strictly, refusing (`invalidRequest`) unknown or missing members, an
    /// asset that is not 1 to 32 of [A-Za-z0-9._-], a price that is not a decimal above zero and
    /// at most `maximumUSD`, and a time that is not whole seconds.
    public init(json body: JSONValue) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the price body: \(reason)") }
        guard let members = body.objectValue else { throw invalid("it is a \(body.typeName), not an object") }
        let names = members.map(\.key)
        guard Set(names) == ["kind", "asset", "usd", "time"], names.count == 4 else {
            throw invalid("it has exactly the members kind, asset, usd and time")
        }
        guard body["kind"] == .string("price") else { throw invalid("kind must be \"price\"") }
        guard let asset = body["asset"]?.stringValue, (1...32).contains(asset.utf8.count), asset.utf8.allSatisfy({ c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(c)
        }) else { throw invalid("asset must be 1 to 32 of [A-Za-z0-9._-]") }
        guard let text = body["usd"]?.stringValue, let usd = FixedDecimal(parsing: text) else {
            throw invalid("usd must be a decimal string")
        }
        guard usd > .zero, usd <= Self.maximumUSD else { throw invalid("usd must be above 0 and at most \(Self.maximumUSD.grouped)") }
        guard case .integer(let time)? = body["time"] else { throw invalid("time must be whole Unix seconds") }
        self.init(asset: asset, usd: usd, time: time)
    }
}
