import CustosIdentity
import Foundation

/// A WebAuthn registration as a browser's `PublicKeyCredential.toJSON()` writes it (`rawId` and
/// `response.attestationObject`, `response.clientDataJSON`, base64url): what a person's real
/// authenticator made for `custos cluster init --production` or `custos op enrol`.
struct RegistrationFile: Decodable {
    struct Response: Decodable {
        let attestationObject: String
        let clientDataJSON: String
    }

    let rawId: String
    let response: Response

    /// The registration in `path`; a file that does not hold one ends the command.
    static func load(_ path: String) -> WebAuthnRegistration.Response {
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read the registration \(path)") }
        let file: RegistrationFile
        do { file = try JSONDecoder().decode(RegistrationFile.self, from: data) } catch {
            fail("\(path) is not a WebAuthn registration (PublicKeyCredential JSON): \(error)")
        }
        guard let id = Base64URL.decode(file.rawId), let object = Base64URL.decode(file.response.attestationObject),
              let clientData = Base64URL.decode(file.response.clientDataJSON) else {
            fail("\(path): rawId, attestationObject and clientDataJSON are base64url")
        }
        return WebAuthnRegistration.Response(credentialId: id, attestationObject: object, clientDataJSON: clientData)
    }
}
