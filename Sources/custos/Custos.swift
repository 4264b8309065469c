import ArgumentParser
import CustosCore

/// The one Custos executable: operators' and admins' commands.
@main
struct Custos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custos",
        abstract: "Custos: threshold signing with a distributed policy engine.",
        version: CustosVersion.current,
        subcommands: [Demo.self, DevCommand.self, ClusterCommand.self, OperationCommand.self, VaultCommand.self, RequestCommand.self, PriceCommand.self, ExecutorCommand.self, WatcherCommand.self, NodeCommand.self, GatewayCommand.self, PolicyCommand.self, AuditCommand.self, InventoryCommand.self, AlertsCommand.self, AccessCommand.self, UserCommand.self, DrillCommand.self, OfflineCommand.self]
    )
}
