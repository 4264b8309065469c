import ArgumentParser
import CustosLedger
import Foundation

/// `custos audit verify FILE`: checks an exported log offline — the cluster configuration,
/// the hash chain from the genesis digest, every quorum certificate and every vote signature —
/// and reports the first failing height.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify an exported log offline.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an exported chain: hash chain, certificates and every signature.")

        @Argument(help: "The exported chain file.")
        var file: String

        @Option(help: "The genesis digest (hex) you trust; without it, any self-consistent cluster verifies.")
        var genesis: String?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                Self.fail("\(file): cannot read the file")
            }
            var expected: LedgerHash? = nil
            if let genesis {
                do { expected = try LedgerHash(hex: genesis) } catch { Self.fail("--genesis: \(error)") }
            }
            switch ChainAudit.verify(serialized: Array(data), expectedGenesis: expected) {
            case .valid(let digest, let head):
                print("valid: \(head.height) blocks, head \(head.hash), genesis \(digest)")
            case .invalid(let failure):
                Self.fail("\(file): \(failure)")
            }
        }

        static func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(1)
        }
    }
}
