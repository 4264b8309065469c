import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosGateway
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// The console over HTTP in process (no browser, no nodes): security headers on every page,
/// sign-in with a credential of the governed state over a one-time challenge bound to the
/// browser, sessions bound to that credential, and forms refused without the session's token.
@Suite(.timeLimit(.minutes(5)))
struct ConsoleTests {
    static let genesis = try! TestGenesis()
    let identities: [NodeIdentity] = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }

    func gateway() async throws -> Gateway {
        try await Gateway(configuration: try Self.genesis.configuration(identities, genesisTimestamp: 1_000),
                          store: try SQLiteGatewayStore.inMemory(), logger: Logger(label: "test"))
    }

    /// A client that does not follow redirects, so each answer's cookies and location are seen.
    struct Browser {
        let client: HTTPClient
        let base: String
        var cookies: [String: String] = [:]

        struct Answer {
            let status: HTTPResponseStatus
            let headers: HTTPHeaders
            let text: String
        }

        mutating func send(_ method: HTTPMethod, _ path: String, form: [String: String]? = nil, origin: String? = nil) async throws -> Answer {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if !cookies.isEmpty { request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
            if let origin { request.headers.add(name: "Origin", value: origin) }
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                let body = form.map { key, value in
                    "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                }.joined(separator: "&")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await client.execute(request, timeout: .seconds(10))
            for header in response.headers["Set-Cookie"] {
                let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                cookies[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
                if header.contains("Max-Age=0") { cookies[String(pair[0])] = nil }
            }
            let body = try await response.body.collect(upTo: 1 << 20)
            return Answer(status: response.status, headers: response.headers, text: String(buffer: body))
        }
    }

    /// Runs `body` with a gateway served in process and a client that does not follow redirects.
    static func withClient(_ gateway: Gateway, _ body: (HTTPClient, String) async throws -> Void) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            try await InProcessGateway.with(gateway) { baseURL in try await body(client, baseURL) }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The value of `name="…" value="…"` in a page.
    static func hiddenValue(_ name: String, in page: String) throws -> String {
        let marker = "name=\"\(name)\" value=\""
        let start = try #require(page.range(of: marker)).upperBound
        return String(page[start...].prefix { $0 != "\"" })
    }

    static func assertionForm(_ assertion: WebAuthnAssertion.Response) -> [String: String] {
        ["credentialId": Base64URL.encode(assertion.credentialId), "authenticatorData": Base64URL.encode(assertion.authenticatorData),
         "clientDataJSON": Base64URL.encode(assertion.clientDataJSON), "signature": Base64URL.encode(assertion.signature)]
    }

    @Test func aPersonSignsInWithTheirRegisteredCredentialAndEveryFormNeedsTheSessionsToken() async throws {
        try await Self.withClient(try await gateway()) { client, baseURL in
            var browser = Browser(client: client, base: baseURL)
            // Not signed in: the inbox sends people to sign in.
            let unsigned = try await browser.send(.GET, "/console/")
            #expect(unsigned.status == .seeOther)
            #expect(unsigned.headers["Location"] == ["/console/sign-in"])

            let page = try await browser.send(.GET, "/console/sign-in")
            #expect(page.status == .ok)
            let csp = try #require(page.headers["Content-Security-Policy"].first)
            #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"))
            #expect(page.headers["Referrer-Policy"] == ["no-referrer"])
            #expect(page.headers["X-Frame-Options"] == ["DENY"])
            #expect(!page.text.contains("<script>") && page.text.contains("<script src=\"/console/static/console.js\" defer></script>"))
            #expect(page.text.contains("Signing active (not frozen)"))
            let script = try await browser.send(.GET, "/console/static/console.js")
            #expect(script.status == .ok && script.headers["Content-Type"].first?.hasPrefix("text/javascript") == true)
            #expect(script.text.contains("custos/governance/"))

            // erin signs in with her credential over the challenge of this page.
            var erin = try #require(Self.genesis.authenticators["erin"])
            let challenge = try Self.hiddenValue("challenge", in: page.text)
            let assertion = erin.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin,
                                              challenge: try Self.signInChallenge(challenge))
            let signedIn = try await browser.send(.POST, "/console/sign-in", form: Self.assertionForm(assertion).merging(["challenge": challenge]) { a, _ in a })
            #expect(signedIn.status == .seeOther, "\(signedIn.text)")
            #expect(signedIn.headers["Location"] == ["/console/"])
            let cookie = try #require(signedIn.headers["Set-Cookie"].first { $0.hasPrefix("custos_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Max-Age=900"))

            // The same challenge never signs in twice.
            var replay = Browser(client: client, base: baseURL, cookies: browser.cookies)
            replay.cookies["custos_session"] = nil
            let replayed = try await replay.send(.POST, "/console/sign-in", form: Self.assertionForm(assertion).merging(["challenge": challenge]) { a, _ in a })
            #expect(replayed.status == .badRequest)

            let inbox = try await browser.send(.GET, "/console/")
            #expect(inbox.status == .ok)
            #expect(inbox.text.contains("Signed in as <strong id=\"signed-in-user\">erin</strong>"))
            #expect(inbox.text.contains("Nothing is waiting for approvals."))

            // A form without the session's token, or from another origin, is refused.
            let forged = try await browser.send(.POST, "/console/operations/op-1/decision", form: ["act": "approve", "csrf": "guess"])
            #expect(forged.status == .forbidden)
            let token = try Self.hiddenValue("csrf", in: inbox.text)
            let elsewhere = try await browser.send(.POST, "/console/sign-out", form: ["csrf": token], origin: "https://evil.example")
            #expect(elsewhere.status == .forbidden)
            let signedOut = try await browser.send(.POST, "/console/sign-out", form: ["csrf": token])
            #expect(signedOut.status == .seeOther)
            #expect(try await browser.send(.GET, "/console/").status == .seeOther)
        }
    }

    /// What the page's script signs for the sign-in nonce `encoded` (base64url): a tagged hash of
    /// the cluster's genesis digest and the nonce, never the server's bytes as they are.
    static func signInChallenge(_ encoded: String) throws -> [UInt8] {
        Hashes.tagged("custos/console/sign-in", genesis.document.digest, try #require(Base64URL.decode(encoded)))
    }

    /// A sign-in signed over the server's nonce itself (what a gateway could pass off as an
    /// approval's challenge) is refused.
    @Test func aSignInOverTheServersBytesAsTheyAreIsRefused() async throws {
        try await Self.withClient(try await gateway()) { client, baseURL in
            var browser = Browser(client: client, base: baseURL)
            let page = try await browser.send(.GET, "/console/sign-in")
            var erin = try #require(Self.genesis.authenticators["erin"])
            let challenge = try Self.hiddenValue("challenge", in: page.text)
            let assertion = erin.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin,
                                              challenge: try #require(Base64URL.decode(challenge)))
            let refused = try await browser.send(.POST, "/console/sign-in", form: Self.assertionForm(assertion).merging(["challenge": challenge]) { a, _ in a })
            #expect(refused.status == .unauthorized)
        }
    }

    @Test func anAuthenticatorThatDoesNotVerifyThePersonCannotSignIn() async throws {
        try await Self.withClient(try await gateway()) { client, baseURL in
            var browser = Browser(client: client, base: baseURL)
            let page = try await browser.send(.GET, "/console/sign-in")
            var frank = try #require(Self.genesis.authenticators["frank"])
            let challenge = try Self.hiddenValue("challenge", in: page.text)
            let assertion = frank.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin,
                                               challenge: try Self.signInChallenge(challenge), userVerified: false)
            let refused = try await browser.send(.POST, "/console/sign-in", form: Self.assertionForm(assertion).merging(["challenge": challenge]) { a, _ in a })
            #expect(refused.status == .unauthorized)
            #expect(refused.text.contains("UV flag is not set"))
            #expect(browser.cookies["custos_session"] == nil)
        }
    }
}
