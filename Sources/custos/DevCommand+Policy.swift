import CustosClusterAPI
import Foundation

extension DevCommand.Up {
    /// The development cluster's exchange account on the local chain (`DevelopmentChain.destination`).
    static let devnetDestination = DevelopmentChain.destination
    /// What the development price bots quote, in USD (`DevelopmentChain.quotes`).
    static let demoQuotes = DevelopmentChain.quotes
    /// The risk bot's routine transfer on every start: a small ether top-up of the devnet exchange account.
    static let routineAmount = "0.01"
    /// The demo people, and `secondTreasurer`: the example policy's 4-eyes rule for a person's
    /// exchange transfer (require-exchange-medium) needs a treasury person besides the initiator.
    static let people = ClusterCommand.demoPeople + ",\(secondTreasurer):treasury-ops"
    static let secondTreasurer = "bob"
    /// The banner's 4-eyes transfer, in USDC: over require-exchange-medium's 250,000 USD, within
    /// alice's trader-daily limit and the funded 1,000,000 USDC.
    static let fourEyesAmount = "300000"
}
