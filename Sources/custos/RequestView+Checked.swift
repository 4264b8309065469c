import CustosChains
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosState
import Foundation

extension RequestView {
    /// The request's body, parsed here, after checking that it is the content the id names: its
    /// RFC 8785 form is the committed text, and SHA-256 of the signing input built from it, the
    /// cluster, initiator, timestamp and nonce is the id (and the id asked for, if any). The gateway is
    /// not trusted; what a person reads or signs is what the nodes will check. With `expected`
    /// (a genesis digest, hex), the request must also have been signed for that cluster. Ends the
    /// command with one line naming what differs.
    func checkedBody(asked: String? = nil, cluster expected: String? = nil) -> JSONValue {
        let shown = printable(id)
        if let asked, id != asked { fail("the gateway sent request \(shown) for \(printable(asked))") }
        if let expected, cluster != expected.lowercased() {
            fail("request \(shown) was signed for the cluster with genesis digest \(printable(cluster)), not \(printable(expected))")
        }
        let value: JSONValue
        do { value = try JSONParser().parse(Array(body.utf8)) } catch { fail("the gateway sent a body for request \(shown) that is not JSON") }
        guard JCS.canonicalBytes(value) == Array(body.utf8) else { fail("the gateway sent a body for request \(shown) that is not in its canonical form") }
        let clusterDigest: [UInt8]
        do { clusterDigest = try [UInt8](hex: cluster) } catch { fail("the gateway sent request \(shown) with a cluster digest that is not hex") }
        let input = SignedRequest.signingInput(body: value, cluster: clusterDigest, keyId: initiator, timestamp: timestamp, nonce: nonce)
        guard Hashes.sha256(input).hexString == id else { fail("the gateway's content for request \(shown) is not the content its id names") }
        return value
    }

    /// The decoded intent in plain words, from the checked body (`RequestIntent`), each line
    /// escaped for the terminal.
    static func intent(of body: JSONValue) -> [String] {
        RequestIntent(of: body).lines.map { printable($0.label.padding(toLength: 11, withPad: " ", startingAt: 0) + " " + $0.text) }
    }
}
