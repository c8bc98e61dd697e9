import HTTPPreconditions
import HTTPTypes

/// What the answer to a validation request means for the stored response (RFC 9111 §4.3.3).
public enum RevalidationOutcome: Sendable {
    /// A 304 selected the stored response: it has been freshened with the 304's fields and
    /// timing (§3.2, §4.3.4). Serve the stored content with the updated policy's head and
    /// store the updated policy.
    case notModified(CachePolicy)
    /// A full response (or an error the cache forwards): it replaces the stored one. Store
    /// it if its policy says it is storable, and serve it.
    case modified(CachePolicy)
    /// An error (500, 502, 503, 504) that `stale-if-error` lets the cache answer with the
    /// stale stored response (RFC 5861 §4).
    case serveStale(StaleUse)
    /// A 304 that does not select the stored response (§4.3.4: its validators do not match):
    /// it cannot be used. Repeat the request without conditions.
    case notModifiedForOtherResponse
}

extension CachePolicy {
    /// Applies the answer to a validation request (RFC 9111 §4.3.3).
    ///
    /// - 304: when §4.3.4 selects this stored response, its fields are updated as §3.2 says
    ///   (``StoredFields/updating(_:with:privateFieldNames:)``) and its timing becomes the
    ///   304 exchange's: `request_time` and `response_time` are the new ones, `date_value` the
    ///   304's `Date` (its response time when it has none, RFC 9110 §6.6.1), and `age_value`
    ///   the 304's `Age` (none when it has none: an old stored `Age` no longer applies).
    ///   The secondary key is kept unless the 304 carries a new `Vary`.
    /// - 500, 502, 503, 504 within `stale-if-error`: serve stale.
    /// - Anything else: the new response replaces the stored one.
    ///
    /// - Parameters:
    ///   - request: the validation request that was sent (``evaluate(request:now:)`` gave it).
    ///   - response: the origin's answer.
    ///   - requestTime: when the validation request was sent.
    ///   - responseTime: when its answer arrived; also "now" for stale-if-error.
    public func revalidated(
        with request: HTTPRequest,
        response: HTTPResponse,
        requestTime: HTTPDate,
        responseTime: HTTPDate
    ) -> RevalidationOutcome {
        switch response.status.code {
        case 304:
            guard Validation.selectedForUpdate(by: response, among: [self]) == [0] else {
                return .notModifiedForOtherResponse
            }
            return .notModified(
                freshened(with: response, request: request, requestTime: requestTime, responseTime: responseTime)
            )
        case 500, 502, 503, 504:
            if allowsStaleIfError(request: request, now: responseTime) { return .serveStale(.staleIfError) }
        default:
            break
        }
        return .modified(
            CachePolicy(request: request, response: response, requestTime: requestTime, responseTime: responseTime, options: options)
        )
    }

    /// ``revalidated(with:response:requestTime:responseTime:)`` for an exchange whose
    /// request and response times are both `now`.
    public func revalidated(with request: HTTPRequest, response: HTTPResponse, now: HTTPDate) -> RevalidationOutcome {
        revalidated(with: request, response: response, requestTime: now, responseTime: now)
    }

    /// This stored response updated by a 304 selected for it (RFC 9111 §3.2, §4.3.4).
    /// Use it directly when one 304 freshens several stored responses
    /// (``Validation/selectedForUpdate(by:among:)``).
    public func freshened(
        with notModified: HTTPResponse,
        request: HTTPRequest,
        requestTime: HTTPDate,
        responseTime: HTTPDate
    ) -> CachePolicy {
        let (newDirectives, _) = TargetedCacheControl.effectiveDirectives(
            of: notModified.headerFields, targets: options.cacheControlTargets
        )
        var merged = response
        merged.headerFields = StoredFields.updating(
            response.headerFields,
            with: notModified.headerFields,
            privateFieldNames: options.isShared ? newDirectives.privateFieldNames : []
        )
        if AgeCalculation.dateValue(of: notModified.headerFields, now: responseTime) == nil {
            merged.headerFields[.date] = responseTime.imfFixdate
        }
        if !notModified.headerFields.contains(.age) {
            merged.headerFields[.age] = nil
        }
        let varyChanged = notModified.headerFields.contains(.vary)
        return CachePolicy(
            requestMethod: HTTPRequest.Method(requestMethod) ?? request.method,
            requestFields: request.headerFields,
            response: merged,
            requestTime: requestTime,
            responseTime: responseTime,
            options: options,
            varyKey: varyChanged ? nil : varyKey
        )
    }
}
