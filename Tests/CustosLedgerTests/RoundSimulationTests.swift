import CustosLedger
import Testing

@Suite("Randomized rounds: a hostile gateway, then an honest one")
struct RoundSimulationTests {
    static let seeds: [UInt64] = Array(1...10)

    @Test("Lost proposals and votes, hidden certificates, crashes before persisting: always safe, every height commits",
          arguments: [4, 7], seeds)
    func lossesAndCrashes(n: Int, seed: UInt64) {
        let f = (n - 1) / 3
        var sim = RoundSimulation(n: n, seed: seed &* 6_700_417 &+ UInt64(n), byzantineCount: Int(seed) % (f + 1),
                                  adversarialRounds: 3, equivocates: false, lossRate: 0.4)
        sim.run(heights: 5)
        sim.check()
        #expect(sim.stuck.isEmpty, "stuck without equivocation at \(sim.stuck.map(\.height))")
        #expect(sim.head.height == 5)
    }

    @Test("An equivocating gateway with f Byzantine members: always safe; stuck only where it split the votes",
          arguments: [4, 7], seeds)
    func equivocation(n: Int, seed: UInt64) {
        let f = (n - 1) / 3
        var sim = RoundSimulation(n: n, seed: seed &* 2_147_483_647 &+ UInt64(n), byzantineCount: f,
                                  adversarialRounds: 3, equivocates: true, lossRate: 0.3)
        sim.run(heights: 5)
        sim.check()
        for stuck in sim.stuck { #expect(stuck.equivocated, "stuck at \(stuck.height) without equivocation there") }
    }

    /// The same runs as `equivocation`, in order, until one shows both (the equivocation test
    /// already checks each run's safety; running all twenty again cost a third of the suite).
    @Test("Across the equivocating runs, heights the gateway tried to split still commit after a round change")
    func equivocatedHeightsRecover() {
        var recovered = 0, committedThroughEquivocation = 0
        runs: for seed in Self.seeds {
            for n in [4, 7] {
                var sim = RoundSimulation(n: n, seed: seed &* 2_147_483_647 &+ UInt64(n), byzantineCount: (n - 1) / 3,
                                          adversarialRounds: 3, equivocates: true, lossRate: 0.3)
                sim.run(heights: 5)
                recovered += sim.recoveredHeights
                committedThroughEquivocation += sim.chain.filter { sim.equivocatedHeights.contains($0.block.height) }.count
                if recovered > 0, committedThroughEquivocation > 0 { break runs }
            }
        }
        #expect(recovered > 0)
        #expect(committedThroughEquivocation > 0)
    }
}
