import HTTPCachePolicy
import HTTPPreconditions
import HTTPTypes

/// A fixed instant all tests count from: Tue, 14 Nov 2023 22:13:20 GMT.
let t0 = HTTPDate(secondsSince1970: 1_700_000_000)

/// `t0` moved by `offset` seconds.
func at(_ offset: Int64) -> HTTPDate { t0.adding(seconds: offset) }

/// Header fields from `"Name: value"` lines. `{t}`, `{t+N}` and `{t-N}` in a value become
/// the IMF-fixdate of `t0` moved by N seconds, so tables can state dates relative to `t0`.
func fields(_ lines: [String]) -> HTTPFields {
    var result = HTTPFields()
    for line in lines {
        let colon = line.firstIndex(of: ":")!
        let name = HTTPField.Name(String(line[..<colon]))!
        var value = String(line[line.index(after: colon)...])
        if value.first == " " { value.removeFirst() }
        result.append(HTTPField(name: name, value: expandDates(value)))
    }
    return result
}

func expandDates(_ value: String) -> String {
    guard let open = value.firstIndex(of: "{"), let close = value[open...].firstIndex(of: "}") else { return value }
    let token = value[value.index(after: open)..<close]
    var offset: Int64 = 0
    if token.count > 1 {
        let sign: Int64 = token.dropFirst().first == "-" ? -1 : 1
        offset = sign * Int64(token.dropFirst(2))!
    }
    return String(value[..<open]) + at(offset).imfFixdate + expandDates(String(value[value.index(after: close)...]))
}

func request(
    _ method: HTTPRequest.Method = .get,
    _ path: String = "/page",
    _ lines: [String] = [],
    authority: String = "example.com"
) -> HTTPRequest {
    HTTPRequest(method: method, scheme: "https", authority: authority, path: path, headerFields: fields(lines))
}

func response(_ status: Int = 200, _ lines: [String] = []) -> HTTPResponse {
    HTTPResponse(status: .init(code: status), headerFields: fields(lines))
}

/// A policy for a GET of /page answered with `responseLines`, sent at `requestTime` and
/// received at `responseTime` (both `t0` unless given).
func policy(
    _ responseLines: [String],
    status: Int = 200,
    requestLines: [String] = [],
    method: HTTPRequest.Method = .get,
    requestTime: HTTPDate = t0,
    responseTime: HTTPDate = t0,
    options: CachePolicyOptions = .shared
) -> CachePolicy {
    CachePolicy(
        request: request(method, "/page", requestLines),
        response: response(status, responseLines),
        requestTime: requestTime,
        responseTime: responseTime,
        options: options
    )
}

/// The values of a field, for exact comparisons.
func values(_ fields: HTTPFields, _ name: String) -> [String] {
    fields[values: HTTPField.Name(name)!]
}
