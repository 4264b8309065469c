import CustosCore
import CustosCrypto
import CustosIdentity
import Testing

/// The relying party the tests verify for.
enum Fixture {
    static let rpId = "custos.example.com"
    static let origin = "https://custos.example.com"
    static let development = RelyingParty(id: rpId, allowedOrigins: [origin], mode: .development)
    static let production = RelyingParty(id: rpId, allowedOrigins: [origin], mode: .production)

    /// The digest of the request being approved: what the challenge must equal.
    static func challenge(_ label: String) -> [UInt8] { Hashes.sha256(Array(label.utf8)) }

    /// A registered software authenticator and its stored credential (development relying party).
    static func registered() throws -> (SoftwareAuthenticator, StoredCredential) {
        let authenticator = SoftwareAuthenticator.generate()
        let challenge = challenge("register")
        let response = authenticator.register(relyingPartyId: rpId, origin: origin, challenge: challenge)
        let credential = try WebAuthnRegistration.verify(
            response, expectedChallenge: challenge, relyingParty: development, requireUserVerification: true)
        return (authenticator, credential)
    }
}

/// Runs `body` and returns the code of the `WebAuthnError` it throws; fails if it throws nothing.
func webAuthnCode<T>(_ body: () throws(WebAuthnError) -> T) -> WebAuthnError.Code? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}

func cborCode(_ bytes: [UInt8], _ decoder: CBORDecoder = CBORDecoder()) -> CBORError.Code? {
    do {
        _ = try decoder.decode(bytes)
        return nil
    } catch {
        return error.code
    }
}

func jsonCode(_ text: String, _ parser: JSONParser = JSONParser()) -> JSONError.Code? {
    do {
        _ = try parser.parse(Array(text.utf8))
        return nil
    } catch {
        return error.code
    }
}

extension Array where Element == UInt8 {
    /// Hex literal for tests; traps on bad hex, which is a bug in the test itself.
    init(h: String) { self = try! [UInt8](hex: h) }
}
