import CustosTestSupport
import Testing

/// The signing tests that inject no fault, on one cluster (`VaultSigningLoopbackTests.shared`:
/// both vaults, the risk bot, node-4 without its policy check; the offline-signing test adds a third). A suite of their own, so that
/// the shared cluster is stopped when they end and never runs beside a fault test's cluster.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct VaultSharedClusterLoopbackTests {
    let signing = VaultSigningLoopbackTests()

    /// `VaultSigningLoopbackTests.inventory`.
    @Test func theInventoryListsEveryKeyAndABotKeyRotatedThroughGovernance() async throws {
        try await signing.withSharedCluster { cluster in try await signing.inventory(cluster) }
    }

    /// `VaultSigningLoopbackTests.allowedAndDenied`.
    @Test func aBotsAllowedMessageIsSignedOnceAndADeniedOneNever() async throws {
        try await signing.withSharedCluster { cluster in try await signing.allowedAndDenied(cluster) }
    }

    /// `VaultSigningLoopbackTests.ecdsaSigning`.
    @Test func anECDSAVaultSignsMessagesEthAccountRecoversAndSignsWithOneNodeDown() async throws {
        try await signing.withSharedCluster { cluster in try await signing.ecdsaSigning(cluster) }
    }

    /// `VaultSigningLoopbackTests.offlineSigning`.
    @Test func aVaultWithAnOfflineShareSignsThroughQRImagesAndTheOfflineSigner() async throws {
        try await signing.withSharedCluster { cluster in try await signing.offlineSigning(cluster) }
    }
}
