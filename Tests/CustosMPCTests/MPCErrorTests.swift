import CustosCore
import CustosMPC
import Testing
@Suite struct MPCErrorTests {
    @Test func namesCulprits() {
        let e = MPCError(.invalidShare, "bad share", culprits: ["03"])
        #expect(e.description.contains("03"))
    }
}
