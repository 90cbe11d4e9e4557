import ArgumentParser
import GoalLedgerCore
import GoalLedgerStore

#if canImport(Glibc)
import Glibc
#endif

extension GoalLedgerCommand {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the bundled seed ledgers (events/) and take a short guided tour.",
            discussion: """
                Imports events/*.ndjson (Ballerup, Vallensbæk, Albertslund) into the ledger, \
                then shows what it can answer. Running it again changes nothing: every seed \
                event has a stable id.
                  swift run goalledger demo
                  goalledger demo --db /tmp/demo.sqlite
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var writer: WriterOptions
        @Option(help: ArgumentHelp("Folder of seed ledgers (default: ./events).", valueName: "dir")) var events: String?

        /// The tour's subjects in the bundled data.
        static let vision = "ballerup/vision-2029"
        static let policy = "ballerup/erhverv-2021"
        static let goal = "ballerup/erhverv-2021/mal-3"
        static let earlierGoal = "ballerup/erhverv-2017/mal-3"

        func run() throws {
            try runCommand {
                let dir = try eventsDirectory()
                let files = try ndjsonFiles(in: dir)
                let opened = try ledger.open(.write)
                let context = try writer.context()
                section("Importing the bundled ledgers into \(ledger.path)")
                for file in files {
                    let (appended, skipped) = try importFile(file, into: opened, context: context)
                    Out.print("  \(file): \(appended) appended, \(skipped) skipped")
                }
                let mid2016 = try TimePoint(parsing: "2016-06"), after = try TimePoint(parsing: "2017")
                step(1, "Ballerup's Vision 2029 in mid-2016: a draft, and its process so far",
                     "goalledger show \(Self.vision) --as-of 2016-06")
                TextRender.show(try opened.show(Self.vision, at: PointInTime(asOf: mid2016))).forEach(Out.print)
                step(2, "What changed by 2017: the council adopted it, with its five themes",
                     "goalledger diff \(Self.vision) --from 2016-06 --to 2017")
                TextRender.diff(try opened.diff(Self.vision, from: mid2016, to: after)).forEach(Out.print)
                step(3, "The 2021 business policy: themes, tracks, initiatives, goals, targets",
                     "goalledger tree \(Self.policy)")
                TextRender.tree(try opened.tree(Self.policy)).forEach(Out.print)
                step(4, "One target's history: 2017's goal of 25 % in vocational education, missed",
                     "goalledger history \(Self.earlierGoal)")
                for row in try opened.history(Self.earlierGoal) {
                    TextRender.history(row, withStream: false).forEach(Out.print)
                }
                step(5, "Its successor: who set the 30 % target, when, on whose authority",
                     "goalledger audit --field target --stream \(Self.goal)")
                var filter = AuditFilter()
                filter.field = "target"
                filter.stream = Self.goal
                var count = 0
                try opened.audit(filter) { row in
                    TextRender.history(row, withStream: true).forEach(Out.print)
                    count += 1
                }
                Out.print(TextRender.eventCount(count))
                step(6, "The integrity check, and the digest to publish", "goalledger verify")
                TextRender.verify(try opened.verify()).forEach(Out.print)
                Out.print("")
                let sameDB = ledger.path == "goalledger.sqlite" ? "" : " (with the same --db)"
                Out.print("Web pages: goalledger serve\(sameDB)")
                Out.print("           then open http://127.0.0.1:8080 (Ctrl-C stops the server)")
                Out.print("Publish:   goalledger site --out public   (the same pages as files)")
                Out.print("Next: goalledger --help, docs/GUIDE.md, the README's \"Questions you can ask\".")
            }
        }

        func section(_ title: String) {
            Out.print(title)
        }

        func step(_ number: Int, _ title: String, _ command: String) {
            Out.print("")
            Out.print("── \(number). \(title)")
            Out.print("$ \(command)")
        }

        func eventsDirectory() throws -> String {
            if let events { return events }
            // ./events on a checkout; else the folder this executable was built from.
            var candidates = ["events"]
            let source = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
            candidates.append("/" + source + "/events")
            for candidate in candidates where isDirectory(candidate) { return candidate }
            throw LedgerError.notFound("no events/ folder here; run from the GoalLedger checkout or give --events DIR")
        }

        func isDirectory(_ path: String) -> Bool {
            var status = stat()
            return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
        }

        func ndjsonFiles(in dir: String) throws -> [String] {
            guard let directory = opendir(dir) else { throw LedgerError.notFound("cannot read \(dir)") }
            defer { closedir(directory) }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                    pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name.hasSuffix(".ndjson") { names.append(name) }
            }
            guard !names.isEmpty else { throw LedgerError.notFound("no .ndjson files in \(dir)") }
            return names.sorted().map { (dir.hasSuffix("/") ? dir : dir + "/") + $0 }
        }
    }
}
