import ArgumentParser
import Foundation
import GoalLedgerCore
import GoalLedgerStore
import GoalLedgerWeb

extension Language: ExpressibleByArgument {}

struct WebOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Page language: da (default) or en; a page's ?lang= overrides it.", valueName: "lang"))
    var lang: Language = .da

    @Option(name: .customLong("accessibility-statement"), help: ArgumentHelp(
        "URL of the municipality's accessibility statement, linked in every page's footer.", valueName: "URL"))
    var accessibilityStatement: String?
}

extension GoalLedgerCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the ledger as web pages and JSON, read-only.",
            discussion: """
                Opens the ledger read-only and answers GET requests: / (the plans), \
                /e/ID (an entity, its history and its target chart), /audit, /verify, \
                /api/... (the same JSON as --json) and /api/openapi.json. Every page \
                takes ?as-of= and ?known-at= like the commands, and ?lang=da|en. \
                Prints "listening on http://HOST:PORT" on stderr when ready; \
                Ctrl-C (SIGINT) or SIGTERM stops it.
                  goalledger serve                 # http://127.0.0.1:8080
                  goalledger serve --port 0        # any free port
                  goalledger serve --lang en --host 0.0.0.0 --port 8000
                """)
        @OptionGroup var ledger: LedgerOptions
        @Option(help: ArgumentHelp("Address to listen on (default: 127.0.0.1, this machine only).", valueName: "host"))
        var host = "127.0.0.1"
        @Option(help: ArgumentHelp("Port (default: 8080; 0 picks a free one).", valueName: "port"))
        var port = 8080
        @OptionGroup var web: WebOptions

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        }

        func run() async throws {
            let pool: LedgerPool
            do {
                pool = try LedgerPool(path: ledger.path)
            } catch let error as LedgerError {
                printError(error.message)
                throw ExitCode(error.exitCode)
            }
            let app = WebApp(pool: pool, defaultLanguage: web.lang, accessibilityStatement: web.accessibilityStatement)
            do {
                try await WebServer.run(app, host: host, port: port) { host, port in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    note("listening on http://\(shown):\(port)")
                }
            } catch {
                let text = "\(error)"
                printError(text.contains("Address already in use")
                           ? "cannot serve on \(host):\(port): the port is in use; "
                               + "choose another with --port (0 picks a free one)"
                           : "cannot serve on \(host):\(port): \(text)")
                throw ExitCode(1)
            }
        }
    }

    struct Site: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the web pages as a static site, for any web host or file://.",
            discussion: """
                Writes index.html, e/ID/index.html for every entity, audit/, verify/, the \
                CSV files, ledger.ndjson (the export) and head.txt into DIR, with relative \
                links. --years adds a copy per year end under as-of/YYYY/, linked from \
                every page, since a static host cannot answer a new date.
                  goalledger site --out public
                  goalledger site --out public --years --lang en
                  goalledger site --out site-2018 --as-of 2018
                """)
        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var time: TimeOptions
        @Option(help: ArgumentHelp("Folder to write (created if missing; files in it are replaced).", valueName: "dir"))
        var out: String
        @Flag(help: "Also write one copy per year end of the ledger's span (as-of/YYYY/).") var years = false
        @OptionGroup var web: WebOptions

        func run() throws {
            try runCommand {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), !isFolder.boolValue {
                    throw LedgerError.failure("--out \(out) is a file; give a folder to write the site into")
                }
                let (opened, point) = (try ledger.open(.read), try time.point)
                let options = SiteWriter.Options(out: out, point: point, language: web.lang,
                                                 accessibilityStatement: web.accessibilityStatement, years: years)
                let report: SiteWriter.Report
                do {
                    report = try SiteWriter.write(opened, options)
                } catch let error as LedgerError {
                    throw error
                } catch {
                    throw LedgerError.failure("cannot write the site to \(out): \(error.localizedDescription)")
                }
                Out.print(TextRender.site(report, out: out))
            }
        }
    }
}
