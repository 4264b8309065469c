import CustosCore
import CustosIdentity
import Foundation

extension BotKeyFile {
    /// The bot key file at `path` and its signing key; a one-line failure for a file that cannot
    /// be read or is not a bot key file.
    static func load(_ path: String) -> (file: BotKeyFile, key: BotSigningKey) {
        guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read the bot key file \(path)") }
        let file: BotKeyFile
        do { file = try JSONDecoder().decode(BotKeyFile.self, from: data) } catch { fail("\(path) is not a bot key file: \(error)") }
        do { return (file, try file.signingKey()) } catch { fail("\(path): \(error.reason)") }
    }
}
