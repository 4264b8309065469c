/// The console's templates and static files were not found where a build puts them.
struct ConsoleResourcesMissing: Error, CustomStringConvertible {
    let searched: [String]
    var description: String {
        "no \(Console.bundleName)/Resources in \(searched.joined(separator: ", ")); set CUSTOS_CONSOLE_RESOURCES"
    }
}
