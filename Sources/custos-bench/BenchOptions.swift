/// The command line of `custos-bench`: the areas to run (all but the `-profile` ones when none
/// is named) and the end-to-end workloads' settings. Bad input ends the program with a one-line
/// message and exit status 2.
struct BenchOptions: Sendable {
    var areas: [String] = []
    /// How long the signing workload submits requests, in seconds.
    var duration = 60.0
    /// Concurrent submitters, each waiting for its signature before it submits again.
    var submitters = 8
    /// Signatures per second all submitters together start at most; nil for no limit.
    var rate: Double?
    /// The schemes the signing workload runs, one after the other (`SigningScheme.name`).
    var schemes = ["frost-ed25519"]
    /// FROST nonce commitments each node keeps in each vault's pool (`custos node run --nonce-pool-depth`).
    var poolDepth = 64
    /// The Python that runs the local EVM chain for the ERC-20 workload (the repository's virtual environment).
    var python = ".venv/bin/python"

    static let usage = """
        usage: custos-bench [AREA ...] [--duration SECONDS] [--submitters N] [--rate PER_SECOND]
                            [--schemes SCHEME,...] [--pool-depth N] [--python PATH]
        areas: frost, frost-profile, ecdsa, evm, policy, watch, ledger, cluster, signing, erc20 (all but *-profile by default;
               signing and erc20 share one cluster; --duration and --submitters are each one's)
        schemes: \(SigningScheme.all.map(\.name).joined(separator: ", "))
        """

    init(arguments: [String]) throws(BenchError) {
        var rest = arguments[...]
        func value(_ flag: String) throws(BenchError) -> String {
            guard let next = rest.popFirst() else { throw BenchError("\(flag) needs a value\n\(Self.usage)") }
            return next
        }
        func number(_ flag: String, atLeast minimum: Double) throws(BenchError) -> Double {
            let text = try value(flag)
            guard let parsed = Double(text), parsed.isFinite, parsed >= minimum else {
                throw BenchError("\(flag): \(text) is not a number of at least \(formatFixed(minimum, digits: 0))")
            }
            return parsed
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--duration": duration = try number(argument, atLeast: 1)
            case "--submitters": submitters = Int(try number(argument, atLeast: 1))
            case "--rate": rate = try number(argument, atLeast: 1)
            case "--pool-depth": poolDepth = Int(try number(argument, atLeast: 1))
            case "--python": python = try value(argument)
            case "--schemes":
                schemes = try value(argument).split(separator: ",").map(String.init)
                for name in schemes where SigningScheme.named(name) == nil {
                    throw BenchError("--schemes: no scheme \(name)\n\(Self.usage)")
                }
            case "-h", "--help": throw BenchError(Self.usage)
            default:
                guard !argument.hasPrefix("-") else { throw BenchError("unknown option \(argument)\n\(Self.usage)") }
                areas.append(argument)
            }
        }
    }

    /// Whether the area named `name` runs.
    func runs(_ name: String) -> Bool {
        areas.isEmpty ? !name.hasSuffix("-profile") : areas.contains(name)
    }
}
