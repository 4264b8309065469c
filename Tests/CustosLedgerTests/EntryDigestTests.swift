import CustosLedger
import Testing

/// An entry's digest names exactly its canonical encoding: equal entries share it, any change
/// of kind, payload or authorization (or of where a byte sits between them) changes it.
struct EntryDigestTests {
    @Test func theDigestCoversKindPayloadAndAuthorization() throws {
        let base = try Entry(kind: "transfer.request", payload: [1, 2, 3], authorization: [9])
        #expect(base.digest == (try Entry(kind: "transfer.request", payload: [1, 2, 3], authorization: [9])).digest)
        #expect(base.digest.bytes.count == 32)
        let variants = [
            try Entry(kind: "transfer.requesT", payload: [1, 2, 3], authorization: [9]),
            try Entry(kind: "transfer.request", payload: [1, 2, 4], authorization: [9]),
            try Entry(kind: "transfer.request", payload: [1, 2, 3], authorization: []),
            // The same bytes split differently between payload and authorization.
            try Entry(kind: "transfer.request", payload: [1, 2], authorization: [3, 9]),
        ]
        for variant in variants { #expect(variant.digest != base.digest) }
        #expect(Set(variants.map(\.digest)).count == variants.count)
    }
}
