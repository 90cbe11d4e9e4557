/// A small SVG chart of how cost grows from the smallest to the largest ledger.
enum Plot {
    /// Two panels of grouped bars: cost per event of the streaming commands,
    /// and the latency of the point-in-time queries, one bar per ledger size.
    static func growth(_ sizes: [(n: Int, ours: Figures)]) -> String {
        let throughput: [(String, String)] = [("import", "import_eps"), ("replay", "replay_eps"), ("verify", "verify_eps"),
                                              ("export", "export_eps")]
        let latency: [(String, String)] = [("show p50", "show_p50_ms"), ("show p99", "show_p99_ms"), ("tree median", "tree_median_ms"),
                                           ("CLI show", "cli_show_median_ms"), ("audit ÷ 100", "audit_s")]
        let colors = ["#4a7bb7", "#d9822b", "#5a9e5a", "#a05aa0"]
        let w = 900.0, h = 380.0
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(w / 2)" y="20" text-anchor="middle" font-size="15">GoalLedger: cost as the ledger grows</text>

            """
        func panel(x0: Double, title: String, unit: String, series: [(String, String)], value: (String, Figures) -> Double?) {
            let px = x0 + 50, py = 50.0, pw = 360.0, ph = 250.0
            var maxV = 0.0
            for (_, key) in series { for s in sizes { maxV = max(maxV, value(key, s.ours) ?? 0) } }
            maxV = niceCeiling(maxV)
            svg += "<text x=\"\(px + pw / 2)\" y=\"42\" text-anchor=\"middle\">\(title)</text>\n"
            for k in 0...4 {
                let v = maxV * Double(k) / 4, y = py + ph - ph * Double(k) / 4
                svg += "<line x1=\"\(px)\" y1=\"\(y)\" x2=\"\(px + pw)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
                svg += "<text x=\"\(px - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(label(v))</text>\n"
            }
            svg += "<text x=\"\(px - 40)\" y=\"\(py - 8)\">\(unit)</text>\n"
            let groupW = pw / Double(series.count), barW = groupW * 0.7 / Double(sizes.count)
            for (g, (name, key)) in series.enumerated() {
                let gx = px + Double(g) * groupW + groupW * 0.15
                for (k, s) in sizes.enumerated() {
                    guard let v = value(key, s.ours), v.isFinite else { continue }
                    let bh = maxV > 0 ? ph * v / maxV : 0
                    let x = gx + Double(k) * barW
                    svg += "<rect x=\"\(x)\" y=\"\(py + ph - bh)\" width=\"\(barW - 2)\" height=\"\(bh)\" fill=\"\(colors[k % colors.count])\"/>"
                    svg += "<text x=\"\(x + barW / 2 - 1)\" y=\"\(py + ph - bh - 3)\" text-anchor=\"middle\" font-size=\"9\">\(label(v))</text>\n"
                }
                svg += "<text x=\"\(gx + groupW * 0.35)\" y=\"\(py + ph + 16)\" text-anchor=\"middle\">\(name)</text>\n"
            }
        }
        panel(x0: 0, title: "Cost per event (lower is better)", unit: "µs/event", series: throughput) { key, f in
            f[key].map { 1e6 / $0 }
        }
        panel(x0: 450, title: "Query latency (lower is better)", unit: "ms", series: latency) { key, f in
            key == "audit_s" ? f[key].map { $0 * 10 } : f[key]
        }
        for (k, s) in sizes.enumerated() {
            let x = 300.0 + Double(k) * 170
            svg += "<rect x=\"\(x)\" y=\"\(h - 30)\" width=\"12\" height=\"12\" fill=\"\(colors[k % colors.count])\"/>"
            svg += "<text x=\"\(x + 18)\" y=\"\(h - 20)\">\(s.n.formatted) events</text>\n"
        }
        svg += "<text x=\"\(w - 10)\" y=\"\(h - 6)\" text-anchor=\"end\" font-size=\"9\">audit shown in units of 10 ms (÷ 100 of its seconds ×1000)</text>\n"
        return svg + "</svg>\n"
    }

    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        var step = 1.0
        while step * 10 < v { step *= 10 }
        while step > v { step /= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where step * m >= v { return step * m }
        return step * 10
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if v >= 100 { return String(Int(v.rounded())) }
        if v >= 10 { return String(Double(Int(v * 10)) / 10) }
        return String(Double(Int(v * 100)) / 100)
    }
}

extension Int {
    /// 1000000 → "1,000,000".
    var formatted: String {
        let s = String(self)
        var out = ""
        for (k, c) in s.enumerated() {
            if k > 0 && (s.count - k) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }
}
