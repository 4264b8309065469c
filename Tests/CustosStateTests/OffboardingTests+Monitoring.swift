import CustosCore
import CustosPolicy
import CustosState
import Foundation
import Testing

/// The heightened-monitoring window, as the departing person (or an accomplice) would try to
/// slip past it: by having someone else send the last request to the destination, or by paying
/// it as a recipient of a batch or a call rather than as the destination.
extension OffboardingTests {
    /// Review of offboarding M1: a later request of someone else to the destination ivan used
    /// does not take it off the list (only a destination's latest request used to count).
    @Test func aLaterRequestOfSomeoneElseDoesNotTakeHisDestinationOffTheList() throws {
        var s = try Self.scene()
        let later = try #require(Cluster.decided(try s.c.submit(s.c.signed(
            Cluster.transfer(by: "risk-bot", amount: "5", destination: Self.otc), keyId: "risk-bot", key: s.riskKey))))
        #expect(later.outcome == .allow)
        try Self.offboard(&s, monitorDays: 30)
        #expect(s.c.state.offboardings["ivan"]?.monitoredDestinations == ["ethereum/" + Self.otc])
    }

    /// Review of offboarding M2: a request that pays the monitored destination as a recipient
    /// (a batch's payee, a call's decoded recipient) is monitored like one sent to it.
    @Test func aRecipientUnderMonitoringCountsLikeTheDestination() throws {
        let s = try Self.offboarded(monitorDays: 30)
        func request(recipients: [String]) -> PolicyRequest {
            PolicyRequest(kind: .transfer, initiator: "risk-bot", vault: "hot", chain: "ethereum", asset: "ETH", amount: FixedDecimal(50)!,
                          destination: Cluster.kraken, recipients: recipients)
        }
        let paying = request(recipients: [Cluster.kraken, Self.otc.uppercased().replacingOccurrences(of: "0X", with: "0x")])
        #expect(paying.recipientKeys == ["ethereum/" + Cluster.kraken, "ethereum/" + Self.otc])
        #expect(s.c.state.snapshot(for: paying, at: s.c.now).monitoredDestinations["ethereum/" + Self.otc] != nil)
        #expect(s.c.state.evaluate(paying, blockTime: s.c.now).pending.map(\.count).sorted() == [2, 3])
        #expect(s.c.state.evaluate(request(recipients: []), blockTime: s.c.now).pending.map(\.count).sorted() == [2])
    }
}
