import Foundation

/// Small inline SVG charts for the self-contained HTML reports (no scripts, no network).
public enum SVGChart {
    public struct Band {
        public var from: Double, to: Double, label: String
        public init(from: Double, to: Double, label: String) {
            self.from = from
            self.to = to
            self.label = label
        }
    }

    public struct Series {
        public var name: String, color: String, values: [Double]
        public init(name: String, color: String, values: [Double]) {
            self.name = name
            self.color = color
            self.values = values
        }
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A time series: `line` as a polyline, `bars` as bars from the axis, `bands` shaded behind.
    /// x values are seconds; one value per step of `step` seconds.
    public static func timeSeries(title: String, step: Double, line: Series, bars: Series, bands: [Band],
                                  width: Double = 900, height: Double = 260) -> String {
        let left = 50.0, right = 10.0, top = 24.0, bottom = 30.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let count = max(line.values.count, bars.values.count, 1)
        let span = Double(count) * step
        let peak = max(1, (line.values + bars.values).max() ?? 1)
        func x(_ seconds: Double) -> Double { left + seconds / span * plotWidth }
        func y(_ value: Double) -> Double { top + plotHeight - value / peak * plotHeight }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(MarkupEscape.text(title))\">"
        out += "<text x=\"\(left)\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(MarkupEscape.text(title))</text>"
        for band in bands {
            let from = x(band.from), to = max(x(band.to), from + 1)
            out += "<rect x=\"\(number(from))\" y=\"\(top)\" width=\"\(number(to - from))\" height=\"\(plotHeight)\" fill=\"#f4a30033\"><title>\(MarkupEscape.text(band.label))</title></rect>"
        }
        for (index, value) in bars.values.enumerated() where value > 0 {
            let from = x(Double(index) * step)
            out += "<rect x=\"\(number(from))\" y=\"\(number(y(value)))\" width=\"\(number(max(2, plotWidth / Double(count))))\" height=\"\(number(top + plotHeight - y(value)))\" fill=\"\(bars.color)\"><title>\(Int(value)) \(MarkupEscape.text(bars.name)) at \(number(Double(index) * step)) s</title></rect>"
        }
        let points = line.values.enumerated().map { "\(number(x((Double($0.offset) + 0.5) * step))),\(number(y($0.element)))" }.joined(separator: " ")
        out += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.5\" points=\"\(points)\"/>"
        out += axes(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight)
        out += "<text x=\"\(left - 4)\" y=\"\(top + 4)\" font-size=\"11\" text-anchor=\"end\">\(Int(peak))</text>"
        out += "<text x=\"\(left - 4)\" y=\"\(top + plotHeight)\" font-size=\"11\" text-anchor=\"end\">0</text>"
        out += "<text x=\"\(left + plotWidth)\" y=\"\(height - 8)\" font-size=\"11\" text-anchor=\"end\">\(number(span)) s</text>"
        out += "<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"11\">0 s</text>"
        out += legend([(line.name, line.color), (bars.name, bars.color), ("reload in progress", "#f4a30066")], x: left + 160, y: height - 8)
        return out + "</svg>"
    }

    /// Groups of horizontal bars on a log scale (for latencies in ms, wakeups…).
    public static func groupedBars(title: String, groups: [String], series: [Series], unit: String, logScale: Bool = true,
                                   width: Double = 900) -> String {
        let rowHeight = 14.0, gap = 10.0, left = 120.0, top = 24.0
        let height = top + Double(groups.count) * (Double(series.count) * rowHeight + gap) + 30
        let plotWidth = width - left - 80
        let all = series.flatMap(\.values).filter { $0 > 0 }
        let peak = max(all.max() ?? 1, 1e-9)
        let floor = logScale ? max(min(all.min() ?? 1, peak) / 2, 1e-3) : 0
        func length(_ value: Double) -> Double {
            guard value > 0 else { return 0 }
            if !logScale { return value / peak * plotWidth }
            return max(1, (log10(value) - log10(floor)) / max(1e-9, log10(peak) - log10(floor)) * plotWidth)
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(MarkupEscape.text(title))\">"
        out += "<text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(MarkupEscape.text(title))\(logScale ? " (log scale)" : "")</text>"
        var yPosition = top
        for (groupIndex, group) in groups.enumerated() {
            out += "<text x=\"\(left - 6)\" y=\"\(number(yPosition + Double(series.count) * rowHeight / 2 + 4))\" font-size=\"12\" text-anchor=\"end\">\(MarkupEscape.text(group))</text>"
            for item in series {
                let value = groupIndex < item.values.count ? item.values[groupIndex] : 0
                out += "<rect x=\"\(left)\" y=\"\(number(yPosition))\" width=\"\(number(length(value)))\" height=\"\(rowHeight - 2)\" fill=\"\(item.color)\"><title>\(MarkupEscape.text(item.name)): \(number(value)) \(unit)</title></rect>"
                out += "<text x=\"\(number(left + length(value) + 4))\" y=\"\(number(yPosition + rowHeight - 4))\" font-size=\"10\">\(String(format: value < 10 ? "%.2f" : "%.1f", value))</text>"
                yPosition += rowHeight
            }
            yPosition += gap
        }
        out += legend(series.map { ($0.name, $0.color) }, x: left, y: height - 8)
        return out + "</svg>"
    }

    static func axes(left: Double, top: Double, plotWidth: Double, plotHeight: Double) -> String {
        "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\" stroke=\"#444\"/>"
            + "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#444\"/>"
    }

    static func legend(_ items: [(String, String)], x: Double, y: Double) -> String {
        var out = ""
        var position = x
        for (name, color) in items {
            out += "<rect x=\"\(number(position))\" y=\"\(number(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            out += "<text x=\"\(number(position + 14))\" y=\"\(number(y))\" font-size=\"11\">\(MarkupEscape.text(name))</text>"
            position += 24 + Double(name.count) * 6.5
        }
        return out
    }
}
