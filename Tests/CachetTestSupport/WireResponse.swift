import Foundation

/// One HTTP/1 response parsed off the wire: status line, fields in order, body.
public struct WireResponse: Sendable {
    public var statusLine: String
    public var fields: [(name: String, value: String)]
    public var body: String

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
    public func value(_ name: String) -> String? { values(name).first }

    /// Splits a stream of responses, framed by Content-Length, chunked coding, or no body
    /// (`bodiless` for responses to HEAD and for 304s). Works on bytes: "\r\n" is one
    /// Character in Swift.
    public static func parse(_ wire: String, bodiless: Set<Int> = []) -> [WireResponse] {
        let bytes = Array(wire.utf8)
        var at = 0
        func line() -> String? {
            var end = at
            while end + 1 < bytes.count, !(bytes[end] == 13 && bytes[end + 1] == 10) { end += 1 }
            guard end + 1 < bytes.count else { return nil }
            defer { at = end + 2 }
            return String(decoding: bytes[at..<end], as: UTF8.self)
        }
        func take(_ count: Int) -> String {
            let end = min(at + count, bytes.count)
            defer { at = end }
            return String(decoding: bytes[at..<end], as: UTF8.self)
        }
        var responses: [WireResponse] = []
        while let statusLine = line() {
            var fields: [(String, String)] = []
            while let field = line(), !field.isEmpty {
                guard let colon = field.firstIndex(of: ":") else { continue }
                fields.append((String(field[..<colon]), field[field.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            var response = WireResponse(statusLine: statusLine, fields: fields, body: "")
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { break }
            if bodiless.contains(responses.count) || status == 304 || status == 204 {
                // no body
            } else if let length = response.value("Content-Length").flatMap(Int.init) {
                response.body = take(length)
            } else if response.value("Transfer-Encoding") == "chunked" {
                while let sizeLine = line(), let size = Int(sizeLine, radix: 16) {
                    if size == 0 {
                        _ = line()
                        break
                    }
                    response.body += take(size)
                    _ = line()
                }
            } else {
                response.body = take(bytes.count - at)
            }
            responses.append(response)
        }
        return responses
    }
}
