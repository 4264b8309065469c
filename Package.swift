// swift-tools-version: 6.1
import PackageDescription

/// One set of settings for every Custos target: Swift 6 mode, explicit existentials,
/// explicit imports, no warnings, and cross-module optimization in release builds.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .unsafeFlags(["-warnings-as-errors"]),
    // Lets generic protocol code (FROST over a ciphersuite) be specialized in its callers.
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

/// The arithmetic modules (field and scalar limbs, group operations, the MPC rounds) are
/// optimized in debug builds too: unoptimized, their fixed-size limb arrays are zeroed and
/// bounds-checked on every multiplication, and the clusters `make test` starts from the debug
/// build spent a sixth of their busy CPU there (presigning's scalar inversions, in the vault
/// signing suite). The code is the same in both configurations (no `assert`, no `#if DEBUG`);
/// only its speed differs.
let arithmeticSettings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

let package = Package(
    name: "Custos",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "custos", targets: ["custos"]),
        .executable(name: "custos-bench", targets: ["custos-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // TLS to PostgreSQL with certificate verification (already resolved through postgres-nio).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // WebAuthn attestation certificates (packed, fido-u2f) checked against the genesis's roots.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // System libraries from Debian: libsecp256k1-dev (0.2.0), libsodium-dev (1.0.18).
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        // The PKCS#11 interface (Debian's libp11-kit-dev headers); modules are loaded at run time.
        .systemLibrary(
            name: "CPKCS11",
            pkgConfig: "p11-kit-1",
            providers: [.apt(["libp11-kit-dev"])]
        ),
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),

        // What every layer shares: the error shape, the canonical binary codec, hex and JSON.
        // Pure, no dependencies.
        .target(
            name: "CustosCore",
            swiftSettings: swiftSettings
        ),

        // Scalars, points, hashes and secret bytes.
        .target(
            name: "CustosCrypto",
            dependencies: [
                "CustosCore",
                "CSecp256k1",
                "CSodium",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: arithmeticSettings
        ),
        // Shamir/Feldman, DKG, FROST, refresh and reshare: pure state machines, no I/O.
        .target(
            name: "CustosMPC",
            dependencies: ["CustosCore", "CustosCrypto"],
            swiftSettings: arithmeticSettings
        ),

        // EVM encoding, decoding, signing hashes and intents, and address encodings (Bech32m,
        // Base58): pure, no I/O.
        .target(
            name: "CustosChains",
            dependencies: [
                "CustosCore",
                "CustosCrypto",
                .product(name: "BigInt", package: "BigInt"),
            ],
            swiftSettings: swiftSettings
        ),
        // JSON-RPC client for EVM nodes (the only I/O for chains).
        .target(
            name: "CustosChainsRPC",
            dependencies: [
                "CustosCore",
                "CustosChains",
                "CustosCrypto",
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // Policy documents, the expression language, the evaluator and static checks: pure logic,
        // no I/O, no clock, no floating point.
        .target(
            name: "CustosPolicy",
            dependencies: ["CustosCore", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),

        // The replicated log: cluster configuration, blocks, votes, quorum certificates, the node's
        // safety rules, the gateway's sequencer and offline audit — pure state machines, no I/O,
        // no clock (time is passed in).
        .target(
            name: "CustosLedger",
            dependencies: [
                "CustosCore",
                "CustosCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // A signer node's durable state (SQLite through GRDB), its configuration, and the sealing
        // of its keys and secrets.
        .target(
            name: "CustosNode",
            dependencies: [
                "CustosCore",
                "CustosCrypto",
                "CSodium",
                "CPKCS11",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        // SLIP-39 mnemonic shares (pure), and the encrypted node backups whose key they split
        // (a node's keys and vault shares, restored under a new seal).
        .target(
            name: "CustosBackup",
            dependencies: ["CustosCore", "CustosCrypto", "CustosNode", "CSodium", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),

        // Where a node signs: the steps that record a one-time secret's use (FROST nonce, ECDSA
        // presignature) in the node's database before its share leaves the node.
        .target(
            name: "CustosSigning",
            dependencies: ["CustosCore", "CustosCrypto", "CustosLedger", "CustosMPC", "CustosNode", "CustosPolicy", "CustosState"],
            swiftSettings: swiftSettings
        ),

        // WebAuthn (CBOR, COSE keys, registration with attestation, assertions), software
        // credentials for development, and bot request signing over RFC 8785 canonical JSON: pure,
        // no I/O, no clock.
        .target(
            name: "CustosIdentity",
            dependencies: [
                "CustosCore",
                "CustosCrypto",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),

        // The replicated state every node keeps, by room: State/ (the composition, genesis, the
        // transition over log entries, the digest, admission), Governance/ (people, credentials,
        // roles, bots, policy, freeze, membership, operations), Requests/ (where a transfer or
        // call request is verified and decided) and Vaults/ (key ceremonies as the log records
        // and checks them, and the addresses derived from vault keys). Pure: no I/O, no clock
        // (time is the block's).
        .target(
            name: "CustosState",
            dependencies: [
                "CustosCore",
                "CustosPolicy", "CustosIdentity", "CustosLedger", "CustosCrypto", "CustosMPC", "CustosChains",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "BigInt", package: "BigInt"),
            ],
            swiftSettings: swiftSettings
        ),

        // The air-gapped signer (#15 item 3): its QR transport (framing pure, images through
        // qrencode/zbarimg), its sealed store and the checks it makes before it answers.
        .target(
            name: "CustosOffline",
            dependencies: [
                "CustosCore", "CustosCrypto", "CustosMPC", "CustosState", "CustosNode", "CustosClusterAPI",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // The JSON shapes nodes and the gateway exchange, and the cluster file (public data only).
        .target(
            name: "CustosClusterAPI",
            dependencies: ["CustosCore", "CustosCrypto", "CustosLedger", "CustosState", "CustosIdentity", "CustosPolicy", "CustosChains",
                           "CustosChainsRPC", .product(name: "BigInt", package: "BigInt")],
            swiftSettings: swiftSettings
        ),
        // The gateway service: HTTP API (Hummingbird, loopback), the sequencer's durable store
        // (SQLite through GRDB, or PostgreSQL through postgres-nio for several gateways sharing
        // one database) and the node-facing proposal/vote/block endpoints.
        .target(
            name: "CustosGateway",
            dependencies: [
                "CustosCore",
                "CustosState",
                "CustosIdentity",
                "CustosPolicy",
                "CustosLedger",
                "CustosClusterAPI",
                "CustosCrypto",
                "CustosChainsRPC",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // HTTPS for the API and the console in production.
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // The approver's console: server-rendered pages from Mustache templates.
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Console/Resources")],
            swiftSettings: swiftSettings
        ),
        // The signer node service: outbound HTTP to the gateway, vote durability, commit and catch-up,
        // and its vault work over the relay (key ceremonies, nonce pools, signature shares).
        .target(
            name: "CustosNodeService",
            dependencies: [
                "CustosCore",
                // A node's own chain endpoints, to read receipts itself (`ReceiptChecker`).
                "CustosChainsRPC",
                .product(name: "Hummingbird", package: "hummingbird"),
                "CustosState",
                "CustosLedger",
                "CustosClusterAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                "CustosNode",
                "CustosSigning",
                "CustosCrypto",
                "CustosMPC",
                "CustosPolicy",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The gateway's CA for HTTPS (CUSTOS_GATEWAY_CA).
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Locating vectors and running Python test peers; linked by test targets only.
        .target(
            name: "CustosTestSupport",
            dependencies: ["CustosCore"],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "custos",
            dependencies: [
                "CustosCore",
                "CustosCrypto",
                "CustosMPC",
                "CustosPolicy",
                "CustosChains",
                "CustosLedger",
                "CustosNode",
                "CustosGateway",
                "CustosNodeService",
                "CustosClusterAPI",
                "CustosState",
                "CustosIdentity",
                "CustosChainsRPC",
                "CustosBackup",
                "CustosOffline",
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "custos-bench",
            dependencies: [
                "CustosCore",
                "CSecp256k1", "CSodium", "CustosCrypto", "CustosMPC", "CustosChains", "CustosPolicy",
                "CustosLedger", "CustosClusterAPI", "CustosIdentity",
                // The signing workload: request entries and vault signature entries in committed blocks.
                "CustosState",
                .product(name: "BigInt", package: "BigInt"),
                .product(name: "Crypto", package: "swift-crypto"),
                // The end-to-end cluster benchmark: HTTP load and an fsync'd SQLite baseline.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "CustosCoreTests",
            dependencies: ["CustosCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosCryptoTests",
            dependencies: [
                "CustosCore",
                "CustosCrypto", "CSecp256k1", "CSodium", "CustosTestSupport",
                .product(name: "BigInt", package: "BigInt"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosMPCTests",
            dependencies: ["CustosCore", "CustosMPC", "CustosCrypto", "CSecp256k1", "CSodium", "CustosTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosChainsTests",
            dependencies: [
                "CustosCore",
                "CustosChains", "CustosChainsRPC", "CustosCrypto", "CustosTestSupport",
                .product(name: "BigInt", package: "BigInt"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosIdentityTests",
            dependencies: [
                "CustosCore",
                "CustosIdentity", "CustosCrypto", "CustosTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosPolicyTests",
            dependencies: ["CustosCore", "CustosPolicy", "CustosTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosLedgerTests",
            dependencies: [
                "CustosCore",
                "CustosLedger", "CustosCrypto", "CustosTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosOfflineTests",
            dependencies: ["CustosCore", "CustosOffline", "CustosCrypto", "CustosMPC", "CustosState", "CustosTestSupport",
                           "CustosClusterAPI", "CustosIdentity", "CustosLedger", "CustosNode",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosStateTests",
            dependencies: [
                "CustosCore",
                "CustosState", "CustosPolicy", "CustosIdentity", "CustosLedger", "CustosCrypto", "CustosMPC", "CustosNode", "CustosSigning",
                "CustosChains", "CustosTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "BigInt", package: "BigInt"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosServicesTests",
            dependencies: [
                "CustosCore",
                "CustosLedger", "CustosCrypto", "CustosTestSupport", "CustosClusterAPI", "CustosGateway",
                "CustosNodeService", "CustosNode", "CustosState", "CustosIdentity", "CustosSigning",
                // A create-vault sample with an offline enrolment (ConsoleFieldTests) makes an additive key.
                "CustosMPC",
                .product(name: "Logging", package: "swift-log"),
                // The relay's tests: a gateway served in process, and its SQLite rows read directly.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                // The OpenAPI document's tests: the routes as registered, and the document as YAML.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "BigInt", package: "BigInt"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosNodeTests",
            dependencies: ["CustosCore", "CustosNode", "CustosCrypto", "CustosMPC", "CustosTestSupport", "CSodium",
                           .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosBackupTests",
            dependencies: ["CustosCore", "CustosBackup", "CustosCrypto", "CustosNode", "CustosTestSupport",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustosSigningTests",
            dependencies: ["CustosCore", "CustosSigning", "CustosNode", "CustosCrypto", "CustosMPC"],
            swiftSettings: swiftSettings
        ),
    ]
)
