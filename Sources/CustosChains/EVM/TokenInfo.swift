extension EVM {
    /// What a token contract is, as the organisation's registry says (never guessed from the
    /// chain at signing time).
    public struct TokenInfo: Hashable, Sendable {
        public enum Standard: Hashable, Sendable { case erc20, erc721 }
        public var symbol: String
        /// Decimals for ERC-20; ignored for ERC-721.
        public var decimals: Int
        public var standard: Standard

        public init(symbol: String, decimals: Int, standard: Standard = .erc20) {
            self.symbol = symbol
            self.decimals = decimals
            self.standard = standard
        }
    }
}
