import ArgumentParser
import CustosClusterAPI
import CustosState

extension VaultCommand {
    /// `custos vault address …`: record labelled addresses of a vault (a governed operation:
    /// every node derives the address itself) and list them.
    struct AddressCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "address", abstract: "Record and list a vault's addresses (derived from its key by every node).",
            subcommands: [New.self, List.self])

        struct New: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Propose a labelled address of an active vault; once the quorum approves, every node derives and records it.")

            @OptionGroup var proposing: Proposing
            @Option(help: "evm (ecdsa-secp256k1 vaults), bitcoin, bitcoin-testnet or bitcoin-regtest (frost-taproot), solana (frost-ed25519).")
            var chain: String
            @Option(help: "A label, unique within the vault (1 to 64 printable ASCII characters).") var label: String
            @Option(help: "The non-hardened derivation path below the vault key, e.g. 0/5 (at most 8 levels); default: the vault key itself.")
            var path: String = "m"
            @Argument(help: "The vault id.") var vault: String

            func run() async throws {
                try await proposing.propose(.addVaultAddress(vault: vault, label: label, chain: try vaultChain(chain),
                                                             path: try derivationPath(path)))
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List a vault's addresses: the vault key's own, then the recorded ones.")
            @OptionGroup var lookup: Lookup

            func run() async throws {
                guard let addresses: [VaultAddressView] = try await lookup.fetch("/addresses") else { return }
                guard !addresses.isEmpty else { print("no addresses: the vault is not active"); return }
                AddressCommand.printAddresses(addresses)
            }
        }

        /// The addresses as aligned columns, `indent` before each line.
        static func printAddresses(_ addresses: [VaultAddressView], indent: String = "") {
            printTable(header: [indent + "LABEL", "CHAIN", "PATH", "ADDRESS"], rows: addresses.map { a in
                [indent + (a.label.map(printable) ?? "(vault key)"), a.chain, a.path, a.address]
            })
        }
    }
}
