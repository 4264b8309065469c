import ArgumentParser
import CustosCore
import CustosLedger
import CustosOffline
import CustosState
import Foundation

extension OfflineCommand {
    /// `custos offline update-cluster`: trust the cluster's current voting members after a
    /// membership change (review A-H1), keeping the identity key, the vault keys and the answer
    /// records. Without it a signer set up before the change refuses every bundle, and setting it
    /// up again would make new vault keys that no vault holds.
    struct UpdateCluster: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update-cluster",
            abstract: "Trust the members in a newer cluster file of the same cluster; keys and answer records stay.",
            discussion: """
                The file must be of the cluster this signer trusts (same governance genesis, name and genesis time). \
                The members added and removed and the new member-set fingerprint are shown; compare the fingerprint \
                with the one `custos audit verify --genesis LEDGER-GENESIS EXPORT` prints for a chain export taken on a \
                signer node (not one the gateway serves) before you confirm. A file that keeps fewer than a quorum of the \
                trusted members is refused unless --allow-replace-quorum is given, even with --yes.
                """)
        @OptionGroup var directory: Directory
        @Option(help: "The cluster file naming the cluster's current voting members.") var cluster: String
        @Flag(help: "Update without asking for confirmation.") var yes = false
        @Flag(help: "Accept a member set that keeps fewer than a quorum of the trusted members (asked for even with --yes).")
        var allowReplaceQuorum = false

        func run() throws {
            let store = directory.store()
            do {
                let updated = try store.updateCluster(from: URL(fileURLWithPath: cluster)) { update in
                    OfflineCommand.describe(update, cluster: store.trust)
                    // Most votes would come from members this signer never saw: only on purpose
                    // (review helper-143 M1).
                    if update.kept < update.previousQuorum, !allowReplaceQuorum {
                        print("refused: \(update.kept) of the trusted members stay, fewer than their quorum of \(update.previousQuorum); "
                              + "give --allow-replace-quorum only for a change you followed on the cluster itself")
                        return false
                    }
                    return yes || OfflineCommand.confirm("trust these members?")
                }
                print("the signer trusts \(updated.trust.n) members now (fingerprint \(OfflineMembers.fingerprint(of: updated.trust.members)))")
            } catch { fail(error.reason) }
        }
    }

    /// The change of members, for the person at the machine.
    static func describe(_ update: OfflineSignerStore.ClusterUpdate, cluster: ClusterConfiguration) {
        print("cluster:  \(cluster.name)")
        print("members:  \(update.previousFingerprint) now (\(cluster.n) members)")
        print("          \(update.fingerprint) after the update (\(update.trust.n) members)")
        print("")
        printTable(header: ["CHANGE", "MEMBER", "IDENTITY KEY"],
                   rows: update.added.map { ["added", $0.id.rawValue, OfflineMembers.keyFingerprint(of: $0)] }
                       + update.removed.map { ["removed", $0.id.rawValue, OfflineMembers.keyFingerprint(of: $0)] })
        print("")
        if update.kept < update.previousQuorum {
            print("WARNING: only \(update.kept) of the members trusted now stay, fewer than their quorum of \(update.previousQuorum): "
                  + "most votes would come from members this signer has never seen. Confirm only a change you followed.")
        }
        print("Compare the fingerprint \(update.fingerprint) with the member-set fingerprint that "
              + "`custos audit verify --genesis \(cluster.genesisDigest.hex) EXPORT` prints for a chain export taken on a signer node "
              + "(the gateway and its console are not to be trusted for this).")
    }
}
