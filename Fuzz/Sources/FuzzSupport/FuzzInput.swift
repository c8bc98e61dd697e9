@_exported import CLibFuzzer
import HTTPTypes

/// A fuzz input read as text lines, so that seed files can be written by hand: each target
/// documents what its lines mean. The bytes are decoded as UTF-8 (invalid sequences become
/// U+FFFD), so every input is read somehow.
public struct FuzzLines {
    public var lines: [Substring]

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Removes and returns the first line, or `""` when none is left.
    public mutating func next() -> Substring {
        lines.isEmpty ? "" : lines.removeFirst()
    }

    /// The rest of the lines as header fields: `Name: value` lines whose name is a valid
    /// field name; other lines are skipped.
    public mutating func fields() -> HTTPFields {
        var fields = HTTPFields()
        for line in lines {
            guard let colon = line.firstIndex(of: ":"),
                let name = HTTPField.Name(String(line[..<colon]))
            else { continue }
            fields.append(HTTPField(name: name, value: String(line[line.index(after: colon)...])))
        }
        lines = []
        return fields
    }
}

/// A property failed: libFuzzer reports it as a crash and saves the input.
public func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition() {
        fatalError("property violated: \(message())", file: file, line: line)
    }
}
