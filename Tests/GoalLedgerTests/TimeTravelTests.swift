import Foundation
import GRDB
import Testing

/// Issue 3 acceptance: the queries of SPEC §3, §6, §7 through the real binary, with exact values.
@Suite struct TimeTravelTests {
    /// The Ballerup policy recorded in 2017, a revision in 2021, a backdated
    /// revision recorded in 2023 for 2019, and a retraction in 2024.
    func ledger() throws -> CLI {
        var cli = try CLI()
        cli.env["GOALLEDGER_CLOCK"] = "2017-10-01T09:00:00Z"
        try cli.importText(Fixture.policy)
        cli.env["GOALLEDGER_CLOCK"] = "2021-06-23T09:00:00Z"
        try cli.importText("""
            {"stream":"ballerup/erhverv-2017/mal-3","type":"TargetSet","effective":"2021-06-22","actor":"ballerup/kb","id":"t2","reason":"Ny politik 2021-2025","decision":"KB 22.06.2021 pkt. 7","data":{"value":30,"unit":"%","comparator":">=","deadline":"2025-12-31"}}
            {"stream":"ballerup/erhverv-2017/mal-4","type":"GoalDefined","effective":"2021-06-22","actor":"ballerup/kb","id":"g4","data":{"plan":"ballerup/erhverv-2017","label":"Mål 4","title":"Virksomheder i Ballerup bidrager mest til Danmarks BNP pr. indbygger"}}
            """, name: "2021.ndjson")
        cli.env["GOALLEDGER_CLOCK"] = "2023-03-01T09:00:00Z"
        try cli.importText("""
            {"stream":"ballerup/erhverv-2017/mal-3","type":"TargetSet","effective":"2019-01-15","actor":"ballerup/borgmester","id":"t-back","reason":"Glemt at registrere borgmesterens justering","decision":"KB 15.01.2019 pkt. 3","data":{"value":27,"unit":"%","comparator":">=","deadline":"2021-12-31"}}
            """, name: "2023.ndjson")
        return cli
    }

    func target(_ cli: CLI, _ args: [String]) throws -> Double? {
        let r = try cli.run(["show", "ballerup/erhverv-2017/mal-3", "--json"] + args)
        guard r.code == 0 else { return nil }
        let o = try cli.json(r) as? [String: Any]
        return ((o?["state"] as? [String: Any])?["target"] as? [String: Any])?["value"] as? Double
    }

    @Test func targetRevisedTwiceBeforeBetweenAndAfter() throws {
        let cli = try ledger()
        #expect(try target(cli, ["--as-of", "2017-09-25"]) == nil)
        #expect(try target(cli, ["--as-of", "2018"]) == 25)
        #expect(try target(cli, ["--as-of", "2020"]) == 27)
        #expect(try target(cli, ["--as-of", "2021-06-21"]) == 27)
        #expect(try target(cli, ["--as-of", "2021-06-22"]) == 30)
        #expect(try target(cli, []) == 30)
        let r = try cli.run(["show", "ballerup/erhverv-2017/mal-3", "--json", "--as-of", "2018"])
        let o = try #require(try cli.json(r) as? [String: Any])
        #expect(o["asOf"] as? String == "2018")
        #expect(o["knownAt"] is NSNull)
        #expect(o["version"] as? Int == 2)
        let last = try #require(o["lastChange"] as? [String: Any])
        #expect(last["type"] as? String == "TargetSet")
        #expect(last["effective"] as? String == "2017-09-26")
        #expect(last["recorded"] as? String == "2017-10-01T09:00:00.000000Z")
        #expect(last["actor"] as? String == "ballerup/kb")
        #expect(last["decision"] as? String == "KB 26.09.2017 pkt. 4")
        #expect(last["position"] as? Int == 6)
    }

    @Test func backdatedRevisionChangesThePastButNotWhatWasKnownBefore() throws {
        let cli = try ledger()
        #expect(try target(cli, ["--as-of", "2020"]) == 27)
        #expect(try target(cli, ["--as-of", "2020", "--known-at", "2023-02-28"]) == 25)
        #expect(try target(cli, ["--as-of", "2020", "--known-at", "2023-03-01T09:00:00Z"]) == 27)
    }

