import Foundation

/// The local EVM chain of development clusters (`scripts/evm-devnet.py`), as `custos dev up` and
/// `custos-bench erc20` set it up alike: its name in the policy and the asset registry, the
/// exchange account booked on it, the development price feed, and the example policy made aware
/// of it.
package enum DevelopmentChain {
    /// The chain's name in the policy, the asset registry and `--rpc NAME=URL`.
    package static let name = "devnet"
    /// The development cluster's exchange account on the local chain: Kraken's address, as the
    /// example policy books it on ethereum, booked on devnet too.
    package static let destination = (entry: "kraken-devnet", address: "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f")
    /// The development price bots: three sources, as the policy's USD limits need
    /// (`prices.min_sources`), all quoting `quotes` (a development machine reads no market).
    package static let priceBots = ["price-bot-1", "price-bot-2", "price-bot-3"]
    /// What the development price bots quote, in USD.
    package static let quotes = ["ETH=3000", "USDC=1"]

    /// `policy` (the example's YAML text) made aware of the local chain, for a new development
    /// cluster: ETH and USDC exist on devnet, the exchange account `destination` is in the
    /// genesis address book (usable at once: genesis entries do not cool off), devnet has a fee
    /// limit (without one nodes sign nothing there). Nil, naming the part, when the text lacks what it extends.
    package static func aware(_ policy: String) -> (yaml: String?, missing: String?) {
        var text = policy
        let edits: [(anchor: String, replacement: String)] = [
            ("\n  ETH: {chains: [", "\n  ETH: {chains: [\(name), "),
            ("\n  USDC: {chains: [", "\n  USDC: {chains: [\(name), "),
            ("\naddress_book:\n", """

                address_book:
                  \(destination.entry):
                    chain: \(name)
                    address: "\(destination.address)"
                    counterparty: kraken
                    tags: [exchange, tier1]

                """),
            ("\nfee_limits:\n", "\nfee_limits:\n  \(name): {max_fee_per_gas_gwei: 50, max_priority_fee_per_gas_gwei: 5}\n"),
        ]
        for (anchor, replacement) in edits {
            guard let range = text.range(of: anchor) else { return (nil, anchor.trimmingCharacters(in: .whitespacesAndNewlines)) }
            text.replaceSubrange(range, with: replacement)
        }
        return (text, nil)
    }
}
