/// The admin listener's status page: one self-contained HTML page (inline CSS and SVG, no
/// script, no external assets), rendered on the server from a ``MetricsSnapshot`` and
/// reloaded by the browser every few seconds.
struct StatusPage {
    let snapshot: MetricsSnapshot
    let cacheName: String

    /// Outcomes in the order the chart and its legend show them, with their colours.
    static let palette: [(RequestOutcome, String)] = [
        (.hit, "#2f9e63"),
        (.revalidatedNotModified, "#3a8fc4"),
        (.stale, "#c7a334"),
        (.revalidatedModified, "#7a6bd1"),
        (.miss, "#e0803c"),
        (.pass, "#9aa1a9"),
        (.error, "#d2484a"),
        (.purge, "#5b6472"),
    ]

    var html: String {
        let counts = snapshot.counts
        let ratio = snapshot.hitRatio.map { Self.percent($0) } ?? "–"
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="5">
            <title>\(Self.escape(cacheName)) · status</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <header><h1>\(Self.escape(cacheName)) <span>status</span></h1><p>Refreshes every 5 s · <a href="/metrics">/metrics</a></p></header>
            <section class="cards">
            \(Self.card("Hit ratio", ratio, "of cacheable requests answered from the store", id: "hit-ratio"))
            \(Self.card("Requests", Self.count(snapshot.totalRequests), "since start", id: "requests"))
            \(Self.card("304s sent", Self.count(counts.notModifiedSent), "to clients holding a current copy", id: "not-modified"))
            \(Self.card("Saved by 304s", Self.bytes(counts.clientBytesSaved + counts.originBytesSaved),
                "\(Self.bytes(counts.clientBytesSaved)) to clients · \(Self.bytes(counts.originBytesSaved)) from origins", id: "bytes-saved"))
            </section>
            <section class="panel">
            <h2>Requests by outcome</h2>
            <div class="outcomes">\(donut)\(legend)</div>
            </section>
            <section class="panel">
            <h2>Storage</h2>
            \(snapshot.tiers.map(Self.tier).joined(separator: "\n"))
            </section>
            <section class="panel">
            <h2>Traffic</h2>
            \(traffic)
            <p class="aside">Requests coalesced onto another's origin fetch: \(Self.count(counts.coalescedRequests)) \
            (\(Self.count(snapshot.coalescedWaiting)) waiting now)</p>
            </section>
            </body>
            </html>

            """
    }

    /// A ring of one arc per outcome, its length the outcome's share, the hit ratio inside.
    private var donut: String {
        let total = snapshot.totalRequests
        let radius = 70.0
        let circumference = 2 * Double.pi * radius
        var arcs = ""
        var offset = 0.0
        if total > 0 {
            for (outcome, colour) in Self.palette {
                let count = snapshot[outcome]
                guard count > 0 else { continue }
                let length = circumference * Double(count) / Double(total)
                arcs += """
                    <circle class="arc" data-outcome="\(outcome.rawValue)" r="\(radius)" cx="90" cy="90" fill="none" stroke="\(colour)" \
                    stroke-width="28" stroke-dasharray="\(Self.fixed(length)) \(Self.fixed(circumference - length))" \
                    stroke-dashoffset="\(Self.fixed(-offset))"><title>\(outcome.rawValue): \(count)</title></circle>
                    """
                offset += length
            }
        } else {
            arcs = ##"<circle r="70" cx="90" cy="90" fill="none" stroke="#e3e6ea" stroke-width="28"></circle>"##
        }
        let ratio = snapshot.hitRatio.map { Self.percent($0) } ?? "–"
        return """
            <svg id="outcome-chart" viewBox="0 0 180 180" width="220" height="220" role="img" aria-label="Requests by outcome">
            <g transform="rotate(-90 90 90)">\(arcs)</g>
            <text x="90" y="88" text-anchor="middle" class="ratio">\(ratio)</text>
            <text x="90" y="110" text-anchor="middle" class="ratio-label">hit ratio</text>
            </svg>
            """
    }

    /// Body bytes in each direction, as bars on one scale.
    private var traffic: String {
        let counts = snapshot.counts
        let rows: [(String, Int, String)] = [
            ("Delivered to clients", counts.deliveredBytes, "#2f9e63"),
            ("Fetched from origins", counts.originBytes, "#e0803c"),
            ("Not sent to clients: 304s", counts.clientBytesSaved, "#3a8fc4"),
            ("Not fetched from origins: 304s", counts.originBytesSaved, "#7a6bd1"),
        ]
        let largest = max(rows.map(\.1).max() ?? 0, 1)
        var html = "<table class=\"traffic\"><tbody>\n"
        for (label, value, colour) in rows {
            let bar = value > 0 ? "<b style=\"width:\(Self.fixed(Double(value) / Double(largest) * 100))%;background:\(colour)\"></b>" : ""
            html += "<tr><td>\(label)</td><td class=\"bar\">\(bar)</td><td class=\"n\">\(Self.bytes(value))</td></tr>\n"
        }
        return html + "</tbody></table>"
    }

    private var legend: String {
        let total = max(snapshot.totalRequests, 1)
        var rows = ""
        for (outcome, colour) in Self.palette {
            let count = snapshot[outcome]
            let share = Double(count) / Double(total)
            let bar = count > 0 ? "<b style=\"width:\(Self.fixed(share * 100))%;background:\(colour)\"></b>" : ""
            rows += """
                <tr\(count == 0 ? " class=\"zero\"" : "")><td><i style="background:\(colour)"></i>\(outcome.rawValue)</td>\
                <td class="n">\(Self.count(count))</td><td class="bar">\(bar)</td><td class="n">\(Self.percent(share))</td></tr>

                """
        }
        return "<table class=\"legend\"><tbody>\n\(rows)</tbody></table>"
    }

    private static func tier(_ tier: MetricsSnapshot.Tier) -> String {
        let used = tier.limit > 0 ? min(Double(tier.bytes) / Double(tier.limit), 1) : 0
        return """
            <div class="tier" id="tier-\(escape(tier.name))">
            <div class="tier-head"><strong>\(escape(tier.name))</strong><span>\(bytes(tier.bytes)) of \(bytes(tier.limit)) · \
            \(count(tier.entries)) entries · \(count(tier.evictions)) evicted</span></div>
            <div class="meter"><b style="width:\(fixed(max(used * 100, tier.bytes > 0 ? 0.5 : 0)))%"></b></div>
            </div>
            """
    }

    private static func card(_ title: String, _ value: String, _ note: String, id: String) -> String {
        """
        <div class="card" id="\(id)"><h3>\(title)</h3><p class="value">\(value)</p><p class="note">\(note)</p></div>
        """
    }

    // MARK: - Formatting

    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// `1234567` as `1 234 567` (thin spaces, readable in every locale).
    static func count(_ value: Int) -> String {
        let digits = Array(String(value.magnitude).utf8)
        var grouped: [UInt8] = value < 0 ? [UInt8(ascii: "-")] : []
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped += Array("\u{2009}".utf8) }
            grouped.append(digit)
        }
        return String(decoding: grouped, as: UTF8.self)
    }

    /// Bytes in binary units with one decimal: `1.5 MiB`.
    static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : "\(fixed(amount, decimals: 1)) \(units[unit])"
    }

    static func percent(_ share: Double) -> String {
        "\(fixed(share * 100, decimals: 1))\u{2009}%"
    }

    /// `value` with a fixed number of decimals, without Foundation's formatters.
    static func fixed(_ value: Double, decimals: Int = 2) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled.magnitude / UInt(scale)
        let fraction = String(scaled.magnitude % UInt(scale))
        let sign = scaled < 0 ? "-" : ""
        guard decimals > 0 else { return "\(sign)\(whole)" }
        return "\(sign)\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    static let style = """
        :root{color-scheme:light;--ink:#1d2430;--muted:#687385;--line:#e3e6ea;--card:#fff;--bg:#f5f6f8}
        *{box-sizing:border-box}
        body{margin:0;padding:28px 36px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
        header{display:flex;align-items:baseline;justify-content:space-between;margin-bottom:20px}
        h1{font-size:24px;margin:0;font-weight:650}h1 span{color:var(--muted);font-weight:400}
        header p{margin:0;color:var(--muted);font-size:13px}a{color:#3a6fc4}
        h2{font-size:15px;margin:0 0 14px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        .cards{display:grid;grid-template-columns:repeat(4,1fr);gap:16px;margin-bottom:16px}
        .card,.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 20px}
        .card h3{margin:0;font-size:13px;font-weight:500;color:var(--muted)}
        .card .value{margin:4px 0 2px;font-size:30px;font-weight:650;font-variant-numeric:tabular-nums}
        .card .note{margin:0;font-size:12px;color:var(--muted)}
        #hit-ratio .value{color:#2f9e63}
        .panel{margin-bottom:16px}
        .outcomes{display:flex;align-items:center;gap:36px}
        .ratio{font-size:24px;font-weight:650;fill:var(--ink)}.ratio-label{font-size:11px;fill:var(--muted)}
        .legend{border-collapse:collapse;flex:1;font-variant-numeric:tabular-nums}
        .legend td{padding:5px 10px;border-bottom:1px solid var(--line)}
        .legend i{display:inline-block;width:11px;height:11px;border-radius:3px;margin-right:9px;vertical-align:-1px}
        .legend .n{text-align:right;white-space:nowrap}.legend .bar{width:45%}
        .legend .bar b,.traffic .bar b{display:block;height:9px;border-radius:5px;min-width:2px}
        .legend tr.zero td{color:#a5adb8}.legend tr.zero i{opacity:.4}
        .tier{margin-bottom:12px}.tier-head{display:flex;justify-content:space-between;margin-bottom:5px}
        .tier-head span{color:var(--muted);font-size:13px;font-variant-numeric:tabular-nums}
        .meter{height:12px;background:#eceef1;border-radius:6px;overflow:hidden}.meter b{display:block;height:100%;background:#3a8fc4}
        .traffic{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
        .traffic td{padding:5px 10px 5px 0;border-bottom:1px solid var(--line)}.traffic td:first-child{width:260px;color:var(--muted)}
        .traffic .n{text-align:right;width:110px;white-space:nowrap}
        .aside{margin:10px 0 0;font-size:13px;color:var(--muted)}
        """
}