    @Test func retractionIsIgnoredFromItsRecordingButVisibleKnownAtEarlier() throws {
        var cli = try ledger()
        cli.env["GOALLEDGER_CLOCK"] = "2024-05-01T09:00:00Z"
        let r = try cli.run(["append", "--stream", "ballerup/erhverv-2017/mal-3", "--type", "Retracted", "--effective", "2024-05-01",
                             "--actor", "ballerup/kb", "--reason", "Justeringen blev aldrig vedtaget", "--data", #"{"event":"t-back"}"#])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(try target(cli, ["--as-of", "2020"]) == 25)
        #expect(try target(cli, ["--as-of", "2020", "--known-at", "2024-04"]) == 27)
        let history = try cli.run(["history", "ballerup/erhverv-2017/mal-3"])
        #expect(history.stdout.contains("#10  v4  TargetSet  (retracted by #11)"))
        #expect(history.stdout.contains("#11  v5  Retracted"))
        #expect(history.stdout.contains("    target.value: 27 → 25"))
    }

    @Test func entityBeforeItExistedIsNotFound() throws {
        let cli = try ledger()
        let r = try cli.run(["show", "ballerup/erhverv-2017/mal-4", "--as-of", "2020"])
        #expect(r.code == 3)
        #expect(r.stderr == "error: ballerup/erhverv-2017/mal-4 does not exist as of 2020\n")
        #expect(try cli.run(["show", "ballerup/erhverv-2017/mal-4", "--known-at", "2021-01"]).code == 3)
        #expect(try cli.run(["show", "ballerup/nowhere"]).code == 3)
        #expect(try cli.run(["show", "ballerup/erhverv-2017/mal-4", "--as-of", "2021-06-22"]).code == 0)
    }

    @Test func planTreeIn2018And2022() throws {
        let cli = try ledger()
        func tree(_ t: String) throws -> [String: Any] {
            try #require(try cli.json(try cli.run(["tree", "ballerup/erhverv-2017", "--as-of", t, "--json"])) as? [String: Any])
        }
        func ids(_ o: [String: Any], _ k: String) -> [String] { (o[k] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
        let t2018 = try tree("2018"), t2022 = try tree("2022")
        #expect(ids(t2018, "goals") == ["ballerup/erhverv-2017/mal-3"])
        #expect(ids(t2022, "goals") == ["ballerup/erhverv-2017/mal-3", "ballerup/erhverv-2017/mal-4"])
        #expect(ids(t2018, "themes") == ["ballerup/erhverv-2017/spor-2"])
        let plan = try #require(t2018["plan"] as? [String: Any])
        #expect((plan["state"] as? [String: Any])?["status"] as? String == "adopted")
        let goal2022 = try #require((t2022["goals"] as? [[String: Any]])?.first)
        #expect(((goal2022["state"] as? [String: Any])?["target"] as? [String: Any])?["value"] as? Double == 30)
        // Text output nests goals under their theme, with targets.
        let text = try cli.run(["tree", "ballerup/erhverv-2017", "--as-of", "2018"]).stdout
        #expect(text.contains("  theme spor-2  Spor 2: Arbejdskraft og arbejdsmarked\n    goal mal-3  Mål 3: 30 pct. af eleverne i folkeskolen vælger en\n"))
        #expect(text.contains("target ≥ 25 % by 2021-12-31"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test func diffOfAGoalBetweenTwoYears() throws {
        let cli = try ledger()
        let r = try cli.run(["diff", "ballerup/erhverv-2017/mal-3", "--from", "2018", "--to", "2022", "--json"])
        #expect(r.stdout == #"{"id":"ballerup/erhverv-2017/mal-3","from":"2018","to":"2022","changes":[{"field":"target.value","before":25,"after":30},{"field":"target.deadline","before":"2021-12-31","after":"2025-12-31"}]}"# + "\n")
        let plan = try cli.run(["diff", "ballerup/erhverv-2017", "--from", "2018", "--to", "2022", "--json"])
        let o = try #require(try cli.json(plan) as? [String: Any])
        let entities = try #require(o["entities"] as? [[String: Any]])
        #expect(entities.map { $0["id"] as? String } == ["ballerup/erhverv-2017/mal-3", "ballerup/erhverv-2017/mal-4"])
        #expect(entities.map { $0["change"] as? String } == ["changed", "added"])
    }

    @Test func auditFieldTargetListsEveryTargetChange() throws {
        let cli = try ledger()
        let r = try cli.run(["audit", "--field", "target", "--json"])
        let rows = try #require(try cli.json(r) as? [[String: Any]])
        #expect(rows.map { $0["position"] as? Int } == [6, 8, 10])
        #expect(rows.map { $0["actor"] as? String } == ["ballerup/kb", "ballerup/kb", "ballerup/borgmester"])
        #expect(rows.map { $0["decision"] as? String } == ["KB 26.09.2017 pkt. 4", "KB 22.06.2021 pkt. 7", "KB 15.01.2019 pkt. 3"])
        #expect(rows.map { $0["reason"] as? String } == [nil, "Ny politik 2021-2025", "Glemt at registrere borgmesterens justering"])
        #expect(rows.map { $0["stream"] as? String } == Array(repeating: "ballerup/erhverv-2017/mal-3", count: 3))
        let changes = rows.map { ($0["changes"] as? [[String: Any]])?.first { $0["field"] as? String == "target.value" } }
        #expect(changes.map { $0?["before"] as? Double } == [nil, 25, 25])
        #expect(changes.map { $0?["after"] as? Double } == [25, 30, 27])
        // Exact field and prefix both match; an unrelated field matches nothing.
        #expect(try cli.json(try cli.run(["audit", "--field", "target.value", "--json"])) as? [Any] != nil)
        #expect((try cli.json(try cli.run(["audit", "--field", "target.value", "--json"])) as? [Any])?.count == 3)
        #expect((try cli.json(try cli.run(["audit", "--field", "horizon", "--json"])) as? [Any])?.count == 1)
        #expect((try cli.json(try cli.run(["audit", "--field", "target", "--actor", "ballerup/borgmester", "--json"])) as? [Any])?.count == 1)
    }

    @Test func auditBackdatedThirtyDays() throws {
        let cli = try ledger()
        let rows = try #require(try cli.json(try cli.run(["audit", "--backdated", "30", "--json"])) as? [[String: Any]])
        // Everything recorded more than 30 days after its effective date: the 2014 actors and the 2017 plan
        // recorded 2017-10-01, and the 2019 revision recorded 2023. Not the goal, target and adoption of 2017-09-26.
        #expect(rows.map { $0["id"] as? String } == ["kb", "bm", "p1", "th2", "t-back"])
        let text = try cli.run(["audit", "--backdated", "1000"])
        #expect(text.stdout.hasSuffix("3 events\n"))
        #expect(text.stdout.contains("#10  ballerup/erhverv-2017/mal-3  v4  TargetSet"))
    }

    @Test func listAndHistoryRespectTheClocks() throws {
        let cli = try ledger()
        let goals = try #require(try cli.json(try cli.run(["list", "--kind", "goal", "--as-of", "2020", "--json"])) as? [[String: Any]])
        #expect(goals.compactMap { $0["id"] as? String } == ["ballerup/erhverv-2017/mal-3"])
        let all = try #require(try cli.json(try cli.run(["list", "--json"])) as? [[String: Any]])
        #expect(all.count == 6)
        let h = try #require(try cli.json(try cli.run(["history", "ballerup/erhverv-2017/mal-3", "--known-at", "2022", "--json"])) as? [[String: Any]])
        #expect(h.compactMap { $0["position"] as? Int } == [5, 6, 8])
        #expect(h[2]["hash"] as? String != nil)
    }

    @Test func replayIntoAHistoricalFile() throws {
        let cli = try ledger()
        let before = cli.checksum(cli.db)
        let file = cli.path("ballerup-2020.sqlite")
        let r = try cli.run(["replay", "--as-of", "2020", "--known-at", "2022", "--into", file])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout == "wrote 5 entities as of 2020, known at 2022 to \(file)\n")
        let q = try DatabaseQueue(path: file)
        let value = try q.read { try Double.fetchOne($0, sql: "SELECT target_value FROM current_goals WHERE id = 'ballerup/erhverv-2017/mal-3'") }
        #expect(value == 25)  // the backdated 27 was recorded in 2023
        let history = try q.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM target_history") }
        #expect(history == 1)
        #expect(cli.checksum(cli.db) == before)
        #expect(try cli.run(["replay", "--as-of", "2020"]).code == 64)
    }

    /// A time no command can read is one usage error (exit 64, the same first line) for every command
    /// that takes a time, `export` included, and nothing is read or written.
    @Test func anUnreadableTimeIsTheSameUsageErrorForEveryCommand() throws {
        let cli = try ledger()
        let goal = "ballerup/erhverv-2017/mal-3"
        let before = cli.checksum(cli.db)
        var firstLines = Set<String>()
        for args in [["show", goal], ["history", goal], ["audit"], ["export"], ["list", "--as-of", "2020"]] {
            let result = try cli.run(args + ["--known-at", "2020-13"])
            #expect(result.code == 64, "\(args): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(args)")
            firstLines.insert(String(result.stderr.prefix { $0 != "\n" }))
        }
        #expect(firstLines == [
            "Error: time \"2020-13\" is not YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 instant with offset",
        ])
        #expect(cli.checksum(cli.db) == before)
    }

    @Test func replayRebuildsAndVerifyDetectsAnAlteredProjectionRow() throws {
        let cli = try ledger()
        let q = try DatabaseQueue(path: cli.db)
        try q.write { try $0.execute(sql: "UPDATE entities SET state = replace(state, '30', '35') WHERE id = 'ballerup/erhverv-2017/mal-3'") }
        try q.close()
        let bad = try cli.run(["verify"])
        #expect(bad.code == 5)
        #expect(bad.stderr == "error: projection: entities row ballerup/erhverv-2017/mal-3, column state, differs from a fresh fold of its events; run `goalledger replay`\n")
        let replay = try cli.run(["replay"])
        #expect(replay.code == 0)
        #expect(replay.stdout == "replayed 10 events\n")
        #expect(try cli.run(["verify"]).code == 0)
        #expect(try target(cli, []) == 30)
    }
}
