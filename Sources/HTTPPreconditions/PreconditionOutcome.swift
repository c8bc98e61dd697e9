import HTTPTypes

/// A conditional request header field, named in an outcome to say which one decided it.
public enum ConditionalField: Sendable, Hashable, CaseIterable {
    case ifMatch
    case ifUnmodifiedSince
    case ifNoneMatch
    case ifModifiedSince
    case ifRange

    /// The field's name.
    public var name: HTTPField.Name {
        switch self {
        case .ifMatch: return .ifMatch
        case .ifUnmodifiedSince: return .ifUnmodifiedSince
        case .ifNoneMatch: return .ifNoneMatch
        case .ifModifiedSince: return .ifModifiedSince
        case .ifRange: return .ifRange
        }
    }
}

/// What to do with a request's `Range` field once its preconditions passed
/// (RFC 9110 §13.2.2 step 5, §14.2).
public enum RangeDisposition: Sendable, Hashable {
    /// The request is not a range request: no `Range`, or a method other than GET
    /// (`HEAD` with `Range` is not a range request).
    case notRequested
    /// Honour the `Range` field: answer 206 (or 416) if its ranges are valid.
    case apply
    /// `If-Range` did not match the current representation: ignore `Range` and send the
    /// whole representation with 200.
    case ignoredByIfRange
}

/// The result of evaluating a request's preconditions (RFC 9110 §13.2.2).
public enum PreconditionOutcome: Sendable, Hashable {
    /// Perform the method as if the request were unconditional; `range` says what to do with
    /// its `Range` field.
    case proceed(range: RangeDisposition)
    /// Answer 304 Not Modified: a GET or HEAD whose `If-None-Match` or `If-Modified-Since`
    /// evaluated to false.
    case notModified(because: ConditionalField)
    /// Answer 412 Precondition Failed. When the failing field is `If-Match` or
    /// `If-Unmodified-Since` and the server can tell that the state change the request asks
    /// for has already been made (a retried PUT whose content is already current), it may
    /// answer 2xx instead (RFC 9110 §13.1.1, §13.1.4).
    case preconditionFailed(because: ConditionalField)

    /// The status code this outcome calls for, or `nil` to proceed.
    public var status: HTTPResponse.Status? {
        switch self {
        case .proceed: return nil
        case .notModified: return .notModified
        case .preconditionFailed: return .preconditionFailed
        }
    }

    /// Whether the method should be performed.
    public var shouldProceed: Bool {
        if case .proceed = self { return true }
        return false
    }
}
