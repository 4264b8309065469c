import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosState
import Foundation

/// `custos audit verify FILE`: checks an exported log offline — the cluster configuration,
/// the hash chain from the genesis digest, every quorum certificate and every vote signature
/// (with the voting members in force at each height) — and, when the cluster has a genesis
/// document, replays the governed state from genesis (every WebAuthn assertion, bot signature,
/// node's ceremony entry and signature verified again; an entry its signer did not sign fails
/// its block) and lists the vaults it made. Reports the first failing height, and there the
/// entry. `--trust-height/--trust-hash` and `--head` pin blocks the auditor trusts, so that a
/// long-range fork certified by retired keys is refused. Export a node's log with `custos node export`.
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

        @OptionGroup var trust: TrustAnchorOptions

        @Option(help: "The hash (hex) the chain's last block must have.")
        var head: String?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                Self.fail("\(file): cannot read the file")
            }
            var expected: LedgerHash? = nil
            if let genesis {
                do { expected = try LedgerHash(hex: genesis) } catch { Self.fail("--genesis: \(error)") }
            }
            let trusted = trust.anchor()
            var expectedHead: LedgerHash? = nil
            if let head {
                do { expectedHead = try LedgerHash(hex: head) } catch { Self.fail("--head: \(error.reason)") }
            }
            // The governed state decides membership changes; it is replayed alongside the audit,
            // and an entry its signer did not sign fails the block that carries it.
            var governance: AuditReplay?
            if let configuration = try? ChainExport.configuration(serialized: Array(data)) {
                // A genesis that decodes but is refused is a failure; one that is not a governance
                // genesis at all leaves only the log to check (said below).
                do { governance = try AuditReplay(configuration: configuration) } catch {
                    Self.fail("\(file): the genesis document is refused: \(error.reason)")
                }
            }
            let result = ChainAudit.verify(serialized: Array(data), expectedGenesis: expected, trusted: trusted,
                                           expectedHead: expectedHead) { block throws(ChainAudit.Failure) in
                try governance?.apply(block)
            }
            switch result {
            case .valid(let digest, let head):
                print("valid: \(head.height) blocks, head \(head.hash), genesis \(digest)")
                if let trusted { print("block \(trusted.height) is the trusted \(trusted.hash)") }
                if governance == nil { print("no governance genesis document: the governed state was not replayed") }
                if let governance = governance?.state {
                    print("governed state \(governance.digest.hexString): \(governance.users.count) people, policy version \(governance.policyVersion), \(governance.operations.count) operations, \(governance.refusals.count) refused entries, \(governance.members.count) voting members (member-set fingerprint \(OfflineMembers.fingerprint(of: governance.members)))")
                    // Every ceremony entry was checked again in the replay: the members'
                    // signatures, each proof of knowledge, the key the packages make.
                    for id in governance.vaults.keys.sorted() {
                        let v = governance.vaults[id]!
                        let key = v.key.map { " key \($0.groupKey.hexString)" } ?? ""
                        print("vault \(id) \(v.scheme.rawValue) \(v.status.rawValue) at epoch \(v.epoch), \(v.ceremony.participants.count) participants, \(v.ceremony.confirmations.count) confirmations\(key)")
                    }
                    let signed = governance.signing.values.filter { $0.status == .signed }.count
                    if !governance.signing.isEmpty { print("\(signed) signatures verified under their vaults' keys") }
                }
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
