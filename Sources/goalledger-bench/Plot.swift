/// A small SVG chart of how cost grows from the smallest to the largest ledger.
enum Plot {
    /// Two panels of grouped bars: cost per event of the streaming commands,
    /// and the latency of the point-in-time queries, one bar per ledger size.
    static func growth(_ sizes: [(events: Int, ours: Figures)]) -> String {
        let throughput: [(String, String)] = [("import", "import_eps"), ("replay", "replay_eps"),
                                              ("verify", "verify_eps"), ("export", "export_eps")]
        let latency: [(String, String)] = [("show p50", "show_p50_ms"), ("show p99", "show_p99_ms"),
                                           ("tree median", "tree_median_ms"), ("CLI show", "cli_show_median_ms"),
                                           ("audit ÷ 100", "audit_s")]
        let colors = ["#4a7bb7", "#d9822b", "#5a9e5a", "#a05aa0"]
        let width = 900.0, height = 380.0
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="20" text-anchor="middle" font-size="15">\
            GoalLedger: cost as the ledger grows</text>

            """
        func panel(x0: Double, title: String, unit: String, series: [(String, String)],
                   value: (String, Figures) -> Double?) {
            let plotLeft = x0 + 50, plotTop = 50.0, plotWidth = 360.0, plotHeight = 250.0
            var maxV = 0.0
            for (_, key) in series { for size in sizes { maxV = max(maxV, value(key, size.ours) ?? 0) } }
            maxV = niceCeiling(maxV)
            svg += "<text x=\"\(plotLeft + plotWidth / 2)\" y=\"42\" text-anchor=\"middle\">\(title)</text>\n"
            for k in 0...4 {
                let tick = maxV * Double(k) / 4, tickY = plotTop + plotHeight - plotHeight * Double(k) / 4
                svg += "<line x1=\"\(plotLeft)\" y1=\"\(tickY)\" x2=\"\(plotLeft + plotWidth)\" y2=\"\(tickY)\" "
                    + "stroke=\"#ddd\"/>"
                svg += "<text x=\"\(plotLeft - 6)\" y=\"\(tickY + 4)\" text-anchor=\"end\">\(label(tick))</text>\n"
            }
            svg += "<text x=\"\(plotLeft - 40)\" y=\"\(plotTop - 8)\">\(unit)</text>\n"
            let groupW = plotWidth / Double(series.count), barW = groupW * 0.7 / Double(sizes.count)
            for (group, (name, key)) in series.enumerated() {
                let groupX = plotLeft + Double(group) * groupW + groupW * 0.15
                for (index, size) in sizes.enumerated() {
                    guard let figure = value(key, size.ours), figure.isFinite else { continue }
                    let barHeight = maxV > 0 ? plotHeight * figure / maxV : 0
                    let barX = groupX + Double(index) * barW
                    svg += "<rect x=\"\(barX)\" y=\"\(plotTop + plotHeight - barHeight)\" width=\"\(barW - 2)\" "
                        + "height=\"\(barHeight)\" fill=\"\(colors[index % colors.count])\"/>"
                    svg += "<text x=\"\(barX + barW / 2 - 1)\" y=\"\(plotTop + plotHeight - barHeight - 3)\" "
                        + "text-anchor=\"middle\" font-size=\"9\">\(label(figure))</text>\n"
                }
                svg += "<text x=\"\(groupX + groupW * 0.35)\" y=\"\(plotTop + plotHeight + 16)\" "
                    + "text-anchor=\"middle\">\(name)</text>\n"
            }
        }
        panel(x0: 0, title: "Cost per event (lower is better)", unit: "µs/event", series: throughput) { key, figures in
            figures[key].map { 1e6 / $0 }
        }
        panel(x0: 450, title: "Query latency (lower is better)", unit: "ms", series: latency) { key, figures in
            key == "audit_s" ? figures[key].map { $0 * 10 } : figures[key]
        }
        for (index, size) in sizes.enumerated() {
            let swatchX = 300.0 + Double(index) * 170
            svg += "<rect x=\"\(swatchX)\" y=\"\(height - 30)\" width=\"12\" height=\"12\" "
                + "fill=\"\(colors[index % colors.count])\"/>"
            svg += "<text x=\"\(swatchX + 18)\" y=\"\(height - 20)\">\(size.events.formatted) events</text>\n"
        }
        svg += "<text x=\"\(width - 10)\" y=\"\(height - 6)\" text-anchor=\"end\" font-size=\"9\">"
            + "audit shown in units of 10 ms (÷ 100 of its seconds ×1000)</text>\n"
        return svg + "</svg>\n"
    }

    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        var step = 1.0
        while step * 10 < value { step *= 10 }
        while step > value { step /= 10 }
        for multiple in [1.0, 2, 2.5, 5, 10] where step * multiple >= value { return step * multiple }
        return step * 10
    }

    static func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value >= 100 { return String(Int(value.rounded())) }
        if value >= 10 { return String(Double(Int(value * 10)) / 10) }
        return String(Double(Int(value * 100)) / 100)
    }
}

extension Int {
    /// 1000000 → "1,000,000".
    var formatted: String {
        let digits = String(self)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }
}
