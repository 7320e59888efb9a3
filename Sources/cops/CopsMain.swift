import CopsCommandLine

/// The `cops` executable: which reader takes a command line is decided in CopsCommandLine.
@main
enum CopsMain {
    static func main() async {
        await CopsProgram.main(Array(CommandLine.arguments.dropFirst()))
    }
}
