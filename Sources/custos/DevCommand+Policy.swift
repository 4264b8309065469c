import Foundation

extension DevCommand.Up {
    /// The development cluster's exchange account on the local chain: Kraken's address, as the
    /// example policy books it on ethereum, booked on devnet too.
    static let devnetDestination = (entry: "kraken-devnet", address: "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f")
    /// What the development price bots quote, in USD.
    static let demoQuotes = ["ETH=3000", "USDC=1"]
    /// The risk bot's routine transfer on every start: a small ether top-up of the devnet exchange account.
    static let routineAmount = "0.01"
    /// The demo people, and `secondTreasurer`: the example policy's 4-eyes rule for a person's
    /// exchange transfer (require-exchange-medium) needs a treasury person besides the initiator.
    static let people = ClusterCommand.demoPeople + ",\(secondTreasurer):treasury-ops"
    static let secondTreasurer = "bob"
    /// The banner's 4-eyes transfer, in USDC: over require-exchange-medium's 250,000 USD, within
    /// alice's trader-daily limit and the funded 1,000,000 USDC.
    static let fourEyesAmount = "300000"

    /// `policy` (the example's YAML text) made aware of the local chain, for a new development
    /// cluster: ETH and USDC exist on devnet, the exchange account `devnetDestination` is in the
    /// genesis address book (usable at once: genesis entries do not cool off), devnet has a fee
    /// limit (without one nodes sign nothing there). Nil, naming the part, when the text lacks what it extends.
    static func devnetAware(_ policy: String) -> (yaml: String?, missing: String?) {
        var text = policy
        let edits: [(anchor: String, replacement: String)] = [
            ("\n  ETH: {chains: [", "\n  ETH: {chains: [devnet, "),
            ("\n  USDC: {chains: [", "\n  USDC: {chains: [devnet, "),
            ("\naddress_book:\n", """

                address_book:
                  \(devnetDestination.entry):
                    chain: devnet
                    address: "\(devnetDestination.address)"
                    counterparty: kraken
                    tags: [exchange, tier1]

                """),
            ("\nfee_limits:\n", "\nfee_limits:\n  devnet: {max_fee_per_gas_gwei: 50, max_priority_fee_per_gas_gwei: 5}\n"),
        ]
        for (anchor, replacement) in edits {
            guard let range = text.range(of: anchor) else { return (nil, anchor.trimmingCharacters(in: .whitespacesAndNewlines)) }
            text.replaceSubrange(range, with: replacement)
        }
        return (text, nil)
    }
}
