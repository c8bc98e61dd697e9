import HTTPPreconditions
import HTTPTypes

/// The age of a stored response, computed exactly as RFC 9111 §4.2.3 describes:
///
/// ```
/// apparent_age = max(0, response_time - date_value)
/// response_delay = response_time - request_time
/// corrected_age_value = age_value + response_delay
/// corrected_initial_age = max(apparent_age, corrected_age_value)
/// resident_time = now - response_time
/// current_age = corrected_initial_age + resident_time
/// ```
///
/// Everything but `resident_time` is fixed when the response is received, so it is computed
/// once; ``currentAge(now:)`` is one subtraction and one addition. Values saturate at 2^31
/// (§1.2.2); a clock that runs backwards never makes an age negative.
public struct AgeCalculation: Sendable, Hashable, Codable {
    /// `age_value`: the `Age` field of the response, or 0 when absent or invalid (§5.1).
    public let ageValue: Int64
    /// `date_value`: the `Date` field of the response, or the response time without one.
    public let dateValue: HTTPDate
    /// `request_time`: when the cache sent the request that produced the response.
    public let requestTime: HTTPDate
    /// `response_time`: when the cache received the response.
    public let responseTime: HTTPDate

    /// Creates the calculation from its four inputs.
    public init(ageValue: Int64, dateValue: HTTPDate, requestTime: HTTPDate, responseTime: HTTPDate) {
        self.ageValue = DeltaSeconds.clamp(ageValue)
        self.dateValue = dateValue
        self.requestTime = requestTime
        self.responseTime = responseTime
    }

    /// Reads `Age` and `Date` from a response's fields (§5.1, RFC 9110 §6.6.1).
    public init(responseFields fields: HTTPFields, requestTime: HTTPDate, responseTime: HTTPDate) {
        self.init(
            ageValue: Self.ageValue(of: fields) ?? 0,
            dateValue: Self.dateValue(of: fields, now: responseTime) ?? responseTime,
            requestTime: requestTime,
            responseTime: responseTime
        )
    }

    /// `apparent_age = max(0, response_time - date_value)`.
    public var apparentAge: Int64 { DeltaSeconds.clamp(responseTime.seconds(since: dateValue)) }

    /// `response_delay = response_time - request_time` (never negative).
    public var responseDelay: Int64 { DeltaSeconds.clamp(responseTime.seconds(since: requestTime)) }

    /// `corrected_age_value = age_value + response_delay`.
    public var correctedAgeValue: Int64 { DeltaSeconds.add(ageValue, responseDelay) }

    /// `corrected_initial_age = max(apparent_age, corrected_age_value)`.
    public var correctedInitialAge: Int64 { max(apparentAge, correctedAgeValue) }

    /// `resident_time = now - response_time` (never negative).
    public func residentTime(now: HTTPDate) -> Int64 {
        max(0, now.seconds(since: responseTime))
    }

    /// `current_age = corrected_initial_age + resident_time`, at most 2^31.
    public func currentAge(now: HTTPDate) -> Int64 {
        DeltaSeconds.add(correctedInitialAge, DeltaSeconds.clamp(residentTime(now: now)))
    }

    /// The `Age` field's value, or `nil` when it is absent or not a non-negative integer
    /// (RFC 9111 §5.1: `Age = delta-seconds`; any other value is invalid and ignored).
    /// Of several field lines only the first counts (§4.2.1's "first occurrence").
    public static func ageValue(of fields: HTTPFields) -> Int64? {
        for field in fields where field.name == .age {
            return field.withValueBuffer { DeltaSeconds.parse(ASCII.trimmed($0)) }
        }
        return nil
    }

    /// The `Date` field's value, or `nil` when absent or not an HTTP-date (the first line
    /// counts).
    public static func dateValue(of fields: HTTPFields, now: HTTPDate? = nil) -> HTTPDate? {
        for field in fields where field.name == .date {
            return HTTPDate(field: field, now: now)
        }
        return nil
    }
}
