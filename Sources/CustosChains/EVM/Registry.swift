import BigInt
import CustosCrypto

extension EVM {
    /// Everything the intent decoder knows beyond the transaction itself, passed in by the
    /// caller: the chain's native asset, the token registry and the address book. Built from
    /// committed state, so that every node renders the same intent.
    public struct Registry: Sendable {
        public var nativeSymbol: String
        public var nativeDecimals: Int
        public var tokens: [Address: TokenInfo]
        /// Address-book labels ("Binance hot wallet").
        public var labels: [Address: String]
        /// Names of AccessControl roles by their 32-byte id. Defaults to the common
        /// OpenZeppelin roles (DEFAULT_ADMIN_ROLE and keccak256 of MINTER_ROLE, …).
        public var roles: [[UInt8]: String]

        public init(
            nativeSymbol: String = "ETH", nativeDecimals: Int = 18, tokens: [Address: TokenInfo] = [:],
            labels: [Address: String] = [:], roles: [[UInt8]: String] = Registry.standardRoles
        ) {
            self.nativeSymbol = nativeSymbol
            self.nativeDecimals = nativeDecimals
            self.tokens = tokens
            self.labels = labels
            self.roles = roles
        }

        public static let standardRoles: [[UInt8]: String] = {
            var roles: [[UInt8]: String] = [[UInt8](repeating: 0, count: 32): "DEFAULT_ADMIN_ROLE"]
            for name in ["MINTER_ROLE", "BURNER_ROLE", "PAUSER_ROLE", "UPGRADER_ROLE", "ADMIN_ROLE", "OPERATOR_ROLE"] {
                roles[Keccak256.hash(Array(name.utf8))] = name
            }
            return roles
        }()

        /// How an address is shown: abbreviated with its label when the address book knows
        /// it, otherwise in full (an abbreviation of an unknown address invites
        /// look-alike-address attacks).
        public func display(_ address: Address) -> String {
            if let label = labels[address] { return "\(address.abbreviated) (\(label))" }
            return address.checksummed
        }

        /// A native amount: "1.50 ETH".
        public func nativeAmount(_ amount: BigUInt) -> String {
            "\(AmountFormatter.format(amount, decimals: nativeDecimals)) \(nativeSymbol)"
        }
    }
}
