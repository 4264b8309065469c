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

    /// Review of fin14 M3, as the departing person would try it: after a real payment, a few
    /// multisends to throwaway addresses (denied or left unapproved) to push the real
    /// destination off the 1,000-entry list. Their approved-for-signing requests count first,
    /// and one request adds at most `maximumMonitoredPerRequest`.
    @Test func multisendsToThrowawayAddressesPushNoRealDestinationOffTheList() throws {
        var s = try Self.scene()
        let paid = try #require(Cluster.decided(s.c.apply(try Self.personEntry(&s.c, by: "ivan", amount: "5", destination: Self.otc))))
        #expect(paid.outcome == .allow)
        var next = 0x10_0000
        for _ in 0..<2 {
            let throwaways = (0..<520).map { _ -> JSONValue in
                next += 1
                return .string("0x" + String(repeating: "0", count: 40 - String(next, radix: 16).count) + String(next, radix: 16))
            }
            let body = Cluster.transfer(by: "ivan", amount: "50", extra: [("recipients", .array(throwaways))])
            let envelope = RequestEntry.personEnvelope(body: body, cluster: s.c.state.genesisDigest, user: "ivan", timestamp: Int64(s.c.now), nonce: s.c.nonce())
            let flood = try #require(Cluster.decided(s.c.apply(try RequestEntry.submit(envelope, assertion: s.c.assert("ivan", RequestEntry.personChallenge(envelope))))))
            #expect(flood.outcome != .allow)
        }
        try Self.offboard(&s, monitorDays: 30)
        let monitored = try #require(s.c.state.offboardings["ivan"]?.monitoredDestinations)
        #expect(monitored.contains("ethereum/" + Self.otc), "the real destination stays on the list")
        // kraken (each flood's destination) and 15 throwaways of each flood; nothing more.
        #expect(monitored.count == 1 + 1 + 2 * (ReplicatedState.maximumMonitoredPerRequest - 1), "\(monitored.count)")
    }
}
